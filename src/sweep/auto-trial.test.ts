/**
 * Auto trials in a sweep: recorded with their own figures (examples seen, from the changes), their
 * changes kept in the store under the trial's key, one per grid rate and seed, out of the fixed
 * analysis, and compared with the best fixed trial.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { UserError } from '../errors.js';
import { Store } from '../store/store.js';
import { blobs } from '../testing/blobs.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';
import type { BatchSummary } from './analyse.js';
import { analyseAuto, type AutoTrialResult } from './auto-analyse.js';
import { examplesAtStep, runAutoTrial } from './auto-trial.js';
import { planTrials } from './plan.js';
import { StoreRecorder } from './store-recorder.js';
import { runSweep, trialConfig, type SweepSpec } from './sweep.js';

const N = 600;
const data = blobs(N, 6, 3, 7);
/** Speed that grows with the batch, so that goodput moves up the ladder as B_noise grows (as adaptive/run.test.ts). */
const curve = [
  { microBatch: 4, samplesPerSec: 100 },
  { microBatch: 64, samplesPerSec: 1600 },
];
const spec: SweepSpec = {
  base: blobsRunConfig({ targetAccuracy: 0.9 }),
  plan: { batchSizes: [8, 32], lrGrid: [0.02], lrRule: 'none', lrRefBatch: 32, seeds: 2, baseSeed: 1, auto: { minBatch: 4, maxBatch: 64 } },
  // Trained on to the budget (4 epochs), so that the batch has time to grow past its start.
  limits: { maxEpochs: 4, maxSeconds: 60, evalsPerEpoch: 4, untilBudget: true },
  pruneFactor: 0,
  stallAfter: 0,
  extendGrid: false,
  autoCurve: curve,
};

test('planned auto trials: one per grid rate (carried to the starting batch by the rule) and seed, keyed apart from the fixed ones', () => {
  const plan = planTrials({ ...spec.plan, lrGrid: [0.01, 0.04], lrRule: 'linear', lrRefBatch: 8, seeds: 2, trainExamples: N });
  const auto = plan.filter((t) => t.auto !== undefined);
  assert.deepEqual(auto.map((t) => [t.key, t.batchSize, t.lr, t.seed]), [
    ['auto-b4-64-lr0.005-s1', 4, 0.005, 1],
    ['auto-b4-64-lr0.005-s2', 4, 0.005, 2],
    ['auto-b4-64-lr0.02-s1', 4, 0.02, 1],
    ['auto-b4-64-lr0.02-s2', 4, 0.02, 2],
  ]);
  assert.equal(plan.length, 2 * 2 * 2 + 4);
  assert.throws(() => planTrials({ ...spec.plan, auto: { minBatch: 64, maxBatch: 32 }, trainExamples: N }), (e) => e instanceof UserError && /--auto-max 32/.test(e.message));
  assert.deepEqual(planTrials({ ...spec.plan, batchSizes: [], trainExamples: N }).map((t) => t.key), ['auto-b4-64-lr0.02-s1', 'auto-b4-64-lr0.02-s2'], 'auto alone is a plan');
  // Started above the smallest batch: the rate the rule gives the start, and the smallest batch in the key.
  const above = planTrials({ ...spec.plan, batchSizes: [], lrRule: 'linear', lrRefBatch: 8, seeds: 1, auto: { minBatch: 4, startBatch: 16, maxBatch: 64 }, trainExamples: N });
  assert.deepEqual(above.map((t) => [t.key, t.batchSize, t.lr]), [['auto-b16-64-min4-lr0.04-s1', 16, 0.04]]);
  assert.throws(() => planTrials({ ...spec.plan, auto: { minBatch: 4, startBatch: 24, maxBatch: 64 }, trainExamples: N }), /--auto-start 24 is not a batch the run may take/);
  assert.throws(() => planTrials({ ...spec.plan, auto: { minBatch: 4, startBatch: 1024, maxBatch: 4096 }, trainExamples: N }), new RegExp(`--auto-start 1024 is larger than the ${N} training examples`));
});

test('a sweep with auto and two seeds keeps one auto trial per seed with its changes, examples from the changes, and out of the B axis', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auto-sweep-'));
  const store = Store.open(join(dir, 's.db'));
  try {
    const runId = store.openRun('sweep', 'auto-test', 'auto test', {}).run.id;
    const r = await runSweep(spec, data, new StoreRecorder(store, runId));
    assert.deepEqual([r.ran, r.total], [6, 6]);
    assert.equal(r.autoCurve, null, 'the curve was given: none measured');
    assert.deepEqual(r.analysis.batches.map((b) => b.batchSize), [8, 32], 'the auto trials (batch 4 at their start) are no point of the fixed analysis');
    const rows = store.trials(runId).filter((t) => t.key.startsWith('auto-'));
    assert.deepEqual(rows.map((t) => t.key).sort(), ['auto-b4-64-lr0.02-s1', 'auto-b4-64-lr0.02-s2']);
    for (const t of rows) {
      const a = (t.detail as { batchLabel: string; auto: { examples: number; examplesToTarget: number | null; changes: number; finalBatch: number } });
      assert.equal(a.batchLabel, 'auto');
      const changes = store.batchChanges(runId, t.key);
      assert.equal(changes.length, a.auto.changes);
      assert.deepEqual(changes[0], { step: 0, examples: 0, microBatch: 4, iterSize: 1, lr: 0.02, bNoise: NaN, reason: 'start' });
      assert.ok(changes.some((c) => c.reason.startsWith('goodput')), `${t.key}: the batch should grow: ${JSON.stringify(changes)}`);
      // Examples seen: B examples per update from each change to the next, and to the last update.
      const sum = changes.reduce((s, c, i) => s + ((changes[i + 1]?.step ?? t.steps) - c.step) * c.microBatch * c.iterSize, 0);
      assert.equal(a.auto.examples, sum);
      assert.ok(a.auto.examples > t.steps * 4, 'more examples than the starting batch alone would have seen');
      const last = changes[changes.length - 1]!;
      assert.equal(a.auto.finalBatch, last.microBatch * last.iterSize);
      assert.equal(t.status, 'target-reached');
      assert.equal(a.auto.examplesToTarget, examplesAtStep(changes, t.stepsToTarget!));
      assert.equal(t.epochs, 4);
    }
    const run = r.auto.runs;
    assert.equal(run.length, 1);
    assert.deepEqual([run[0]!.seeds, run[0]!.reached, run[0]!.lr, run[0]!.startBatch, run[0]!.maxBatch], [2, 2, 0.02, 4, 64]);
    const secs = rows.map((t) => t.secondsToTarget!);
    assert.equal(run[0]!.secondsToTarget, (secs[0]! + secs[1]!) / 2, 'the median of two seeds');
    assert.equal(r.auto.bestFixed?.batchSize, r.analysis.timeOptimal?.batchSize);
    assert.equal(r.auto.ratio, run[0]!.secondsToTarget! / r.analysis.timeOptimal!.secondsToTarget!);

    const again = await runSweep(spec, data, new StoreRecorder(store, runId));
    assert.deepEqual([again.ran, again.skipped], [0, 6]);
    assert.deepEqual(again.auto.runs, r.auto.runs, 'the auto figures come back from the store');
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('auto against the best fixed trial: faster or slower only outside the seeds’ spread', () => {
  const trial = (seconds: number, seed: number): AutoTrialResult => ({
    key: `auto-b4-64-lr0.1-s${seed}`, batchSize: 4, lr: 0.1, seed, status: 'target-reached', stepsToTarget: 10, epochsToTarget: 1, secondsToTarget: seconds, samplesPerSec: 1,
    bestValAccuracy: 0.95, finalValAccuracy: 0.95, testAccuracy: 0.9,
    auto: { startBatch: 4, maxBatch: 64, examples: 100, examplesToTarget: 80, changes: 3, finalBatch: 16, finalLr: 0.2, noiseSeconds: 0, curveSeconds: 0 },
  });
  const fixed = (range: [number, number]) => ({ batchSize: 32, bestLr: 0.2, secondsToTarget: (range[0] + range[1]) / 2, secondsRange: range }) as unknown as BatchSummary;
  const a = analyseAuto([trial(1, 1), trial(2, 2), trial(3, 3)], fixed([4, 6]));
  assert.deepEqual([a.best?.secondsToTarget, a.best?.secondsRange, a.best?.examplesToTarget, a.ratio, a.verdict], [2, [1, 3], 80, 0.4, 'faster']);
  assert.equal(analyseAuto([trial(1, 1), trial(5, 2)], fixed([4, 6])).verdict, 'within the spread');
  assert.equal(analyseAuto([trial(7, 1)], fixed([4, 6])).verdict, 'slower');
  const missed = analyseAuto([trial(1, 1), { ...trial(1, 2), secondsToTarget: null, status: 'budget' }], fixed([4, 6]));
  assert.deepEqual([missed.runs[0]!.reached, missed.runs[0]!.secondsToTarget, missed.best, missed.verdict], [1, null, null, null]);
});

test('an auto trial keeps to a trial’s budget: past it at a validation, short of the target, it stops as budget', async () => {
  const [t] = planTrials({ ...spec.plan, batchSizes: [], seeds: 1, trainExamples: N });
  const config = { ...trialConfig(spec.base, t!), targetAccuracy: 0.9999 };
  const o = await runAutoTrial(config, data, { maxEpochs: 4, maxSeconds: 1e-9, evalsPerEpoch: 4, untilBudget: false }, {}, curve);
  assert.ok(o !== null);
  assert.equal(o.status, 'budget');
  assert.equal(o.metrics.length, 1, 'stopped at its first validation');
  assert.equal(o.steps, o.metrics[0]!.step);
  assert.equal(o.secondsToTarget, null);
  assert.equal(o.auto.examples, examplesAtStep(o.batchChanges, o.steps));
  const stopped = await runAutoTrial(config, data, { maxEpochs: 4, maxSeconds: 60, evalsPerEpoch: 4, untilBudget: false }, { shouldStop: () => true }, curve);
  assert.equal(stopped, null, 'interrupted by the user: no result');
});
