/**
 * What a pilot cut short says about the rest of its run, extrapolated (and reported as such):
 *  - examples to the target: the validation error err = 1 − accuracy of a run at a constant
 *    rate falls roughly as a power of the examples seen, err ≈ a·E^(−b) (the empirical learning
 *    curves of Hestness et al. 2017, here along one run), so a straight line through the later
 *    validations in log–log gives where it crosses 1 − target;
 *  - the noise scale after the last measurement: it grows as the loss falls (McCandlish et al.
 *    2018, fig. 4), again roughly a power of the examples, B ≈ c·E^d, fitted to the measurements.
 * A power law without a floor never stops falling, so the first is optimistic when the run is far
 * from the target; it is refused beyond MAX_STRETCH times the examples actually seen.
 */
import type { NoiseSegment } from '../predict.js';

export interface PowerFit {
  /** y ≈ coefficient · x^exponent */
  readonly coefficient: number;
  readonly exponent: number;
  readonly points: number;
}

/** Furthest the examples to target may be extrapolated, as a multiple of the examples seen. */
export const MAX_STRETCH = 20;
/** Extrapolated stretch of the run is cut into this many pieces, equal in log(examples). */
export const EXTRAPOLATED_PIECES = 4;

/** Least squares of log y on log x; null with fewer than two usable points or no spread in x. */
export function fitPower(points: readonly { x: number; y: number }[]): PowerFit | null {
  const ps = points.filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => ({ u: Math.log(p.x), v: Math.log(p.y) }));
  if (ps.length < 2) return null;
  const mu = ps.reduce((s, p) => s + p.u, 0) / ps.length;
  const mv = ps.reduce((s, p) => s + p.v, 0) / ps.length;
  const suu = ps.reduce((s, p) => s + (p.u - mu) ** 2, 0);
  if (!(suu > 0)) return null;
  const slope = ps.reduce((s, p) => s + (p.u - mu) * (p.v - mv), 0) / suu;
  return { coefficient: Math.exp(mv - slope * mu), exponent: slope, points: ps.length };
}

export type TargetEstimate =
  | { readonly ok: true; readonly examples: number; readonly fit: PowerFit }
  | { readonly ok: false; readonly reason: 'too-few' | 'not-falling' | 'too-far'; readonly fit: PowerFit | null };

/** The validations a fit goes through: the later two thirds, at least three. */
export function laterTwoThirds<T>(points: readonly T[]): readonly T[] {
  return points.slice(Math.min(Math.floor(points.length / 3), points.length - 3));
}

/** At each validation with examples seen and an accuracy, the best validation error so far (1 − best accuracy). */
export function bestErrorsSoFar(evaluations: readonly { examples: number; valAccuracy: number }[]): { examples: number; err: number }[] {
  let best = 0;
  return evaluations.filter((e) => e.examples > 0 && Number.isFinite(e.valAccuracy)).map((e) => ({ examples: e.examples, err: 1 - (best = Math.max(best, e.valAccuracy)) }));
}

/**
 * Examples to reach `target` validation accuracy, from the best validation error so far at each
 * of the later two thirds of the validations (at least three; `later` picks others, for a bench of
 * other fits): the first, before the error settles into its power law, is left out, and the best
 * so far rather than each reading because at a rate near the edge single validations jump by more
 * than the error falls between them (on a loaded machine MNIST's mlp at lr 0.019 read 93.2% after
 * 0.31 epochs, below earlier ones).
 */
export function examplesToTarget(
  evaluations: readonly { examples: number; valAccuracy: number }[],
  target: number,
  later: (points: readonly { examples: number; err: number }[]) => readonly { examples: number; err: number }[] = laterTwoThirds,
): TargetEstimate {
  const best = bestErrorsSoFar(evaluations);
  if (best.length < 3) return { ok: false, reason: 'too-few', fit: null };
  const fit = fitPower(later(best).map((e) => ({ x: e.examples, y: e.err })));
  if (fit === null) return { ok: false, reason: 'too-few', fit: null };
  if (!(fit.exponent < 0)) return { ok: false, reason: 'not-falling', fit };
  const examples = Math.pow((1 - target) / fit.coefficient, 1 / fit.exponent);
  const seen = best[best.length - 1]!.examples;
  if (examples > MAX_STRETCH * seen) return { ok: false, reason: 'too-far', fit };
  return { ok: true, examples: Math.max(examples, seen), fit };
}

/**
 * The noise scale's growth with examples, fitted to the measurements after the first (at
 * initialisation E = 0 has no logarithm), its exponent kept within [0, 2]: the noise scale has
 * only been seen to grow, and a steeper fit through a few noisy points would run away.
 */
export function noiseGrowth(measured: readonly { examples: number; bNoise: number }[]): PowerFit | null {
  const fit = fitPower(measured.map((m) => ({ x: m.examples, y: m.bNoise })));
  if (fit === null) return null;
  const exponent = Math.min(2, Math.max(0, fit.exponent));
  if (exponent === fit.exponent) return fit;
  // Clamped: refit the coefficient through the points' centre with the kept exponent.
  const ps = measured.filter((m) => m.examples > 0 && m.bNoise > 0);
  const logC = ps.reduce((s, m) => s + Math.log(m.bNoise) - exponent * Math.log(m.examples), 0) / ps.length;
  return { coefficient: Math.exp(logC), exponent, points: fit.points };
}

/**
 * The pilot's measured segments, then EXTRAPOLATED_PIECES more from `seenExamples` to
 * `targetExamples`, each at the fitted noise scale of its geometric middle (or, without a fit,
 * the last measured one).
 */
export function extendSegments(measured: readonly NoiseSegment[], seenExamples: number, targetExamples: number, growth: PowerFit | null, lastNoise: number): NoiseSegment[] {
  if (!(targetExamples > seenExamples)) return [...measured];
  const out = [...measured];
  const ratio = targetExamples / seenExamples;
  for (let i = 0; i < EXTRAPOLATED_PIECES; i++) {
    const a = seenExamples * Math.pow(ratio, i / EXTRAPOLATED_PIECES);
    const b = seenExamples * Math.pow(ratio, (i + 1) / EXTRAPOLATED_PIECES);
    const mid = Math.sqrt(a * b);
    out.push({ examples: b - a, bNoise: growth === null ? lastNoise : growth.coefficient * Math.pow(mid, growth.exponent) });
  }
  return out;
}
