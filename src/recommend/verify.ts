/**
 * `--verify`: train with the recommendation, exactly as a sweep trial is trained (same
 * validations per epoch, same clock), and set what happened beside what was predicted.
 */
import type { DataSplits } from '../data/dataset.js';
import { bnBatchFor, type RunConfig } from '../engine/run-config.js';
import { median } from '../sweep/analyse.js';
import { runTrial, type TrialMetric, type TrialOutcome } from '../sweep/trial.js';
import type { Candidate } from './predict.js';

export interface Verification {
  /**
   * The prediction for this one machine: with W workers recommended, it runs their W shares in
   * turn (iterSize × W), so W× the compute seconds, and no all-reduce.
   */
  readonly predicted: Candidate;
  /** The first seed's run (the run's own --seed). */
  readonly measured: TrialOutcome;
  /** Every seed's run, the first included: --verify --seeds K trains K of them. */
  readonly seeds: readonly { readonly seed: number; readonly measured: TrialOutcome }[];
  /** Over the seeds that reached the target; null when none did. */
  readonly spread: VerifySpread | null;
}

export interface Range {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface VerifySpread {
  readonly reached: number;
  readonly secondsToTarget: Range;
  readonly stepsToTarget: Range;
  readonly wallSecondsToTarget: Range | null;
}

export function rangeOf(xs: readonly number[]): Range | null {
  return xs.length === 0 ? null : { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

export function verifySpread(outcomes: readonly TrialOutcome[]): VerifySpread | null {
  const hit = outcomes.filter((o) => o.secondsToTarget !== null && o.stepsToTarget !== null);
  if (hit.length === 0) return null;
  const walls = hit.flatMap((o) => (o.wallSecondsToTarget === undefined || o.wallSecondsToTarget === null ? [] : [o.wallSecondsToTarget]));
  return {
    reached: hit.length,
    secondsToTarget: rangeOf(hit.map((o) => o.secondsToTarget!))!,
    stepsToTarget: rangeOf(hit.map((o) => o.stepsToTarget!))!,
    wallSecondsToTarget: walls.length === hit.length ? rangeOf(walls) : null,
  };
}

export { bnBatchFor };

/** The run configuration that carries out a recommendation (on one worker: iterSize absorbs the world size). */
export function recommendedConfig(base: RunConfig, c: Candidate, targetAccuracy: number): RunConfig {
  return {
    ...base,
    ...(base.bnBatch !== undefined ? { bnBatch: bnBatchFor(base.bnBatch, c.microBatch) } : {}),
    batchSize: c.microBatch,
    iterSize: c.iterSize * c.worldSize,
    hyper: { ...base.hyper, lr: Number(c.lr.toPrecision(4)) },
    targetAccuracy,
  };
}

/**
 * Seeds base.seed, base.seed + 1, … (as a sweep's --seeds): each changes the initial weights and
 * the order of the examples, not the data's split. Null when interrupted.
 */
export async function verify(
  base: RunConfig,
  data: DataSplits,
  c: Candidate,
  targetAccuracy: number,
  opts: { evalsPerEpoch: number; seeds?: number; shouldStop?: () => boolean; onMetric?: (m: TrialMetric) => void; onSeed?: (seed: number) => void },
): Promise<Verification | null> {
  const config = recommendedConfig(base, c, targetAccuracy);
  // Generous limits: a wrong prediction should show as a measured figure, not as a cut-off.
  const maxEpochs = Math.max(5, Math.ceil(c.epochs * 4));
  const maxSeconds = Math.max(30, c.seconds * 5);
  const seeds: { seed: number; measured: TrialOutcome }[] = [];
  for (let i = 0; i < (opts.seeds ?? 1); i++) {
    const seed = base.seed + i;
    opts.onSeed?.(seed);
    const m = await runTrial({ ...config, seed }, data, { maxEpochs, maxSeconds, evalsPerEpoch: opts.evalsPerEpoch, untilBudget: false }, { ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}), ...(opts.onMetric ? { onMetric: opts.onMetric } : {}) });
    if (m === null) return null;
    seeds.push({ seed, measured: m });
  }
  const measured = seeds[0]!.measured;
  const seconds = (c.seconds - c.commSeconds) * c.worldSize;
  const onOneMachine: Candidate = { ...c, samplesPerSec: c.samplesPerSec / c.worldSize, allReduceSeconds: 0, commSeconds: 0, seconds, wallSeconds: seconds + c.wallSeconds - c.seconds };
  return { predicted: onOneMachine, measured, seeds, spread: verifySpread(seeds.map((s) => s.measured)) };
}
