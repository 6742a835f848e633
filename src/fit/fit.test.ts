import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../errors.js';
import { FIT_CLASSES, FIT_FEATURES, FIT_HIDDEN, FIT_TRAIN, syntheticSplits, wideConfig } from '../testing/fit-fixtures.js';
import { decideLargest, fitMemory } from './fit.js';
import type { ProbeRecord, SearchResult } from './search.js';

const GIB = 2 ** 30;
const rec = (batchSize: number, fits: boolean): ProbeRecord => ({ batchSize, fits, ok: true, peakBytes: 1000 * batchSize, reason: null, seconds: 0 });
const search = (largest: number): SearchResult => ({ largest, probes: [rec(largest, true), rec(largest + 1, false)] });
const line = { fixedBytes: 100e6, perSampleBytes: 1e6, r2: 1 };

test('decideLargest: the probed answer when the whole budget was probed or maxBatch fit', () => {
  assert.deepEqual(decideLargest(search(700), line, { budgetBytes: 1e9, probeLimitBytes: 1e9, margin: 0.1, maxBatch: 5000 }), { largestBatch: 700, probed: true });
  assert.deepEqual(decideLargest(search(5000), line, { budgetBytes: 16e9, probeLimitBytes: 1e9, margin: 0.1, maxBatch: 5000 }), { largestBatch: 5000, probed: true });
});

test('decideLargest: a budget above what was probed is answered from the line, not below what fit', () => {
  // (0.9 · 16e9 − 100e6) / 1e6 = 14300
  assert.deepEqual(decideLargest(search(700), line, { budgetBytes: 16e9, probeLimitBytes: 1e9, margin: 0.1, maxBatch: 55000 }), { largestBatch: 14300, probed: false });
  assert.deepEqual(decideLargest(search(700), line, { budgetBytes: 16e9, probeLimitBytes: 1e9, margin: 0.1, maxBatch: 9000 }), { largestBatch: 9000, probed: false });
  // A line that underestimates what was probed does not lower the answer.
  const steep = { fixedBytes: 100e6, perSampleBytes: 50e6, r2: 0.5 };
  assert.deepEqual(decideLargest(search(700), steep, { budgetBytes: 2e9, probeLimitBytes: 1e9, margin: 0.1, maxBatch: 55000 }), { largestBatch: 700, probed: false });
});

test('fitMemory on real child processes: probes 1, 2, 4, 8 up to maxBatch, and the counted components', async () => {
  const seen: number[] = [];
  const r = await fitMemory(wideConfig, { budgetBytes: 1 * GIB, maxBatch: 8, data: syntheticSplits(), onProbe: (p) => seen.push(p.batchSize) });
  assert.deepEqual(seen, [1, 2, 4, 8]);
  assert.deepEqual(r.probes.map((p) => [p.batchSize, p.ok, p.fits, p.reason]), [1, 2, 4, 8].map((b) => [b, true, true, null]));
  assert.ok(r.probes.every((p) => p.peakBytes! > 0 && p.peakBytes! < 0.9 * GIB));
  assert.deepEqual([r.largestBatch, r.probed, r.maxBatch, r.margin, r.budgetBytes], [8, true, 8, 0.1, GIB]);
  const params = FIT_FEATURES * FIT_HIDDEN + FIT_HIDDEN + FIT_HIDDEN * FIT_CLASSES + FIT_CLASSES;
  assert.equal(r.parameters, params);
  assert.deepEqual([r.trainExamples, r.fullBatchSize], [FIT_TRAIN, FIT_TRAIN]);
  const c = r.components;
  assert.deepEqual([c.parametersBytes, c.gradientsBytes, c.optimizerStateBytes], [4 * params, 4 * params, 4 * params]); // momentum: one slot
  assert.equal(c.analyticActivationsBytesPerSample, 4 * (FIT_FEATURES + FIT_HIDDEN + FIT_HIDDEN + FIT_CLASSES));
  assert.equal(c.activationsBytesPerSample, r.model.perSampleBytes);
  assert.equal(c.workspaceBytes, r.model.fixedBytes - 12 * params);
  assert.ok(r.model.r2 !== null && r.model.r2 >= 0 && r.model.r2 <= 1);
  assert.equal(r.fullBatchPeakBytes, r.model.fixedBytes + r.model.perSampleBytes * FIT_TRAIN);
});

test('fitMemory: a budget too small for a micro-batch of 1 is a UserError naming the budget', async () => {
  await assert.rejects(fitMemory(wideConfig, { budgetBytes: 2 ** 20, data: syntheticSplits() }), (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    const over = /^even a micro-batch of 1 needs more than 1\.0 MiB of training memory; raise --memory$/;
    const overLimit = /^even a micro-batch of 1 needs [\d.]+ [KM]iB of training memory, more than the 921\.6 KiB that 1\.0 MiB less the 10% margin allows; raise --memory$/;
    assert.ok(over.test(e.message) || overLimit.test(e.message), e.message);
    return true;
  });
});

test('fitMemory: bad margins and budgets are refused before any probe', async () => {
  await assert.rejects(fitMemory(wideConfig, { budgetBytes: GIB, margin: 1, data: syntheticSplits() }), /^UserError: the safety margin must be in \[0, 1\), got 1$/);
  await assert.rejects(fitMemory(wideConfig, { budgetBytes: 0, data: syntheticSplits() }), /^UserError: the memory budget must be at least 1 byte, got 0$/);
});
