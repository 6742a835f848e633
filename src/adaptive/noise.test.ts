/**
 * The adaptive run's noise round against brute force: the squared norms it feeds the two-batch
 * estimator are those of the micro-batch gradients and of their mean (the accumulated gradient),
 * computed here from per-example gradients one at a time. And the rounds as planned and pooled
 * against a known noise scale.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initParams, resolveModel } from '../model/model.js';
import { estimateFromPair } from '../noise/estimator.js';
import { GradientSampler } from '../noise/gradient-sampler.js';
import { Rng } from '../rng.js';
import { blobs } from '../testing/blobs.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';
import { NOISE_BIG_MIN, noisePlan, type ThroughputPoint } from './goodput.js';
import { addRound, bNoiseOf, initialSchedule, windowExamples, type AdaptiveSettings } from './schedule.js';

test('a round’s |G_small|² and |G_big|² are the micro-batch gradients’ mean squared norm and their mean’s, per-example gradients summed by hand', async () => {
  const data = blobs(200, 6, 3, 3);
  const model = resolveModel(blobsRunConfig().model, data.featureShape, data.numClasses);
  const params = initParams(model, 5);
  // Eight micro-batches of 8: the run's plans take more and larger ones (≥ 1,024 examples), through the same code.
  const plan = { bSmall: 8, k: 8 };
  const sampler = await GradientSampler.create(model, data.train, plan.bSmall, 1);
  const single = await GradientSampler.create(model, data.train, 1, 1);
  try {
    const round = await sampler.round(params, plan.k, Rng.derive(1, 0x6164, 0));
    // The same draws: k micro-batches of bSmall ids, with replacement, in order.
    const rng = Rng.derive(1, 0x6164, 0);
    const micro: Float64Array[] = [];
    for (let m = 0; m < plan.k; m++) {
      let sum: Float64Array | null = null;
      for (let i = 0; i < plan.bSmall; i++) {
        const g = (await single.gradient(params, [rng.int(data.train.count)])).grads.flatMap((t) => [...t]);
        sum ??= new Float64Array(g.length);
        g.forEach((v, j) => (sum![j] += v / plan.bSmall));
      }
      micro.push(sum!);
    }
    const sq = (v: ArrayLike<number>) => Array.from(v).reduce((a, x) => a + x * x, 0);
    const smallSq = micro.reduce((a, g) => a + sq(g), 0) / plan.k;
    const mean = micro[0]!.map((_, j) => micro.reduce((a, g) => a + g[j]!, 0) / plan.k);
    const bigSq = sq(mean);
    assert.ok(Math.abs(round.smallSq - smallSq) <= 1e-5 * smallSq, `${round.smallSq} vs ${smallSq}`);
    assert.ok(Math.abs(round.bigSq - bigSq) <= 1e-5 * bigSq, `${round.bigSq} vs ${bigSq}`);
    const e = estimateFromPair(round);
    assert.ok(Math.abs(e.traceSigma - (smallSq - bigSq) / (1 / 8 - 1 / 64)) <= 1e-4 * Math.abs(e.traceSigma));
    assert.ok(round.smallSq > round.bigSq, 'averaging eight micro-batches removes noise');
  } finally {
    await sampler.release();
    await single.release();
  }
});

/**
 * Per-example gradients g = G + ξ in d = 64 dimensions, Cov ξ = Σ = diag(λ), λ_j ∝ 1/√(j + 1) with
 * tr Σ = 1,000·|G|², so B_noise = 1,000: the scale MNIST's mlp reaches within its first epoch
 * (README, `noise`). A micro-batch mean of b such gradients is G + N(0, Σ/b), drawn here exactly.
 */
function syntheticRound(bSmall: number, k: number, rng: Rng) {
  const d = 64;
  const G = Array.from({ length: d }, (_, j) => (j % 2 === 0 ? 1 : -1) / Math.sqrt(d));
  const h = Array.from({ length: d }, (_, j) => 1 / Math.sqrt(j + 1));
  const lambda = h.map((x) => (1000 * x) / h.reduce((a, y) => a + y, 0));
  const sum = new Float64Array(d);
  let smallSq = 0;
  for (let m = 0; m < k; m++) {
    for (let j = 0; j < d; j++) {
      const g = G[j]! + Math.sqrt(lambda[j]! / bSmall) * rng.normal();
      smallSq += (g * g) / k;
      sum[j] += g / k;
    }
  }
  return { bSmall, bBig: bSmall * k, smallSq, bigSq: sum.reduce((a, x) => a + x * x, 0) };
}

test('the rounds as planned at B = 32 recover a known B_noise of 1,000 (median within 10%, 80% within 2×) where update-sized rounds (B_big = 32, the old plan) do not', () => {
  const curve: ThroughputPoint[] = [{ microBatch: 32, samplesPerSec: 1000 }];
  const settings: AdaptiveSettings = { ladder: [32, 64, 128], microCap: 32, lr0: 0.01, curve, decideEveryExamples: 100, noiseBigMin: NOISE_BIG_MIN };
  const plan = noisePlan(32, 32, curve, 32);
  assert.deepEqual([plan.bSmall, plan.k], [32, 32], 'B_big = 1,024');
  const within2 = (b: number) => b >= 500 && b <= 2000;
  const pooled: number[] = [];
  const old: number[] = [];
  for (let t = 0; t < 40; t++) {
    let state = initialSchedule(settings).state;
    const rng = Rng.derive(3, t);
    for (let r = 0; r < 3; r++) state = addRound(state, estimateFromPair(syntheticRound(plan.bSmall, plan.k, rng)), r, settings);
    pooled.push(bNoiseOf(state.noise));
    // The old plan: rounds of 4 micro-batches of 8 (B_big = 32), |G|² and tr Σ each an EMA (decay 0.8) as the run smoothed them; ten rounds span the EMA's memory.
    let g = 0;
    let tr = 0;
    for (let r = 0; r < 10; r++) {
      const e = estimateFromPair(syntheticRound(8, 4, rng));
      g = 0.8 * g + e.gradSq;
      tr = 0.8 * tr + e.traceSigma;
    }
    old.push(g > 0 ? tr / g : Infinity);
  }
  const median = [...pooled].sort((a, b) => a - b)[20]!;
  assert.ok(Math.abs(median / 1000 - 1) <= 0.1, `median ${median}`);
  assert.ok(pooled.filter(within2).length >= 32, `within 2×: ${pooled.filter(within2).length} of 40 (${pooled.map(Math.round).join(' ')})`);
  assert.ok(old.filter(within2).length <= 10, `the old plan within 2×: ${old.filter(within2).length} of 40`);
});

test('in-step windows (two micro-batches of 32 per update of 64) as long as windowExamples asks recover B_noise = 1,000 as well as rounds do; windows of one round’s examples do not', () => {
  const s = { noiseBigMin: NOISE_BIG_MIN };
  const need = windowExamples({ batch: 64, microBatch: 32 }, s);
  assert.equal(need, Math.ceil((1024 * 1024) / 32), 'T²/b with T = max(1,024, 8·64)');
  const window = (examples: number, rng: Rng) => {
    let gradSq = 0;
    let trace = 0;
    for (let u = 0; u < examples / 64; u++) {
      const e = estimateFromPair(syntheticRound(32, 2, rng));
      gradSq += e.gradSq;
      trace += e.traceSigma;
    }
    return gradSq > 0 ? trace / gradSq : Infinity;
  };
  const within2 = (b: number) => b >= 500 && b <= 2000;
  const full: number[] = [];
  const short: number[] = [];
  for (let t = 0; t < 40; t++) {
    full.push(window(need, Rng.derive(4, t)));
    short.push(window(1024, Rng.derive(5, t)));
  }
  const median = [...full].sort((a, b) => a - b)[20]!;
  assert.ok(Math.abs(median / 1000 - 1) <= 0.1, `median ${median}`);
  assert.ok(full.filter(within2).length >= 32, `within 2×: ${full.filter(within2).length} of 40 (${full.map(Math.round).join(' ')})`);
  assert.ok(short.filter(within2).length <= 24, `windows of 1,024 examples within 2×: ${short.filter(within2).length} of 40`);
});
