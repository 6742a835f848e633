import assert from 'node:assert/strict';
import test from 'node:test';
import { UserError } from '../errors.js';
import { Rng } from '../rng.js';
import { checkBatchPair, estimateFromPair, fieller, NoiseSmoother, summarize, tQuantile, type NoiseEstimate } from './estimator.js';

const close = (actual: number, expected: number, rel: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (±${rel * 100}%)`);

test('estimateFromPair inverts E|G_B|² = |G|² + tr(Σ)/B exactly', () => {
  const gradSq = 0.37;
  const traceSigma = 52.5;
  const e = estimateFromPair({ bSmall: 8, bBig: 128, smallSq: gradSq + traceSigma / 8, bigSq: gradSq + traceSigma / 128 });
  close(e.gradSq, gradSq, 1e-12, '|G|²');
  close(e.traceSigma, traceSigma, 1e-12, 'tr Σ');
});

test('the smoother is the bias-corrected EMA for decay < 1 and the plain mean for decay 1', () => {
  const xs: NoiseEstimate[] = [3, 5, 4, 10].map((t, i) => ({ traceSigma: t, gradSq: i + 1 }));
  const beta = 0.8;
  let m = 0;
  for (const x of xs) m = beta * m + (1 - beta) * x.traceSigma;
  const ema = m / (1 - beta ** xs.length);
  close(summarize(xs, beta).traceSigma, ema, 1e-12, 'EMA tr Σ');
  const mean = summarize(xs);
  assert.equal(mean.traceSigma, 22 / 4);
  assert.equal(mean.gradSq, 10 / 4);
  assert.equal(mean.bSimple, 22 / 10);
  assert.equal(mean.rounds, 4);
  assert.equal(summarize(xs, 0).traceSigma, 10, 'decay 0 keeps only the last round');
});

test("Student's t quantile (Cornish–Fisher) against tables, 95th percentile", () => {
  const z = 1.6448536269514722;
  close(tQuantile(z, 2), 2.919986, 3e-3, 'ν=2');
  close(tQuantile(z, 5), 2.015048, 1e-4, 'ν=5');
  close(tQuantile(z, 15), 1.753050, 1e-5, 'ν=15');
  close(tQuantile(z, 1e9), z, 1e-9, 'ν=∞');
});

test('Fieller interval: a clear denominator gives a finite interval around T/G; a noisy one an open-ended one', () => {
  const [lo, hi] = fieller(100, 2, 25, 0.04, 0, 1.645);
  assert.ok(lo < 50 && 50 < hi && hi < 70 && lo > 35, `${lo}..${hi}`);
  const [lo2, hi2] = fieller(100, 0.1, 25, 0.04, 0, 1.645);
  assert.equal(hi2, Infinity);
  close(lo2, (100 - 1.645 * 5) / (0.1 + 1.645 * 0.2), 1e-12, 'fallback lower bound');
  assert.equal(summarize([{ traceSigma: 5, gradSq: -1 }, { traceSigma: 6, gradSq: -2 }]).bSimple, Infinity);
});

test('batch pairs that the estimator cannot use are refused with the fix', () => {
  assert.throws(() => checkBatchPair(0, 32), (e) => e instanceof UserError && /bSmall must be a whole number ≥ 1, got 0/.test(e.message));
  assert.throws(() => checkBatchPair(32, 48), (e) => e instanceof UserError && /multiple of bSmall 32 .*e\.g\. 512.*got 48/.test(e.message));
  assert.throws(() => checkBatchPair(32, 32), UserError);
  assert.throws(() => new NoiseSmoother(1.5), (e) => e instanceof UserError && /decay must be in \[0, 1\], got 1.5/.test(e.message));
  assert.doesNotThrow(() => checkBatchPair(32, 512));
});

/**
 * Linear regression with Gaussian noise: x ~ N(0, I_d), y = w*·x + ε, ε ~ N(0, σ²), loss
 * ½(w·x − y)². At w = w* + Δ the per-example gradient is g = (Δ·x − ε)x, so G = E[g] = Δ and,
 * by Isserlis, E[(Δ·x)² xxᵀ] = |Δ|²I + 2ΔΔᵀ, hence Σ = (|Δ|² + σ²)I + ΔΔᵀ and
 * tr Σ = d(|Δ|² + σ²) + |Δ|².
 */
function linearRegression(d: number, delta: number[], sigma: number, rng: Rng) {
  const x = new Float64Array(d);
  return {
    gradSq: delta.reduce((a, v) => a + v * v, 0),
    traceSigma: d * (delta.reduce((a, v) => a + v * v, 0) + sigma * sigma) + delta.reduce((a, v) => a + v * v, 0),
    /** Mean gradient of b fresh examples. */
    batchGradient(b: number): Float64Array {
      const g = new Float64Array(d);
      for (let n = 0; n < b; n++) {
        let r = -sigma * rng.normal();
        for (let j = 0; j < d; j++) {
          x[j] = rng.normal();
          r += delta[j]! * x[j]!;
        }
        for (let j = 0; j < d; j++) g[j]! += (r * x[j]!) / b;
      }
      return g;
    },
  };
}

/** A round as the sampler makes it: k micro-batches at bSmall, the big batch their mean. */
function round(lr: ReturnType<typeof linearRegression>, bSmall: number, k: number): NoiseEstimate {
  const d = lr.batchGradient(1).length;
  const sum = new Float64Array(d);
  let smallSq = 0;
  for (let i = 0; i < k; i++) {
    const g = lr.batchGradient(bSmall);
    g.forEach((v, j) => {
      smallSq += v * v;
      sum[j]! += v;
    });
  }
  const bigSq = sum.reduce((a, v) => a + (v / k) ** 2, 0);
  return estimateFromPair({ bSmall, bBig: k * bSmall, smallSq: smallSq / k, bigSq });
}

test('linear regression with Gaussian noise: |G|², tr Σ and B_simple match the closed form, and the interval covers it', () => {
  const lr = linearRegression(10, [0.6, -0.3, 0.5, 0, 0.2, -0.4, 0.1, 0.3, -0.2, 0.1], 1.5, new Rng(11));
  // |Δ|² = 1.05, tr Σ = 10·(1.05 + 2.25) + 1.05 = 34.05, B_simple ≈ 32.4.
  close(lr.traceSigma, 34.05, 1e-12, 'closed form');
  const s = summarize(Array.from({ length: 3000 }, () => round(lr, 4, 16)));
  // Standard errors here: |G|² ~1%, tr Σ ~0.3%, B_simple ~0.9%; the tolerances are ~3 of them.
  close(s.gradSq, lr.gradSq, 0.03, '|G|²');
  close(s.traceSigma, lr.traceSigma, 0.01, 'tr Σ');
  const truth = lr.traceSigma / lr.gradSq;
  close(s.bSimple, truth, 0.03, 'B_simple');
  assert.ok(s.bSimpleLow <= truth && truth <= s.bSimpleHigh, `90% interval ${s.bSimpleLow}..${s.bSimpleHigh} misses ${truth}`);
  assert.ok(s.bSimpleHigh - s.bSimpleLow < 0.1 * truth, 'and is narrow after 3000 rounds');
});

test('the 90% interval covers the true B_simple in about 90% of short measurements (10 rounds each)', () => {
  const lr = linearRegression(10, [0.6, -0.3, 0.5, 0, 0.2, -0.4, 0.1, 0.3, -0.2, 0.1], 1.5, new Rng(12));
  const truth = lr.traceSigma / lr.gradSq;
  const trials = 400;
  let covered = 0;
  for (let t = 0; t < trials; t++) {
    const s = summarize(Array.from({ length: 10 }, () => round(lr, 4, 16)));
    if (s.bSimpleLow <= truth && truth <= s.bSimpleHigh) covered++;
  }
  // Binomial(400, 0.9) has sd 6 (1.5%); the Fieller/t interval is approximate for 10 rounds.
  assert.ok(covered >= 0.84 * trials && covered <= 0.96 * trials, `covered ${covered}/${trials}`);
});
