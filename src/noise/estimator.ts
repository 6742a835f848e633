/**
 * The gradient noise scale of McCandlish et al. (2018), "An Empirical Model of Large-Batch
 * Training", Appendix A, from squared gradient norms at two batch sizes. Pure arithmetic.
 *
 * Let G be the true (full-data) gradient and Σ the per-example gradient covariance, so that
 * the mean gradient G_B of B examples drawn independently (with replacement) has E[G_B] = G
 * and Cov[G_B] = Σ/B, hence E|G_B|² = |G|² + tr(Σ)/B. Two batch sizes B_s < B_b give two
 * equations; solving them gives unbiased estimates
 *
 *   |G|²  ≈ (B_b·|G_b|² − B_s·|G_s|²) / (B_b − B_s)
 *   tr(Σ) ≈ (|G_s|² − |G_b|²) / (1/B_s − 1/B_b)
 *
 * and the simple noise scale B_simple = tr(Σ)/|G|², the batch size at which the gradient's
 * noise and signal are of equal size. The ratio is taken after smoothing numerator and
 * denominator separately (the ratio of two noisy means, not the mean of noisy ratios, which
 * would be biased and heavy-tailed).
 *
 * Smoothing. Rounds r = 1..n with weights w_r = β^(n−r) (decay β ∈ [0, 1]):
 *   x̄ = Σ w_r x_r / Σ w_r.
 * For β < 1 this is exactly the exponential moving average m_n = β·m_{n−1} + (1−β)·x_n with
 * Adam's bias correction m_n / (1 − β^n); β = 1 is its limit, the plain mean. Rounds taken at
 * the same parameters are independent and identically distributed, so the plain mean (β = 1)
 * is the least-variance choice there; β < 1 is for a stream along training, where old rounds
 * describe parameters that have moved on.
 *
 * Uncertainty. With v_T, v_G, c the (weighted) variances and covariance of the two means
 * (Σw_r²(x_r − x̄)(y_r − ȳ)/(Σw_r)², scaled by n_eff/(n_eff − 1), n_eff = (Σw)²/Σw²), Fieller's
 * theorem gives the set of ratios ρ with |T̄ − ρḠ| ≤ q·sd(T̄ − ρḠ):
 *   (Ḡ² − q²v_G)ρ² − 2(T̄Ḡ − q²c)ρ + (T̄² − q²v_T) ≤ 0,
 * an interval when Ḡ is clearly non-zero (Ḡ² > q²v_G). q is Student's t quantile for a
 * two-sided INTERVAL_LEVEL (90%) interval with n_eff − 1 degrees of freedom. When Ḡ is not
 * clearly positive the gradient is lost in the noise at these batch sizes: the upper bound is
 * +∞ and the lower bound falls back to (T̄ − q√v_T)/(Ḡ + q√v_G). B_simple ≥ 0, so the lower
 * bound is clamped at 0; a non-positive Ḡ gives B_simple = +∞.
 */
import { assert, UserError } from '../errors.js';

/** Squared norms of the mean gradient at two batch sizes (examples), measured on one draw. */
export interface PairMeasurement {
  readonly bSmall: number;
  readonly bBig: number;
  /** |G_small|²: the squared norm at B_small (mean over micro-batches where there are several). */
  readonly smallSq: number;
  /** |G_big|². */
  readonly bigSq: number;
}

export interface NoiseEstimate {
  /** Unbiased estimate of |G|². May be negative when the signal is below the noise. */
  readonly gradSq: number;
  /** Unbiased estimate of tr(Σ), Σ the per-example gradient covariance. */
  readonly traceSigma: number;
}

export interface NoiseSummary extends NoiseEstimate {
  readonly bSimple: number;
  /** Lower and upper ends of the INTERVAL_LEVEL interval on B_simple. */
  readonly bSimpleLow: number;
  readonly bSimpleHigh: number;
  /** Rounds that went into the summary. */
  readonly rounds: number;
}

/** Two-sided coverage of [bSimpleLow, bSimpleHigh]. */
export const INTERVAL_LEVEL = 0.9;
const Z_90 = 1.6448536269514722;

export function checkBatchPair(bSmall: number, bBig: number): void {
  if (!Number.isInteger(bSmall) || bSmall < 1) throw new UserError(`noise-scale bSmall must be a whole number ≥ 1, got ${bSmall}`);
  if (!Number.isInteger(bBig) || bBig < 2 * bSmall || bBig % bSmall !== 0) {
    throw new UserError(`noise-scale bBig must be a multiple of bSmall ${bSmall} and at least twice it (e.g. ${16 * bSmall}), got ${bBig}`);
  }
}

export function estimateFromPair(m: PairMeasurement): NoiseEstimate {
  const { bSmall: s, bBig: b } = m;
  if (!(s >= 1 && b > s)) throw new UserError(`noise-scale batch sizes need 1 ≤ bSmall < bBig, got ${s} and ${b}`);
  return {
    gradSq: (b * m.bigSq - s * m.smallSq) / (b - s),
    traceSigma: (m.smallSq - m.bigSq) / (1 / s - 1 / b),
  };
}

/** B_simple from smoothed |G|² and tr(Σ): +∞ when the gradient estimate is not positive. */
export function bSimpleOf(gradSq: number, traceSigma: number): number {
  return gradSq > 0 ? traceSigma / gradSq : Infinity;
}

/**
 * Bias-corrected EMA of |G|² and tr(Σ) over rounds, with decay β (see the header); keeps the
 * weighted moments the interval needs. Float64 throughout.
 */
export class NoiseSmoother {
  private w = 0;
  private w2 = 0;
  private t = 0;
  private g = 0;
  private t2w2 = 0;
  private g2w2 = 0;
  private tgw2 = 0;
  private tw2 = 0;
  private gw2 = 0;
  private n = 0;

  constructor(readonly decay = 1) {
    if (!(decay >= 0 && decay <= 1)) throw new UserError(`noise-scale decay must be in [0, 1], got ${decay}`);
  }

  add(e: NoiseEstimate): void {
    const b = this.decay;
    const b2 = b * b;
    const { traceSigma: t, gradSq: g } = e;
    this.w = b * this.w + 1;
    this.t = b * this.t + t;
    this.g = b * this.g + g;
    this.w2 = b2 * this.w2 + 1;
    this.t2w2 = b2 * this.t2w2 + t * t;
    this.g2w2 = b2 * this.g2w2 + g * g;
    this.tgw2 = b2 * this.tgw2 + t * g;
    this.tw2 = b2 * this.tw2 + t;
    this.gw2 = b2 * this.gw2 + g;
    this.n++;
  }

  get rounds(): number {
    return this.n;
  }

  summary(): NoiseSummary {
    assert(this.n > 0, 'NoiseSmoother.summary() before any round');
    const W = this.w;
    const T = this.t / W;
    const G = this.g / W;
    const bSimple = bSimpleOf(G, T);
    const nEff = (W * W) / this.w2;
    if (!(nEff > 1.5)) return { gradSq: G, traceSigma: T, bSimple, bSimpleLow: 0, bSimpleHigh: Infinity, rounds: this.n };
    // Σw²(x−x̄)(y−ȳ) = Σw²xy − x̄Σw²y − ȳΣw²x + x̄ȳΣw², then scaled to the variance of the weighted mean.
    const scale = nEff / (nEff - 1) / (W * W);
    const vT = Math.max(0, (this.t2w2 - 2 * T * this.tw2 + T * T * this.w2) * scale);
    const vG = Math.max(0, (this.g2w2 - 2 * G * this.gw2 + G * G * this.w2) * scale);
    const c = (this.tgw2 - T * this.gw2 - G * this.tw2 + T * G * this.w2) * scale;
    const [bSimpleLow, bSimpleHigh] = fieller(T, G, vT, vG, c, tQuantile(Z_90, nEff - 1));
    return { gradSq: G, traceSigma: T, bSimple, bSimpleLow, bSimpleHigh, rounds: this.n };
  }
}

/** Summary of i.i.d. rounds at one point (decay 1: the plain mean). */
export function summarize(estimates: readonly NoiseEstimate[], decay = 1): NoiseSummary {
  const s = new NoiseSmoother(decay);
  for (const e of estimates) s.add(e);
  return s.summary();
}

/** Fieller interval for T/G (see the header), clamped to B_simple ≥ 0. */
export function fieller(T: number, G: number, vT: number, vG: number, c: number, q: number): [number, number] {
  const q2 = q * q;
  const a = G * G - q2 * vG;
  if (G > 0 && a > 0) {
    const b = T * G - q2 * c;
    const disc = Math.max(0, b * b - a * (T * T - q2 * vT));
    return [Math.max(0, (b - Math.sqrt(disc)) / a), (b + Math.sqrt(disc)) / a];
  }
  const upperG = G + q * Math.sqrt(vG);
  const low = upperG > 0 ? Math.max(0, (T - q * Math.sqrt(vT)) / upperG) : 0;
  return [low, Infinity];
}

/**
 * Student's t quantile from the normal quantile z by the Cornish–Fisher expansion
 * (Abramowitz & Stegun 26.7.5): within 0.3% for ν ≥ 2 at the 95th percentile, 5% at ν = 1.
 */
export function tQuantile(z: number, nu: number): number {
  const z2 = z * z;
  const g1 = (z2 * z + z) / 4;
  const g2 = (((5 * z2 + 16) * z2 + 3) * z) / 96;
  const g3 = ((((3 * z2 + 19) * z2 + 17) * z2 - 15) * z) / 384;
  const g4 = (((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z) / 92160;
  return z + g1 / nu + g2 / nu ** 2 + g3 / nu ** 3 + g4 / nu ** 4;
}
