import assert from 'node:assert/strict';
import test from 'node:test';
import type { RunConfig } from '../engine/run-config.js';
import { blobs } from '../testing/blobs.js';
import { planTrials } from './plan.js';
import { MemoryRecorder, runSweep, type SweepSpec } from './sweep.js';
import { runTrial } from './trial.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';

const data = blobs(240);
const base: RunConfig = blobsRunConfig({ targetAccuracy: 0.9 });
const spec: SweepSpec = {
  base,
  plan: { batchSizes: [8, 32, 'full'], lrGrid: [0.02, 0.1], lrRule: 'none', lrRefBatch: 32, seeds: 1, baseSeed: 3 },
  limits: { maxEpochs: 40, maxSeconds: 60, evalsPerEpoch: 4, untilBudget: false },
  pruneFactor: 0,
  stallAfter: 0.1,
  extendGrid: false,
};

test('a sweep runs every trial once, finds the target in each trial’s metrics, and a rerun runs nothing', async () => {
  const rec = new MemoryRecorder();
  const r = await runSweep(spec, data, rec);
  assert.deepEqual([r.ran, r.skipped, r.total, r.interrupted], [6, 0, 6, false]);
  for (const t of rec.trials.values()) {
    const o = t as unknown as { metrics: { valAccuracy: number; step: number }[]; stepsToTarget: number | null; status: string };
    if (o.stepsToTarget === null) continue;
    const first = o.metrics.find((m) => m.valAccuracy >= 0.9)!;
    assert.equal(first.step, o.stepsToTarget, `${t.key}: steps to target is the first validation at the target`);
    assert.equal(o.status, 'target-reached');
  }
  assert.deepEqual(r.analysis.batches.map((b) => b.batchSize), [8, 32, 240]);
  assert.ok(r.analysis.timeOptimal !== null);

  const again = await runSweep(spec, data, rec);
  assert.deepEqual([again.ran, again.skipped], [0, 6]);
  assert.deepEqual(again.analysis, r.analysis);
});

test('a sweep stopped after its first trial resumes with the other five, none twice', async () => {
  const rec = new MemoryRecorder();
  let finished = 0;
  const first = await runSweep(spec, data, rec, { shouldStop: () => finished >= 1, onTrialEnd: () => void finished++ });
  assert.deepEqual([first.ran, first.interrupted], [1, true]);
  const started: string[] = [];
  const rest = await runSweep(spec, data, rec, { onTrialStart: (t) => void started.push(t.key) });
  assert.deepEqual([rest.ran, rest.skipped, rest.interrupted], [5, 1, false]);
  const planned = planTrials({ ...spec.plan, trainExamples: data.train.count }).map((t) => t.key);
  assert.deepEqual(started, planned.slice(1));
  assert.deepEqual([...rec.trials.keys()].sort(), [...planned].sort());
});

test('a best rate on a grid edge is extended past it with ordinary trials, and a sweep stopped part-way resumes without running any twice', async () => {
  // At B = 8 and 4 epochs, 1e-4 and 2e-4 are both far too small: the larger is best, on the high edge.
  const edgy: SweepSpec = { ...spec, plan: { ...spec.plan, batchSizes: [8], lrGrid: [1e-4, 2e-4] }, limits: { ...spec.limits, maxEpochs: 4 }, extendGrid: true };
  const rec = new MemoryRecorder();
  let finished = 0;
  const started: string[] = [];
  const first = await runSweep(edgy, data, rec, { shouldStop: () => finished >= 3, onTrialStart: (t) => void started.push(t.key), onTrialEnd: () => void finished++ });
  assert.deepEqual([first.ran, first.interrupted], [3, true]);
  const rest = await runSweep(edgy, data, rec, { onTrialStart: (t) => void started.push(t.key) });
  assert.equal(rest.interrupted, false);
  assert.equal(new Set(started).size, started.length, `a trial ran twice: ${started.join(', ')}`);
  assert.deepEqual([rest.skipped, rest.ran + 3, rest.total], [3, started.length, started.length]);
  const [rates] = rest.rates;
  const lrs = rest.trials.map((t) => t.lr).sort((a, b) => a - b);
  // The grid, then doublings: 4e-4, 8e-4, … each one an ordinary trial with its own key.
  assert.deepEqual(lrs.slice(0, 3), [1e-4, 2e-4, 4e-4]);
  for (let i = 2; i < lrs.length; i++) assert.equal(lrs[i], lrs[i - 1]! * 2);
  assert.deepEqual([rates!.below, rates!.above], [0, lrs.length - 2]);
  const b = rest.analysis.batches[0]!;
  // It stops once the best is interior, or after 3 doublings with the best still on top (and says so).
  assert.ok((b.edge === null && b.bestLr < lrs[lrs.length - 1]!) || (rates!.above === 3 && b.edge === 'highest'), `edge ${b.edge}, best ${b.bestLr}, rates ${lrs.join(', ')}`);
  assert.equal(rates!.edge, b.edge);
  const again = await runSweep(edgy, data, rec);
  assert.deepEqual([again.ran, again.skipped, again.total], [0, rest.total, rest.total]);
  assert.deepEqual(again.analysis, rest.analysis);
  // Without extension the same record gives the grid's two trials, and the edge is reported.
  const plain = await runSweep({ ...edgy, extendGrid: false }, data, rec);
  assert.deepEqual([plain.ran, plain.total, plain.analysis.batches[0]!.edge], [0, 2, 'highest']);
});

test('a trial stops as pruned past its prune bar and as budget past its seconds, short of the epochs', async () => {
  const hard = { ...base, batchSize: 8, targetAccuracy: 1.01 };
  const pruned = (await runTrial(hard, data, { maxEpochs: 50, maxSeconds: 60, pruneSeconds: 1e-9, evalsPerEpoch: 2, untilBudget: false }))!;
  assert.equal(pruned.status, 'pruned');
  assert.ok(pruned.steps > 0 && pruned.steps < 50 * 30, `stopped after ${pruned.steps} steps`);
  assert.equal(pruned.secondsToTarget, null);
  const budget = (await runTrial(hard, data, { maxEpochs: 50, maxSeconds: 1e-9, evalsPerEpoch: 2, untilBudget: false }))!;
  assert.equal(budget.status, 'budget');
  const completed = (await runTrial(hard, data, { maxEpochs: 2, maxSeconds: 60, evalsPerEpoch: 2, untilBudget: false }))!;
  assert.deepEqual([completed.status, completed.steps, completed.metrics.length], ['completed', 60, 4]);
});

test('until-budget trials keep training past the target and still report when they first reached it', async () => {
  const cfg = { ...base, batchSize: 8, hyper: { lr: 0.1 }, targetAccuracy: 0.8 };
  const o = (await runTrial(cfg, data, { maxEpochs: 6, maxSeconds: 60, evalsPerEpoch: 2, untilBudget: true }))!;
  assert.equal(o.status, 'target-reached');
  assert.equal(o.steps, 6 * 30);
  assert.ok(o.stepsToTarget! < o.steps);
  assert.equal(o.metrics.find((m) => m.valAccuracy >= 0.8)!.step, o.stepsToTarget);
  assert.equal(o.bestValAccuracy, Math.max(...o.metrics.map((m) => m.valAccuracy)));
});

test('an interrupted trial is not a result', async () => {
  assert.equal(await runTrial({ ...base, batchSize: 8 }, data, { maxEpochs: 5, maxSeconds: 60, evalsPerEpoch: 2, untilBudget: false }, { shouldStop: () => true }), null);
});
