/**
 * Batch norm in the engine: the batch-norm batch as a setting of its own (ghost batch norm), its
 * running statistics trained beside the parameters, saved, restored and exported.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import * as ort from 'onnxruntime-node';
import { buildInferenceModel } from '../compile/inference-model.js';
import type { DataSplits } from '../data/dataset.js';
import { UserError } from '../errors.js';
import { resolveModel } from '../model/model.js';
import { modelSpecSchema } from '../model/spec.js';
import { makeOptimizer } from '../optim/registry.js';
import { blobs } from '../testing/blobs.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { RunConfig } from './run-config.js';
import { Trainer } from './trainer.js';

// dense without bias: batch norm's β takes its place (a bias before batch norm has zero gradient).
const spec = modelSpecSchema.parse({
  layers: [{ type: 'dense', units: 12, bias: false }, { type: 'batchnorm' }, { type: 'relu' }, { type: 'dense', units: 3 }],
});
const constant = { kind: 'constant', warmupSteps: 0 } as const;
const data: DataSplits = blobs(200);

async function trainer(opt: string, microBatch: number, iterSize: number, bnBatch?: number) {
  const model = resolveModel(spec, data.featureShape, data.numClasses);
  return Trainer.create(model, makeOptimizer(opt, { lr: 0.05 }), data, { microBatch, iterSize, seed: 3, threads: 1, schedule: constant, bnBatch });
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))));
  return m;
}

// Not G = 2 with Adam: two values normalise to ±1 whatever the weights before them, so those
// gradients are float noise, which Adam's 1/√v scales up to full steps.
test('--bn-batch G: micro-batch m × iter-size K makes the same updates as one batch of m·K whenever G divides m (parameters and running statistics)', async () => {
  for (const [opt, m, K, G] of [['sgd', 8, 4, 4], ['momentum', 8, 4, 8], ['adam', 4, 8, 4]] as const) {
    const small = await trainer(opt, m, K, G);
    const big = await trainer(opt, m * K, 1, G);
    await small.runUpdates(5);
    await big.runUpdates(5);
    const d = maxDiff(small.state.params, big.state.params);
    assert.ok(d < 5e-6, `${opt} ${m}×${K}, G=${G}: max |Δθ| = ${d}`);
    const dr = maxDiff(small.state.buffers, big.state.buffers);
    assert.ok(dr < 5e-6, `${opt} ${m}×${K}, G=${G}: max |Δ running stats| = ${dr}`);
    const fresh = await trainer(opt, m * K, 1, G);
    assert.ok(maxDiff(small.state.params, fresh.state.params) > 1e-3, 'the updates moved the weights');
    assert.ok(maxDiff(small.state.buffers, fresh.state.buffers) > 1e-3, 'the updates moved the running statistics');
  }
});

test('without --bn-batch, micro-batch 8 × iter-size 4 is not the same update as one batch of 32: each micro-batch normalises over itself', async () => {
  const small = await trainer('sgd', 8, 4);
  const big = await trainer('sgd', 32, 1);
  await small.runUpdates(5);
  await big.runUpdates(5);
  assert.ok(maxDiff(small.state.params, big.state.params) > 1e-4, `max |Δθ| = ${maxDiff(small.state.params, big.state.params)}`);
  // ... and it is the same as one batch of 32 normalised in groups of 8.
  const ghost = await trainer('sgd', 32, 1, 8);
  await ghost.runUpdates(5);
  assert.ok(maxDiff(small.state.params, ghost.state.params) < 5e-6);
});

test('a --bn-batch that does not divide the micro-batch is refused, naming both', async () => {
  await assert.rejects(trainer('sgd', 8, 1, 3), (e: Error) => e instanceof UserError && /^--bn-batch 3 does not divide the micro-batch of 8 examples; use a divisor of 8/.test(e.message));
  await assert.rejects(trainer('sgd', 8, 1, 0), UserError);
});

test('running statistics: no optimizer state, saved and restored with the weights, resumed exactly, evaluated and exported with', async () => {
  const t = await trainer('adam', 16, 2);
  assert.equal(t.state.slots.length, t.model.params.length, 'optimizer slots only for the parameters');
  assert.deepEqual(t.model.buffers.map((b) => b.id), ['l1_running_mean', 'l1_running_var']);
  assert.deepEqual([...t.state.buffers[1]!].slice(0, 3), [1, 1, 1]);
  await t.runUpdates(3);
  const dir = mkdtempSync(join(tmpdir(), 'bw-bn-'));
  saveCheckpoint(dir, {} as RunConfig, t.snapshot(), data.normalization, Uint8Array.of(0));
  const loaded = loadCheckpoint(dir);
  loaded.state.buffers.forEach((b, i) => assert.deepEqual(b, t.state.buffers[i]));

  const resumed = await trainer('adam', 16, 2);
  resumed.restore(loaded.state);
  await resumed.runUpdates(2);
  await t.runUpdates(2);
  resumed.state.params.forEach((p, i) => assert.deepEqual(p, t.state.params[i]));
  resumed.state.buffers.forEach((b, i) => assert.deepEqual(b, t.state.buffers[i]));

  // Evaluation uses the running statistics: changing them changes the loss.
  const before = await t.evaluate(data.validation);
  const shifted = t.snapshot();
  shifted.buffers[0] = shifted.buffers[0]!.map((v) => v + 1);
  resumed.restore(shifted);
  assert.notEqual((await resumed.evaluate(data.validation)).loss, before.loss);

  // The exported model normalises with the same running statistics as evaluation.
  const session = await ort.InferenceSession.create(buildInferenceModel(t.model, t.state.params, data.normalization, t.state.buffers));
  const n = data.validation.count;
  const { mean, std } = data.normalization;
  const raw = data.validation.x.map((v, i) => v * std[i % std.length]! + mean[i % mean.length]!);
  const probs = (await session.run({ input: new ort.Tensor('float32', raw, [n, 6]) }))['probabilities']!.data as Float32Array;
  let nll = 0;
  for (let r = 0; r < n; r++) nll -= Math.log(probs[r * 3 + data.validation.y[r]!]!);
  assert.ok(Math.abs(nll / n - before.loss) < 1e-4, `exported ${nll / n} vs evaluated ${before.loss}`);
});
