import assert from 'node:assert/strict';
import test from 'node:test';
import { buildGradModel } from '../compile/grad-model.js';
import type { DataSplits } from '../data/dataset.js';
import { UserError } from '../errors.js';
import { resolveModel } from '../model/model.js';
import { modelSpecSchema } from '../model/spec.js';
import { makeOptimizer } from '../optim/registry.js';
import { Rng } from '../rng.js';
import { blobs } from '../testing/blobs.js';
import { createSession, floatTensor, int64Tensor, runFloat } from './ort.js';
import { Trainer } from './trainer.js';

const spec = modelSpecSchema.parse({ layers: [{ type: 'dense', units: 12 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
const constant = { kind: 'constant', warmupSteps: 0 } as const;

async function trainer(data: DataSplits, optimizer: string, lr: number, microBatch: number, iterSize: number) {
  const model = resolveModel(spec, data.featureShape, data.numClasses);
  return Trainer.create(model, makeOptimizer(optimizer, { lr }), data, { microBatch, iterSize, seed: 3, threads: 1, schedule: constant });
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))));
  return m;
}

/** Mean gradient over the given examples, from the separately built gradient graph. */
async function referenceGrad(t: Trainer, ids: ArrayLike<number>): Promise<Float32Array[]> {
  const n = ids.length;
  const f = t.data.featureShape[0]!;
  const session = await createSession(buildGradModel(t.model, n), { threads: 1 });
  const x = new Float32Array(n * f);
  const y = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    x.set(t.data.train.x.subarray(ids[i]! * f, (ids[i]! + 1) * f), i * f);
    y[i] = BigInt(t.data.train.y[ids[i]!]!);
  }
  const feeds = { x: floatTensor(x, [n, f]), y: int64Tensor(y, [n]), ...Object.fromEntries(t.model.params.map((p, i) => [p.id, floatTensor(t.state.params[i]!, p.shape)])) };
  const out = await runFloat(session, feeds);
  return t.model.params.map((p) => out[`grad_${p.id}`]!);
}

const epochPerm = (t: Trainer, epoch: number) => Rng.derive(t.config.seed, 2, epoch).permutation(t.data.train.count);

test('iterSize: B=8 × K=4 gives the same updates as one batch of 32 (SGD, momentum, Adam)', async () => {
  const data = blobs(200);
  for (const opt of ['sgd', 'momentum', 'adam']) {
    const small = await trainer(data, opt, 0.05, 8, 4);
    const big = await trainer(data, opt, 0.05, 32, 1);
    assert.equal(small.stepsPerEpoch, 6);
    assert.equal(big.stepsPerEpoch, 6);
    await small.runUpdates(5);
    await big.runUpdates(5);
    const d = maxDiff(small.state.params, big.state.params);
    assert.ok(d < 2e-6, `${opt}: max |Δθ| = ${d}`);
    assert.ok(maxDiff(small.state.params, (await trainer(data, opt, 0.05, 32, 1)).state.params) > 1e-3, 'the updates moved the weights');
  }
});

test('one SGD update uses the mean gradient of exactly the B·K examples the epoch permutation names', async () => {
  const t = await trainer(blobs(200), 'sgd', 0.1, 5, 3);
  const before = t.snapshot().params;
  const g = await referenceGrad(t, epochPerm(t, 0).subarray(0, 15));
  await t.runUpdates(1);
  const expected = before.map((p, i) => p.map((v, j) => v - 0.1 * g[i]![j]!));
  assert.ok(maxDiff(t.state.params, expected) < 1e-6);
});

test('online learning (B=1): ten updates follow the per-example gradients in permutation order', async () => {
  const t = await trainer(blobs(90), 'sgd', 0.05, 1, 1);
  assert.equal(t.stepsPerEpoch, 90);
  const perm = epochPerm(t, 0);
  const shadow = await trainer(blobs(90), 'sgd', 0.05, 1, 1);
  let params = shadow.snapshot().params;
  for (let k = 0; k < 10; k++) {
    shadow.state = { ...shadow.state, params };
    const g = await referenceGrad(shadow, [perm[k]!]);
    params = params.map((p, i) => p.map((v, j) => v - 0.05 * g[i]![j]!));
  }
  const r = await t.runUpdates(10);
  assert.equal(r.losses.length, 10);
  assert.ok(maxDiff(t.state.params, params) < 1e-5);
});

test('full batch: one update per epoch with the gradient of the whole training split', async () => {
  const data = blobs(120);
  const t = await trainer(data, 'sgd', 0.2, 120, 1);
  assert.equal(t.stepsPerEpoch, 1);
  const g = await referenceGrad(t, Int32Array.from({ length: 120 }, (_, i) => i));
  const before = t.snapshot().params;
  await t.runUpdates(1);
  assert.equal(t.epoch, 1);
  assert.ok(maxDiff(t.state.params, before.map((p, i) => p.map((v, j) => v - 0.2 * g[i]![j]!))) < 1e-6);
});

test('iRprop+ trains full-batch and is refused for mini-batches', async () => {
  const data = blobs(150);
  const t = await trainer(data, 'irprop+', 0.01, 150, 1);
  const start = await t.evaluate(data.train);
  await t.runUpdates(1);
  for (let i = 0; i < 30; i++) await t.runUpdates(1);
  const end = await t.evaluate(data.train);
  assert.ok(end.loss < start.loss * 0.7, `loss ${start.loss} → ${end.loss}`);
  await assert.rejects(trainer(data, 'irprop+', 0.01, 30, 1), (e) => e instanceof UserError && /needs --batch-size full/.test(e.message));
});

test('a batch larger than the training split is refused with a clear message', async () => {
  await assert.rejects(trainer(blobs(50), 'sgd', 0.1, 20, 3), (e) => e instanceof UserError && /20 × iter-size 3 = 60 examples per update, but the training split has only 50/.test(e.message));
});

test('a NaN loss stops the run at that update and reports its step', async () => {
  const t = await trainer(blobs(200), 'sgd', 1e9, 10, 1);
  const r = await t.runUpdates(20);
  assert.ok(r.divergedAtStep !== null && r.divergedAtStep >= 1 && r.divergedAtStep <= 20, `divergedAtStep ${r.divergedAtStep}`);
  assert.equal(r.losses.length, r.divergedAtStep);
  assert.equal(t.state.step, r.divergedAtStep);
  assert.ok(!Number.isFinite(r.losses[r.losses.length - 1]!));
});

test('evaluation: accuracy and mean loss over the split, in chunks', async () => {
  const data = blobs(300);
  const t = await trainer(data, 'momentum', 0.05, 10, 1);
  const before = await t.evaluate(data.validation);
  for (let e = 0; e < 5; e++) await t.runUpdates(t.stepsLeftInEpoch);
  const after = await t.evaluate(data.validation);
  assert.ok(after.loss < before.loss);
  assert.ok(after.accuracy > 0.85, `accuracy ${after.accuracy}`);
  assert.equal(Math.round(after.accuracy * 60), after.accuracy * 60);
});

test('same seed, same thread count: the same weights bit for bit (2 threads)', async () => {
  const data = blobs(400);
  const model = resolveModel(spec, data.featureShape, data.numClasses);
  const make = () => Trainer.create(model, makeOptimizer('adam', { lr: 0.01 }), data, { microBatch: 16, iterSize: 2, seed: 8, threads: 2, schedule: constant });
  const [a, b] = [await make(), await make()];
  await a.runUpdates(12);
  await b.runUpdates(12);
  a.state.params.forEach((p, i) => assert.deepEqual(p, b.state.params[i]));
  const c = await Trainer.create(model, makeOptimizer('adam', { lr: 0.01 }), data, { microBatch: 16, iterSize: 2, seed: 9, threads: 2, schedule: constant });
  await c.runUpdates(12);
  assert.notDeepEqual(c.state.params[0], a.state.params[0]);
});

test('noise statistics: each update returns its micro-batch gradients’ mean |g_k + λθ|² and its accumulated |ḡ + λθ|², the update itself unchanged', async () => {
  const data = blobs(200);
  const model = resolveModel(spec, data.featureShape, data.numClasses);
  const make = (noiseStats: boolean) => Trainer.create(model, makeOptimizer('momentum', { lr: 0.05, weightDecay: 0.01 }), data, { microBatch: 5, iterSize: 4, seed: 3, threads: 1, schedule: constant, noiseStats });
  const [t, plain] = [await make(true), await make(false)];
  const perm = epochPerm(t, 0);
  const sq = (v: Float32Array[]) => v.reduce((a, x) => a + x.reduce((b, y) => b + y * y, 0), 0);
  const expected: { small: number; big: number }[] = [];
  for (let u = 0; u < 3; u++) {
    // The reference gradients at the weights before update u, λθ added by hand.
    const shadow = await make(false);
    shadow.state = { ...shadow.state, params: (u === 0 ? t.state.params : plain.state.params).map((p) => p.slice()) };
    const micro: Float32Array[][] = [];
    for (let k = 0; k < 4; k++) {
      const g = await referenceGrad(shadow, perm.subarray(u * 20 + k * 5, u * 20 + (k + 1) * 5));
      micro.push(g.map((x, i) => x.map((v, j) => v + 0.01 * shadow.state.params[i]![j]!)));
    }
    expected.push({ small: micro.reduce((a, g) => a + sq(g), 0) / 4, big: sq(micro[0]!.map((_, i) => micro[0]![i]!.map((_, j) => micro.reduce((a, g) => a + g[i]![j]!, 0) / 4))) });
    await shadow.release();
    if (u < 2) await plain.runUpdates(1);
  }
  const r = await t.runUpdates(3);
  assert.ok(r.noise !== undefined && r.noise.smallSq.length === 3 && r.noise.bigSq.length === 3);
  expected.forEach((e, u) => {
    assert.ok(Math.abs(r.noise!.smallSq[u]! - e.small) <= 1e-5 * e.small, `update ${u}: |g_k|² ${r.noise!.smallSq[u]} vs ${e.small}`);
    assert.ok(Math.abs(r.noise!.bigSq[u]! - e.big) <= 1e-5 * e.big, `update ${u}: |ḡ|² ${r.noise!.bigSq[u]} vs ${e.big}`);
    assert.ok(e.small > e.big * 1.05, 'four micro-batches of five average some noise away');
  });
  await plain.runUpdates(1);
  assert.ok(maxDiff(t.state.params, plain.state.params) < 1e-6, 'the statistics do not change the update');
  assert.equal((await plain.runUpdates(1)).noise, undefined);
});
