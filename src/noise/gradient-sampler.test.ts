import assert from 'node:assert/strict';
import test from 'node:test';
import type { DataSplits } from '../data/dataset.js';
import { Trainer } from '../engine/trainer.js';
import { resolveModel } from '../model/model.js';
import { modelSpecSchema } from '../model/spec.js';
import { makeOptimizer } from '../optim/registry.js';
import { Rng } from '../rng.js';
import { blobs } from '../testing/blobs.js';
import { GradientSampler } from './gradient-sampler.js';
import { measureNoiseScale } from './measure.js';

const spec = modelSpecSchema.parse({ layers: [{ type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dense', units: 3 }] });

async function blobTrainer(data: DataSplits): Promise<Trainer> {
  const model = resolveModel(spec, data.featureShape, data.numClasses);
  return Trainer.create(model, makeOptimizer('sgd', { lr: 0.05 }), data, { microBatch: 10, iterSize: 1, seed: 4, threads: 1, schedule: { kind: 'constant', warmupSteps: 0 } });
}

/** Brute force over the whole split: G = mean g_n and tr Σ = mean |g_n − G|², per-example gradients at batch 1. */
async function exact(t: Trainer): Promise<{ gradSq: number; traceSigma: number }> {
  const one = await GradientSampler.create(t.model, t.data.train, 1, 1);
  const n = t.data.train.count;
  const per: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const { grads } = await one.gradient(t.state.params, [i]);
    per.push(Float64Array.from(grads.flatMap((g) => [...g])));
  }
  await one.release();
  const G = new Float64Array(per[0]!.length);
  for (const g of per) g.forEach((v, j) => (G[j]! += v / n));
  const traceSigma = per.reduce((a, g) => a + g.reduce((b, v, j) => b + (v - G[j]!) ** 2, 0), 0) / n;
  return { gradSq: G.reduce((a, v) => a + v * v, 0), traceSigma };
}

test('a round: |G_big|² is the squared norm of the gradient of all B_big examples at once, |G_small|² the mean over micro-batches', async () => {
  const t = await blobTrainer(blobs(120));
  const small = await GradientSampler.create(t.model, t.data.train, 4, 1);
  const big = await GradientSampler.create(t.model, t.data.train, 32, 1);
  const r = await small.round(t.state.params, 8, new Rng(21));
  // The same draws: 8 micro-batches of 4 consecutive rng.int(N) calls.
  const rng = new Rng(21);
  const ids = Array.from({ length: 32 }, () => rng.int(120));
  const whole = await big.gradient(t.state.params, ids);
  const wholeSq = whole.grads.reduce((a, g) => a + g.reduce((b, v) => b + v * v, 0), 0);
  assert.equal(r.bBig, 32);
  assert.ok(Math.abs(r.bigSq - wholeSq) <= 1e-5 * wholeSq, `${r.bigSq} vs ${wholeSq}`);
  assert.ok(Math.abs(r.loss - whole.loss) <= 1e-5 * whole.loss, `loss ${r.loss} vs ${whole.loss}`);
  let smallSq = 0;
  for (let m = 0; m < 8; m++) smallSq += (await small.gradient(t.state.params, ids.slice(4 * m, 4 * m + 4))).grads.reduce((a, g) => a + g.reduce((b, v) => b + v * v, 0), 0) / 8;
  assert.ok(Math.abs(r.smallSq - smallSq) <= 1e-6 * smallSq);
  assert.ok(r.smallSq > r.bigSq * 1.2, 'noise makes small batches longer');
  await Promise.all([small.release(), big.release(), t.release()]);
});

/**
 * Tolerances: over these 300 rounds the standard error of the mean |G|² is 1.3% at step 0 and
 * 2.4% at step 20, of tr Σ 1.6% and 2.4% (from the rounds' spread), so 8% is over 3 standard
 * errors. At step 120 B_simple ≈ 89 is well above B_big = 32 and |G|² has a 12% standard error,
 * so there only the interval is checked: it must cover the exact value and be visibly wider.
 */
test('on the ONNX gradient model, the estimate agrees with the exact full-data |G|² and tr Σ (sampling with replacement)', async () => {
  const t = await blobTrainer(blobs(240));
  const widths: number[] = [];
  for (const updates of [0, 20, 120]) {
    while (t.state.step < updates) await t.runUpdates(Math.min(updates - t.state.step, t.stepsLeftInEpoch));
    const truth = await exact(t);
    const m = await measureNoiseScale(t, { bSmall: 4, bBig: 32, rounds: 300, seed: 8 });
    const bSimple = truth.traceSigma / truth.gradSq;
    const msg = `after ${updates} updates: measured |G|² ${m.gradSq}, tr Σ ${m.traceSigma}, B ${m.bSimple} [${m.bSimpleLow}, ${m.bSimpleHigh}]; exact ${truth.gradSq}, ${truth.traceSigma}, ${bSimple}`;
    assert.equal(m.step, updates);
    assert.ok(m.bSimpleLow <= bSimple && bSimple <= m.bSimpleHigh, msg);
    widths.push((m.bSimpleHigh - m.bSimpleLow) / m.bSimple);
    if (updates === 120) continue;
    assert.ok(Math.abs(m.gradSq / truth.gradSq - 1) < 0.08, msg);
    assert.ok(Math.abs(m.traceSigma / truth.traceSigma - 1) < 0.08, msg);
  }
  assert.ok(widths[2]! > 2 * widths[1]!, `relative widths ${widths.join(', ')}`);
  await t.release();
});

test('with weight decay λ each sampled gradient is g + λθ, as training steps on: tr Σ is unchanged, |G|² is that of g + λθ', async () => {
  const data = blobs(120);
  const model = resolveModel(spec, data.featureShape, data.numClasses);
  const lambda = 0.5;
  const make = (weightDecay: number) =>
    Trainer.create(model, makeOptimizer('sgd', { lr: 0.05, weightDecay }), data, { microBatch: 10, iterSize: 1, seed: 4, threads: 1, schedule: { kind: 'constant', warmupSteps: 0 } });
  const [plain, decayed] = await Promise.all([make(0), make(lambda)]);
  const theta = plain.state.params;
  const raw = await GradientSampler.create(model, data.train, 4, 1);
  const withDecay = await GradientSampler.create(model, data.train, 4, 1, lambda);
  const ids = [3, 17, 42, 99];
  const [a, b] = await Promise.all([raw.gradient(theta, ids), withDecay.gradient(theta, ids)]);
  assert.equal(b.loss, a.loss, 'the loss is the data loss, without the penalty');
  a.grads.forEach((g, pi) => g.forEach((v, j) => assert.ok(Math.abs(b.grads[pi]![j]! - (v + lambda * theta[pi]![j]!)) <= 1e-6, `param ${pi}[${j}]`)));

  // The noise meter takes λ from the trainer's optimizer; same parameters, same draws.
  const o = { bSmall: 4, bBig: 32, rounds: 32, seed: 8 };
  const [m0, m1] = [await measureNoiseScale(plain, o), await measureNoiseScale(decayed, o)];
  assert.ok(Math.abs(m1.traceSigma / m0.traceSigma - 1) < 1e-4, `tr Σ ${m1.traceSigma} vs ${m0.traceSigma}`);
  // |G + λθ|² exactly, from the full-data gradient G: the estimate must find it, not |G|².
  const truth = await exact(plain);
  const thetaSq = theta.reduce((s, p) => s + p.reduce((t, v) => t + v * v, 0), 0);
  const full = await GradientSampler.create(model, data.train, 120, 1);
  const G = (await full.gradient(theta, Array.from({ length: 120 }, (_, i) => i))).grads;
  const cross = G.reduce((s, g, pi) => s + g.reduce((t, v, j) => t + v * theta[pi]![j]!, 0), 0);
  const decayedSq = truth.gradSq + 2 * lambda * cross + lambda * lambda * thetaSq;
  assert.ok(decayedSq > 1.5 * truth.gradSq, `λθ changes |G|² clearly here: ${decayedSq} vs ${truth.gradSq}`);
  // The same draws with and without λθ: the difference is 2λθ·Ḡ + λ²|θ|² with Ḡ the draws' mean
  // gradient, whatever the noise in their |G|²; Ḡ ≠ G puts it 2.3% from the exact value here.
  const shift = 2 * lambda * cross + lambda * lambda * thetaSq;
  assert.ok(Math.abs((m1.gradSq - m0.gradSq) / shift - 1) < 0.05, `|G + λθ|² − |G|² measured ${m1.gradSq - m0.gradSq}, exact ${shift} (|G|² ${m0.gradSq} vs exact ${truth.gradSq})`);
  assert.ok(Math.abs(m1.bSimple - m1.traceSigma / m1.gradSq) < 1e-9 * m1.bSimple);
  await Promise.all([raw.release(), withDecay.release(), full.release(), plain.release(), decayed.release()]);
});
