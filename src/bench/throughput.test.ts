import test from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../errors.js';
import { PRESETS } from '../model/presets.js';
import { resolveModel } from '../model/model.js';
import type { DataSplits, Examples } from '../data/dataset.js';
import { benchRunConfig, checkBatchSizes, FLOPS_PER_MAC_TRAINING, measureThroughput, trainingGflops } from './throughput.js';

/** 40 random MNIST-shaped examples: a 5-update epoch at batch 8, so runs keep crossing epochs. */
function tinySplits(): DataSplits {
  const examples = (count: number): Examples => ({
    x: Float32Array.from({ length: count * 784 }, (_, i) => ((i * 7919) % 255) / 255 - 0.5),
    y: Int32Array.from({ length: count }, (_, i) => i % 10),
    count,
    featureShape: [784],
  });
  return { name: 'tiny', numClasses: 10, featureShape: [784], train: examples(40), validation: examples(10), test: examples(10), normalization: { mean: Float32Array.of(0), std: Float32Array.of(1) } };
}

test('trainingGflops = samples/s · 6 · MACs / 1e9', () => {
  assert.equal(FLOPS_PER_MAC_TRAINING, 6);
  const row = { samplesPerSec: 50_000, macsPerExample: 668_672 };
  assert.equal(trainingGflops(row.samplesPerSec, row.macsPerExample), (50_000 * 6 * 668_672) / 1e9);
  assert.ok(Math.abs(trainingGflops(row.samplesPerSec, row.macsPerExample) - 200.6016) < 1e-9);
});

test('the mlp preset is 784-512-512-10: 668,672 MACs per example', () => {
  assert.equal(resolveModel(PRESETS['mlp']!, [784], 10).macsPerExample, 784 * 512 + 512 * 512 + 512 * 10);
});

test('a batch size beyond the training split is a UserError naming it', () => {
  assert.doesNotThrow(() => checkBatchSizes([1, 55_000], 55_000));
  assert.throws(() => checkBatchSizes([1, 60_000, 70_000], 55_000), (e: unknown) => e instanceof UserError && /60000/.test(e.message) && /55000/.test(e.message));
});

test('benchRunConfig: SGD, iter-size 1, the given batch size and threads', () => {
  const c = benchRunConfig('cnn', 32, 3);
  assert.equal(c.optimizer, 'sgd');
  assert.equal(c.iterSize, 1);
  assert.equal(c.batchSize, 32);
  assert.equal(c.threads, 3);
  assert.equal(c.model, PRESETS['cnn']);
});

test('benchRunConfig and measureThroughput take another optimizer by name', async () => {
  assert.equal(benchRunConfig('mlp', 32, 1, 'adam').optimizer, 'adam');
  const r = await measureThroughput({ model: 'mlp', optimizer: 'adam', batchSize: 8, threads: 1, seconds: 0.05, runSeconds: 0.01, data: tinySplits() });
  assert.ok(r.updates >= 1 && Number.isFinite(r.samplesPerSec) && r.samplesPerSec > 0);
});

test('measureThroughput runs across epoch ends and reports consistent numbers', async () => {
  const r = await measureThroughput({ model: 'mlp', batchSize: 8, threads: 1, seconds: 0.05, runSeconds: 0.01, data: tinySplits() });
  assert.equal(r.batchSize, 8);
  assert.ok(r.updates >= 1 && r.runs >= 1);
  assert.ok(Number.isFinite(r.samplesPerSec) && r.samplesPerSec > 0);
  assert.ok(Math.abs(r.samplesPerSec - (r.updates * 8) / r.seconds) < 1e-6 * r.samplesPerSec);
  assert.equal(r.gflops, trainingGflops(r.samplesPerSec, r.macsPerExample));
});
