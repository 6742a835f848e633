import assert from 'node:assert/strict';
import test from 'node:test';
import { createSession, floatTensor, int64Tensor, runFloat, type Feeds } from '../engine/ort.js';
import { initParams, resolveModel, type ResolvedModel } from '../model/model.js';
import { modelSpecSchema } from '../model/spec.js';
import { Rng } from '../rng.js';
import { buildGradModel } from './grad-model.js';

/** The whole network with its loss: dL/dθ against central differences. */
async function checkModel(model: ResolvedModel, batch: number) {
  const session = await createSession(buildGradModel(model, batch), { threads: 1 });
  const rng = new Rng(5);
  const n = model.inputShape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: batch * n }, () => rng.normal());
  const classes = model.loss === 'softmax-cross-entropy';
  const y = classes
    ? int64Tensor(BigInt64Array.from({ length: batch }, (_, i) => BigInt(i % model.numClasses)), [batch])
    : floatTensor(Float32Array.from({ length: batch * model.numClasses }, () => rng.normal()), [batch, model.numClasses]);
  const params = initParams(model, 9);
  const feeds = (ps: Float32Array[]): Feeds => ({
    x: floatTensor(x, [batch, ...model.inputShape]),
    y,
    ...Object.fromEntries(model.params.map((p, i) => [p.id, floatTensor(ps[i]!, p.shape)])),
  });
  const base = await runFloat(session, feeds(params));
  assert.ok(base['loss']![0]! > 0);
  for (const [i, p] of model.params.entries()) {
    const grad = base[`grad_${p.id}`]!;
    const v = Float32Array.from(grad, () => rng.normal());
    const norm = Math.hypot(...v);
    const eps = 1e-2;
    const at = async (s: number) => {
      const ps = params.map((q, k) => (k === i ? q.map((o, j) => o + (s * eps * v[j]!) / norm) : q));
      return (await runFloat(session, feeds(ps)))['loss']![0]!;
    };
    const numeric = ((await at(1)) - (await at(-1))) / (2 * eps);
    const analytic = grad.reduce((a, gi, j) => a + (gi * v[j]!) / norm, 0);
    assert.ok(Math.abs(analytic) > 1e-4, `${p.id}: gradient ~0`);
    assert.ok(Math.abs(analytic - numeric) <= 2e-3 * Math.max(Math.abs(analytic), 0.05), `${p.id}: analytic ${analytic} vs numeric ${numeric}`);
  }
}

test('softmax cross-entropy + MLP: every parameter gradient matches finite differences', async () => {
  const spec = modelSpecSchema.parse({ layers: [{ type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
  await checkModel(resolveModel(spec, [6], 3), 5);
});

test('softmax cross-entropy + CNN (strided conv, pooling): every parameter gradient matches', async () => {
  const spec = modelSpecSchema.parse({
    input: 'image',
    layers: [
      { type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1 },
      { type: 'relu' },
      { type: 'maxpool2d', size: 2 },
      { type: 'flatten' },
      { type: 'dense', units: 4 },
    ],
  });
  await checkModel(resolveModel(spec, [2, 9, 9], 4), 3);
});

test('squared error + MLP with two outputs: every parameter gradient matches finite differences', async () => {
  const spec = modelSpecSchema.parse({ layers: [{ type: 'dense', units: 5 }, { type: 'relu' }, { type: 'dense', units: 2 }] });
  await checkModel(resolveModel(spec, [4], 2, 'squared-error'), 6);
});

test('squared error on a linear neuron without bias: the loss is ½·mean residual², the gradient Xᵀ(Xw − t)/B', async () => {
  const spec = modelSpecSchema.parse({ layers: [{ type: 'dense', units: 1, bias: false }] });
  const model = resolveModel(spec, [2], 1, 'squared-error');
  assert.deepEqual(model.params.map((p) => p.id), ['l0_W']);
  await checkModel(model, 3);
  const session = await createSession(buildGradModel(model, 3), { threads: 1 });
  const x = [1, 2, -1, 0.5, 3, -2];
  const t = [1, 0, -1];
  const w = [0.5, -0.25];
  const out = await runFloat(session, { x: floatTensor(Float32Array.from(x), [3, 2]), y: floatTensor(Float32Array.from(t), [3, 1]), l0_W: floatTensor(Float32Array.from(w), [2, 1]) });
  const r = [0, 1, 2].map((i) => x[2 * i]! * w[0]! + x[2 * i + 1]! * w[1]! - t[i]!);
  assert.ok(Math.abs(out['loss']![0]! - r.reduce((a, v) => a + v * v, 0) / 6) < 1e-6);
  [0, 1].forEach((j) => assert.ok(Math.abs(out['grad_l0_W']![j]! - r.reduce((a, v, i) => a + v * x[2 * i + j]!, 0) / 3) < 1e-6));
});
