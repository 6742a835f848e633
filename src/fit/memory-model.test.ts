import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveModel } from '../model/model.js';
import { PRESETS } from '../model/presets.js';
import { analyticActivationBytesPerSample, fitMemoryModel, largestBatchFor, memoryComponents, predictPeakBytes } from './memory-model.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);

test('points on a line give that line back, with r² 1', () => {
  const pts = [1, 2, 4, 8, 1024].map((b) => ({ batchSize: b, peakBytes: 5e6 + 3000 * b }));
  const m = fitMemoryModel(pts, 0);
  close(m.fixedBytes, 5e6, 'fixed');
  close(m.perSampleBytes, 3000, 'perSample');
  close(m.r2!, 1, 'r2');
  close(predictPeakBytes(m, 100), 5.3e6, 'predicted peak at 100');
});

test('least squares on scattered points: slope 17/5, intercept 6.5, r² 289/310', () => {
  const pts = [10, 14, 15, 21].map((p, i) => ({ batchSize: i + 1, peakBytes: p }));
  const m = fitMemoryModel(pts, 0);
  close(m.perSampleBytes, 3.4, 'slope');
  close(m.fixedBytes, 6.5, 'intercept');
  close(m.r2!, 289 / 310, 'r2');
});

test('one batch size: the slope is the fallback and the line passes through the point', () => {
  const m = fitMemoryModel([{ batchSize: 4, peakBytes: 1000 }, { batchSize: 4, peakBytes: 1200 }], 50);
  assert.deepEqual(m, { fixedBytes: 900, perSampleBytes: 50, r2: null });
});

test('equal peaks at several batch sizes: a flat line that explains them exactly', () => {
  assert.deepEqual(fitMemoryModel([1, 2, 3].map((b) => ({ batchSize: b, peakBytes: 7 })), 50), { fixedBytes: 7, perSampleBytes: 0, r2: 1 });
});

test('peaks that fall as B grows (RSS noise over a tiny model): no per-example cost, never a negative one', () => {
  const m = fitMemoryModel([{ batchSize: 1, peakBytes: 103 }, { batchSize: 2, peakBytes: 101 }, { batchSize: 4, peakBytes: 99 }], 50);
  assert.deepEqual(m, { fixedBytes: 101, perSampleBytes: 0, r2: 0 });
});

test('largestBatchFor: (1 − margin)·budget, capped at maxBatch, 0 when batch 1 does not fit', () => {
  const m = { fixedBytes: 1e6, perSampleBytes: 1000, r2: 1 };
  assert.equal(largestBatchFor(m, 2e6, 0.1, 5000), 800); // (1.8e6 − 1e6) / 1000
  assert.equal(largestBatchFor(m, 2e6, 0, 5000), 1000);
  assert.equal(largestBatchFor(m, 2e6, 0.1, 500), 500);
  assert.equal(largestBatchFor(m, 1_001_000, 0, 5000), 1);
  assert.equal(largestBatchFor(m, 1_000_999, 0, 5000), 0);
  assert.equal(largestBatchFor(m, 1e5, 0.1, 5000), 0);
  const flat = { fixedBytes: 1e6, perSampleBytes: 0, r2: 1 };
  assert.equal(largestBatchFor(flat, 2e6, 0.1, 5000), 5000);
  assert.equal(largestBatchFor(flat, 1e6, 0.1, 5000), 0);
});

test('analytic activations: float32 input and every layer output of one example', () => {
  const mlp = resolveModel(PRESETS['mlp']!, [784], 10);
  assert.equal(analyticActivationBytesPerSample(mlp), 4 * (784 + 512 + 512 + 512 + 512 + 10));
  const cnn = resolveModel(PRESETS['cnn']!, [1, 28, 28], 10);
  // conv 16×28×28, relu, pool 16×14×14, conv 32×14×14, relu, pool 32×7×7, flatten, dense 128, relu, dense 10
  assert.equal(analyticActivationBytesPerSample(cnn), 4 * (784 + 12544 + 12544 + 3136 + 6272 + 6272 + 1568 + 1568 + 128 + 128 + 10));
});

test('components: 4 bytes per parameter for weights, gradients and each optimizer slot; workspace is the remainder', () => {
  const mlp = resolveModel(PRESETS['mlp']!, [784], 10);
  const params = 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10;
  assert.equal(params, 669_706);
  const fitted = { fixedBytes: 60e6, perSampleBytes: 27_000, r2: 0.99 };
  assert.deepEqual(memoryComponents(mlp, 2, fitted), {
    parametersBytes: 4 * params,
    gradientsBytes: 4 * params,
    optimizerStateBytes: 8 * params,
    activationsBytesPerSample: 27_000,
    analyticActivationsBytesPerSample: 11_368,
    workspaceBytes: 60e6 - 16 * params,
  });
});
