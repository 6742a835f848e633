/**
 * The adaptive run's bookkeeping, exactly: with the batch held it is the fixed-batch run; with
 * changes, examples, steps and epochs follow the rule replayed by hand; a run stopped and resumed
 * takes the same decisions and ends at the same weights; the memory cap holds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCheckpoint } from '../engine/checkpoint.js';
import { prepareTrainer } from '../engine/run.js';
import type { RunConfig } from '../engine/run-config.js';
import { trainLoop } from '../engine/train-loop.js';
import { resolveModel } from '../model/model.js';
import type { BatchChangeRow } from '../store/rows.js';
import { blobs } from '../testing/blobs.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';
import { runAdaptive, DECIDE_EVERY_EPOCHS, type AdaptiveOptions } from './run.js';
import { MAX_JUMP_RUNGS } from './schedule.js';
import { microBatchCap } from './setup.js';

const N = 600;
const data = blobs(N, 6, 3, 7);
/** Speed that grows with the batch, so that goodput moves up the ladder as B_noise grows. */
const curve = [
  { microBatch: 4, samplesPerSec: 100 },
  { microBatch: 64, samplesPerSec: 1600 },
];
const config = (over: Partial<RunConfig> = {}): RunConfig =>
  blobsRunConfig({ batchSize: 4, hyper: { lr: 0.02 }, epochs: 4, adaptive: { minBatch: 4, maxBatch: 64 }, ...over });
const run = (c: RunConfig, opts: AdaptiveOptions = {}, stopAfter?: number) => {
  let progress = 0;
  return runAdaptive(c, { data, curve, noiseBigMin: 64, ...opts }, stopAfter === undefined ? {} : { onProgress: () => progress++, shouldStop: () => progress >= stopAfter });
};
const tmp = () => mkdtempSync(join(tmpdir(), 'adaptive-'));
/** Two checkpoint folders, one for a run through and one for a run stopped and resumed, removed after. */
async function inTwoDirs(f: (whole: string, parts: string) => Promise<void>): Promise<void> {
  const whole = tmp();
  const parts = tmp();
  try {
    await f(whole, parts);
  } finally {
    rmSync(whole, { recursive: true, force: true });
    rmSync(parts, { recursive: true, force: true });
  }
}

test('with the batch held (a one-rung ladder), the adaptive run is the fixed-batch run, update for update', async () => {
  const held = await run(config({ batchSize: 8, adaptive: { minBatch: 8, maxBatch: 8 } }));
  const fixed = await prepareTrainer({ ...config(), batchSize: 8, adaptive: undefined }, data);
  try {
    const r = await trainLoop(fixed, { epochs: 4 });
    assert.equal(held.steps, r.steps);
    assert.equal(held.steps, 4 * Math.floor(N / 8));
    assert.equal(held.examples, held.steps * 8);
    assert.equal(held.epochs, 4);
    assert.equal(held.inStepUpdates, 0, 'no in-step statistics without a measured split');
    assert.deepEqual(held.changes.map((c) => c.reason), ['start'], 'one batch, one rate: nothing to change');
    assert.deepEqual(held.validation, r.validation, 'the same weights give the same validation');
  } finally {
    await fixed.release();
  }
});

/** Examples, epochs and each change's examples, replayed from the changes by the rule in run.ts's header. */
function replay(changes: readonly BatchChangeRow[], steps: number) {
  let epoch = 0;
  let offset = 0;
  let examples = 0;
  let batch = 0;
  const at: number[] = [];
  for (let s = 0; s < steps; s++) {
    const c = changes.find((x) => x.step === s && x.microBatch * x.iterSize !== batch);
    if (c) {
      batch = c.microBatch * c.iterSize;
      if (offset + batch > N) [epoch, offset] = [epoch + 1, 0];
    }
    for (let i = changes.filter((x) => x.step === s).length; i > 0; i--) at.push(examples);
    offset += batch;
    examples += batch;
    if (offset + batch > N) [epoch, offset] = [epoch + 1, 0];
  }
  return { examples, epochs: epoch + offset / N, at };
}

test('with changes: examples, steps and epochs are exact, and changes are at least the decision interval apart, at most MAX_JUMP_RUNGS rungs each', async () => {
  const r = await run(config());
  const c = r.changes;
  assert.ok(c.some((x) => x.reason.startsWith('goodput')), `the batch should grow: ${JSON.stringify(c)}`);
  const rungs = (i: number) => Math.log2((c[i]!.microBatch * c[i]!.iterSize) / (c[i - 1]!.microBatch * c[i - 1]!.iterSize));
  assert.ok(c.some((_, i) => i > 0 && rungs(i) > 1), `a decision here jumps more than one rung (8 → 64): ${JSON.stringify(c)}`);
  const want = replay(c, r.steps);
  assert.equal(r.examples, want.examples);
  assert.equal(r.epochs, want.epochs);
  assert.deepEqual(c.map((x) => x.examples), want.at);
  assert.equal(r.epochs, 4, 'the run ends with its last epoch');
  const interval = Math.round(N * DECIDE_EVERY_EPOCHS);
  for (let i = 1; i < c.length; i++) {
    assert.ok(c[i]!.examples - c[i - 1]!.examples >= interval, `changes ${i - 1} and ${i} are ${c[i]!.examples - c[i - 1]!.examples} examples apart`);
    const ratio = (c[i]!.microBatch * c[i]!.iterSize) / (c[i - 1]!.microBatch * c[i - 1]!.iterSize);
    assert.ok(Number.isInteger(Math.log2(ratio)) && Math.abs(Math.log2(ratio)) <= MAX_JUMP_RUNGS, `on the ladder, at most ${MAX_JUMP_RUNGS} rungs: ${ratio}`);
    assert.ok(Number.isFinite(c[i]!.bNoise) || c[i]!.bNoise === Infinity);
  }
});

test('a run stopped and resumed takes the same decisions and ends at the same weights as one run through', async () => {
  await inTwoDirs(async (whole, parts) => {
    const a = await run(config(), { saveDir: whole });
    const first = await run(config(), { saveDir: parts }, 6);
    assert.equal(first.status, 'interrupted');
    assert.ok(first.steps > 0 && first.steps < a.steps, `stopped midway: ${first.steps} of ${a.steps}`);
    const second = await run(config(), { saveDir: parts, resumeDir: parts });
    assert.equal(second.firstSeq, first.changes.length, 'numbering goes on');
    assert.ok(first.changes.length >= 2 && second.changes.length >= 1, `decisions before and after the stop, each on its own noise round: ${first.changes.length} and ${second.changes.length}`);
    assert.deepEqual([...first.changes, ...second.changes], a.changes);
    assert.equal(second.steps, a.steps);
    assert.equal(second.examples, a.examples);
    assert.equal(second.epochs, a.epochs);
    assert.deepEqual(second.final, a.final);
    assert.deepEqual(loadCheckpoint(parts).state.params, loadCheckpoint(whole).state.params);
  });
});

test('a checkpoint of the format before --auto-start (no startBatch: it started at its smallest rung) resumes as that run', async () => {
  await inTwoDirs(async (whole, parts) => {
    const a = await run(config(), { saveDir: whole });
    await run(config(), { saveDir: parts }, 6);
    // Rewrite it as format 3 wrote it: the same state, without the start batch.
    const file = join(parts, 'checkpoint.json');
    const meta = JSON.parse(readFileSync(file, 'utf8')) as { adaptive: { format: string; settings: Record<string, unknown> } };
    assert.equal(meta.adaptive.settings['startBatch'], 4);
    meta.adaptive.format = 'batchwise-adaptive-3';
    delete meta.adaptive.settings['startBatch'];
    writeFileSync(file, JSON.stringify(meta));
    const second = await run(config(), { saveDir: parts, resumeDir: parts });
    assert.deepEqual([second.steps, second.examples, second.epochs], [a.steps, a.examples, a.epochs]);
    assert.deepEqual(second.final, a.final);
    assert.deepEqual(loadCheckpoint(parts).state.params, loadCheckpoint(whole).state.params);
  });
});

test('started above its smallest rung, a run whose speed is flat shrinks below its start; its bookkeeping is exact and a resumed run repeats it', async () => {
  const flat = [
    { microBatch: 4, samplesPerSec: 1000 },
    { microBatch: 64, samplesPerSec: 1000 },
  ];
  const c = config({ batchSize: 32, adaptive: { minBatch: 4, maxBatch: 64 } });
  await inTwoDirs(async (whole, parts) => {
    const a = await run(c, { curve: flat, saveDir: whole });
    assert.deepEqual(a.changes[0], { step: 0, examples: 0, microBatch: 32, iterSize: 1, lr: 0.02, bNoise: NaN, reason: 'start' });
    assert.deepEqual([a.info.effectiveBatch, a.info.stepsPerEpoch], [32, Math.floor(N / 32)]);
    const down = a.changes.find((x) => x.reason === 'goodput: smaller');
    assert.ok(down !== undefined && down.microBatch * down.iterSize < 32, `the batch should shrink below 32: ${JSON.stringify(a.changes)}`);
    // The rate follows the noise rule from the starting batch and its rate.
    assert.ok(Math.abs(down.lr - (0.02 * (1 + down.bNoise / 32)) / (1 + down.bNoise / (down.microBatch * down.iterSize))) < 1e-12, `${down.lr}`);
    const want = replay(a.changes, a.steps);
    assert.deepEqual([a.examples, a.epochs], [want.examples, want.epochs]);
    assert.deepEqual(a.changes.map((x) => x.examples), want.at);
    const first = await run(c, { curve: flat, saveDir: parts }, 6);
    assert.equal(first.status, 'interrupted');
    const second = await run(c, { curve: flat, saveDir: parts, resumeDir: parts });
    assert.deepEqual([...first.changes, ...second.changes], a.changes);
    assert.deepEqual([second.steps, second.examples, second.epochs], [a.steps, a.examples, a.epochs]);
    assert.deepEqual(loadCheckpoint(parts).state.params, loadCheckpoint(whole).state.params);
  });
  await assert.rejects(run(config({ batchSize: 24, adaptive: { minBatch: 4, maxBatch: 64 } })), /--auto-start 24 is not a batch the run may take/);
  await assert.rejects(run(config({ batchSize: 1024, adaptive: { minBatch: 4, maxBatch: 4096 } })), { message: `--auto-start 1024 is larger than the ${N} training examples; use a smaller one` });
});

test('a memory budget caps the micro-batch; larger batches accumulate', async () => {
  const model = resolveModel(config().model, data.featureShape, data.numClasses);
  // Momentum keeps one slot: 4·123·(2 + 1) bytes fixed, 2·4·33 per example, 10% margin.
  assert.equal(microBatchCap(model, 1, 4000, 64), 8);
  assert.equal(microBatchCap(model, 1, undefined, 64), 64);
  const r = await run(config({ batchSize: 16, epochs: 2, adaptive: { minBatch: 16, maxBatch: 64, memoryBytes: 4000 } }));
  assert.deepEqual(r.changes[0], { step: 0, examples: 0, microBatch: 8, iterSize: 2, lr: 0.02, bNoise: NaN, reason: 'start' });
  assert.ok(r.changes.every((c) => c.microBatch <= 8), JSON.stringify(r.changes));
  assert.equal(r.examples, r.steps * 16, 'B = 8 × 2 throughout: no speed to gain above the cap');
  assert.throws(() => microBatchCap(model, 1, 1000, 64), /raise --memory/);
});

test('where splitting costs less than rounds, updates measure the noise themselves (micro-batch against accumulated), with no rounds, and a resumed run repeats the whole run', async () => {
  // +2.9% samples/s per doubling from 2, the statistics 0.5% of that: every batch runs as two micro-batches of half (autoSplit).
  const mild = [
    { microBatch: 2, samplesPerSec: 100, inStepSamplesPerSec: 99.5 },
    { microBatch: 64, samplesPerSec: 112, inStepSamplesPerSec: 111.44 },
  ];
  const opts = { curve: mild, noiseBigMin: 16 };
  await inTwoDirs(async (whole, parts) => {
    const a = await run(config(), { ...opts, saveDir: whole });
    const c = a.changes;
    assert.ok(c.length >= 2 && c.every((x) => x.iterSize === 2), `every batch splits in two: ${JSON.stringify(c)}`);
    assert.ok(c.slice(1).every((x) => Number.isFinite(x.bNoise) && x.bNoise > 0), 'decisions read B_noise from the round, then from in-step windows');
    assert.ok(a.noiseSeconds > 0, 'one noise round, at the start, for the first decision');
    assert.equal(a.inStepUpdates, a.steps, 'every update measured');
    assert.deepEqual([a.info.microBatch, a.info.iterSize, a.info.effectiveBatch], [2, 2, 4], 'the run says how its first batch runs');
    const saved = loadCheckpoint(whole).meta.adaptive as { schedule: { inStep: boolean; nextRoundStep: number } };
    assert.deepEqual([saved.schedule.inStep, saved.schedule.nextRoundStep], [true, Number.MAX_SAFE_INTEGER]);
    const first = await run(config(), { ...opts, saveDir: parts }, 8);
    assert.ok(first.status === 'interrupted' && first.examples < c[1]!.examples, `stopped before the first change: ${first.examples}`);
    const second = await run(config(), { ...opts, saveDir: parts, resumeDir: parts });
    assert.deepEqual([...first.changes, ...second.changes], a.changes, 'the window kept in the checkpoint carries on');
    assert.equal(second.examples, a.examples);
    assert.equal(second.inStepUpdates, a.inStepUpdates, 'counted over both sessions');
    assert.deepEqual(loadCheckpoint(parts).state.params, loadCheckpoint(whole).state.params);
  });
});
