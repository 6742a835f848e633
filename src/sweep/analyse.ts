/**
 * What a sweep's trials say (claims C6–C9 of the seed): per batch size the best-tuned trial, the
 * time-optimal and the accuracy-optimal batch size, the three regimes of steps against batch
 * size, and McCandlish et al.'s fit S = S_min·(1 + B_crit/B).
 *
 * Regimes, per doubling of B (Shallue et al. 2018, fig. 1): steps to target shrink by a factor
 * r = (S(B₁)/S(B₂))^(1/log₂(B₂/B₁)). r ≥ 1.7 is perfect scaling (steps halve: ideal is 2),
 * 1.1 < r < 1.7 diminishing returns, r ≤ 1.1 no further gain.
 *
 * Seeds (--seeds K): steps to target vary between seeds, so each batch size's figures are the
 * medians over the tuned rate's seeds, with their min–max. A regime is named only where every
 * ratio the spread allows (from min against max and max against min) falls in the same one, and
 * the time-optimal batch is settled only where its slowest seed beats every other batch size's
 * fastest; otherwise the analysis says which it cannot tell apart.
 */
import { gridEdge, type GridEdge } from './edges.js';
import { isAutoKey } from './plan.js';
import type { TrialFigures } from './trial.js';

export interface TrialResult extends TrialFigures {
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  /** The machine that trained it; absent or null: the process that kept it. */
  readonly host?: string | null;
  /** The trial's key, where known: an auto trial's (plan.ts) is no point on the B axis and is left out here (auto-analyse.ts). */
  readonly key?: string;
}

export type Regime = 'perfect scaling' | 'diminishing returns' | 'no further gain';
export const PERFECT_RATIO = 1.7;
export const NO_GAIN_RATIO = 1.1;

export interface BatchSummary {
  readonly batchSize: number;
  /** The tuned rate: fastest mean time to target over seeds (or, if none reached it, the best accuracy). */
  readonly bestLr: number;
  /** Seeds of the best rate that reached the target, out of `seeds`. */
  readonly reached: number;
  readonly seeds: number;
  readonly stepsToTarget: number | null;
  readonly epochsToTarget: number | null;
  readonly secondsToTarget: number | null;
  readonly samplesPerSec: number;
  /** Best validation accuracy of any trial at this batch size. */
  readonly bestValAccuracy: number;
  readonly finalValAccuracy: number;
  readonly testAccuracy: number | null;
  readonly trials: number;
  readonly diverged: number;
  /** Trials stopped as dead (stall.ts): failures, like divergence. */
  readonly stalled: number;
  /** Where the tuned rate sits among the rates tried here (edges.ts): null when interior. */
  readonly edge: GridEdge | null;
  /** Steps shrink factor per doubling from the previous batch size that reached the target. */
  readonly stepRatio: number | null;
  /** The regime of the median ratio, named only when the seeds' spread allows no other (regimeSpan has one). */
  readonly regime: Regime | null;
  /** Min–max over the tuned rate's seeds, when all of them reached the target (one seed: min = max). */
  readonly stepsRange: readonly [number, number] | null;
  readonly secondsRange: readonly [number, number] | null;
  /** The lowest and highest step ratio per doubling the spreads allow. */
  readonly stepRatioRange: readonly [number, number] | null;
  /** Every regime within the spread, from the lowest ratio's to the highest's; empty without a ratio. */
  readonly regimeSpan: readonly Regime[];
}

export interface CriticalBatchFit {
  readonly minSteps: number;
  readonly criticalBatch: number;
  /** Fewest examples to target, S_min·B_crit (the small-batch limit). */
  readonly minExamples: number;
}

export interface SweepAnalysis {
  readonly batches: BatchSummary[];
  /** Fastest median time to target. */
  readonly timeOptimal: BatchSummary | null;
  /** Batch sizes whose seconds' range overlaps the time-optimal's (itself first): one means it is settled. */
  readonly timeOptimalTies: readonly number[];
  readonly accuracyOptimal: BatchSummary | null;
  readonly criticalBatch: CriticalBatchFit | null;
  /**
   * Set when the trials ran on more than one machine, whose seconds do not compare: the time
   * optimum is then the fewest steps to target × batch size ÷ the coordinator's own samples/s at
   * that batch size (`estimates`, from analyseSweep's `throughput`; empty when none was given).
   */
  readonly mixedHosts: { readonly hosts: readonly string[]; readonly estimates: readonly HostFreeEstimate[] } | null;
}

export interface HostFreeEstimate {
  readonly batchSize: number;
  readonly samplesPerSec: number;
  readonly secondsToTarget: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const REGIME_ORDER: readonly Regime[] = ['no further gain', 'diminishing returns', 'perfect scaling'];

/** Regimes from the lowest ratio's to the highest's, in order. */
export function regimesBetween(low: number, high: number): Regime[] {
  return REGIME_ORDER.slice(REGIME_ORDER.indexOf(regimeOf(low)), REGIME_ORDER.indexOf(regimeOf(high)) + 1);
}

export function regimeOf(ratio: number): Regime {
  return ratio >= PERFECT_RATIO ? 'perfect scaling' : ratio > NO_GAIN_RATIO ? 'diminishing returns' : 'no further gain';
}

function summariseBatch(trials: readonly TrialResult[]): Omit<BatchSummary, 'stepRatio' | 'regime' | 'stepRatioRange' | 'regimeSpan'> {
  const byLr = new Map<number, TrialResult[]>();
  for (const t of trials) byLr.set(t.lr, [...(byLr.get(t.lr) ?? []), t]);
  const score = (ts: TrialResult[]) => {
    const hit = ts.filter((t) => t.secondsToTarget !== null);
    // All seeds reaching beats some; then the fastest median time; then the best accuracy.
    return { reached: hit.length, seconds: hit.length > 0 ? median(hit.map((t) => t.secondsToTarget!)) : Infinity, acc: Math.max(...ts.map((t) => t.bestValAccuracy)) };
  };
  let best: { lr: number; ts: TrialResult[]; s: ReturnType<typeof score> } | null = null;
  for (const [lr, ts] of byLr) {
    const s = score(ts);
    if (best === null || s.reached > best.s.reached || (s.reached === best.s.reached && (s.seconds < best.s.seconds || (s.seconds === best.s.seconds && s.acc > best.s.acc)))) {
      best = { lr, ts, s };
    }
  }
  const b = best!;
  const hit = b.ts.filter((t) => t.secondsToTarget !== null);
  const avg = (f: (t: TrialResult) => number | null) => (hit.length === b.ts.length ? median(hit.map((t) => f(t)!)) : null);
  const range = (f: (t: TrialResult) => number | null): readonly [number, number] | null => {
    if (hit.length !== b.ts.length) return null;
    const xs = hit.map((t) => f(t)!);
    return [Math.min(...xs), Math.max(...xs)];
  };
  const tests = b.ts.map((t) => t.testAccuracy).filter((x): x is number => x !== null);
  const diverged = trials.filter((t) => t.status === 'diverged').length;
  const stalled = trials.filter((t) => t.status === 'stalled').length;
  return {
    batchSize: trials[0]!.batchSize,
    bestLr: b.lr,
    reached: hit.length,
    seeds: b.ts.length,
    stepsToTarget: avg((t) => t.stepsToTarget),
    epochsToTarget: avg((t) => t.epochsToTarget),
    secondsToTarget: avg((t) => t.secondsToTarget),
    stepsRange: range((t) => t.stepsToTarget),
    secondsRange: range((t) => t.secondsToTarget),
    samplesPerSec: mean(b.ts.map((t) => t.samplesPerSec)),
    bestValAccuracy: Math.max(...trials.map((t) => t.bestValAccuracy)),
    finalValAccuracy: mean(b.ts.map((t) => t.finalValAccuracy)),
    testAccuracy: tests.length > 0 ? mean(tests) : null,
    trials: trials.length,
    diverged,
    stalled,
    edge: gridEdge([...byLr.keys()], diverged + stalled === trials.length ? null : b.lr),
  };
}

/**
 * S = S_min + S_min·B_crit·(1/B), fitted by least squares in relative error (weights 1/S²), so
 * the thousands of steps at B = 2 do not drown the tens at large B. Needs three batch sizes, and
 * S_min and B_crit positive.
 */
export function fitCriticalBatch(points: readonly { batchSize: number; steps: number }[]): CriticalBatchFit | null {
  if (points.length < 3) return null;
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    const w = 1 / (p.steps * p.steps);
    const x = 1 / p.batchSize;
    sw += w;
    sx += w * x;
    sy += w * p.steps;
    sxx += w * x * x;
    sxy += w * x * p.steps;
  }
  const det = sw * sxx - sx * sx;
  if (!(det > 0)) return null;
  const slope = (sw * sxy - sx * sy) / det;
  const minSteps = (sy - slope * sx) / sw;
  if (!(minSteps > 0) || !(slope > 0)) return null;
  return { minSteps, criticalBatch: slope / minSteps, minExamples: slope };
}

/** `throughput`: samples/s by batch size, measured by the coordinator, for trials from several machines. */
export function analyseSweep(all: readonly TrialResult[], throughput: ReadonlyMap<number, number> = new Map()): SweepAnalysis {
  // A trial that failed on a worker (an error, not a divergence) is no result.
  const trials = all.filter((t) => t.status !== 'failed' && !isAutoKey(t.key));
  const byBatch = new Map<number, TrialResult[]>();
  for (const t of trials) byBatch.set(t.batchSize, [...(byBatch.get(t.batchSize) ?? []), t]);
  const sizes = [...byBatch.keys()].sort((a, b) => a - b);
  const batches: BatchSummary[] = [];
  let prev: { batchSize: number; steps: number; range: readonly [number, number] } | null = null;
  for (const size of sizes) {
    const s = summariseBatch(byBatch.get(size)!);
    let stepRatio: number | null = null;
    let stepRatioRange: readonly [number, number] | null = null;
    if (s.stepsToTarget !== null) {
      const range = s.stepsRange ?? [s.stepsToTarget, s.stepsToTarget];
      if (prev !== null) {
        const per = 1 / Math.log2(size / prev.batchSize);
        stepRatio = Math.pow(prev.steps / s.stepsToTarget, per);
        stepRatioRange = [Math.pow(prev.range[0] / range[1], per), Math.pow(prev.range[1] / range[0], per)];
      }
      prev = { batchSize: size, steps: s.stepsToTarget, range };
    }
    const regimeSpan = stepRatioRange === null ? [] : regimesBetween(stepRatioRange[0], stepRatioRange[1]);
    batches.push({ ...s, stepRatio, stepRatioRange, regimeSpan, regime: stepRatio !== null && regimeSpan.length === 1 ? regimeOf(stepRatio) : null });
  }
  const reached = batches.filter((b) => b.secondsToTarget !== null);
  const hosts = [...new Set(trials.map((t) => t.host ?? '(coordinator)'))].sort();
  const estimates = reached.flatMap((b) => {
    const samplesPerSec = throughput.get(b.batchSize);
    return samplesPerSec === undefined ? [] : [{ batchSize: b.batchSize, samplesPerSec, secondsToTarget: (b.stepsToTarget! * b.batchSize) / samplesPerSec }];
  });
  const mixedHosts = hosts.length > 1 ? { hosts, estimates } : null;
  const hostFree = mixedHosts !== null && estimates.length > 0;
  const seconds = (b: BatchSummary) => (hostFree ? estimates.find((e) => e.batchSize === b.batchSize)?.secondsToTarget ?? Infinity : b.secondsToTarget!);
  const timeOptimal = reached.reduce<BatchSummary | null>((a, b) => (a === null || seconds(b) < seconds(a) ? b : a), null);
  // Seconds from several machines have no seed spread to compare: the estimate stands alone.
  const spanOf = (b: BatchSummary): readonly [number, number] => (hostFree ? [seconds(b), seconds(b)] : (b.secondsRange ?? [b.secondsToTarget!, b.secondsToTarget!]));
  const timeOptimalTies = timeOptimal === null ? [] : [timeOptimal.batchSize, ...reached.filter((b) => b !== timeOptimal && spanOf(b)[0] <= spanOf(timeOptimal)[1]).map((b) => b.batchSize)];
  const accuracyOptimal = batches.reduce<BatchSummary | null>((a, b) => (a === null || b.bestValAccuracy > a.bestValAccuracy ? b : a), null);
  const criticalBatch = fitCriticalBatch(reached.map((b) => ({ batchSize: b.batchSize, steps: b.stepsToTarget! })));
  return { batches, timeOptimal, timeOptimalTies, accuracyOptimal, criticalBatch, mixedHosts };
}
