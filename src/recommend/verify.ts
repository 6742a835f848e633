/**
 * `--verify`: train with the recommendation, exactly as a sweep trial is trained (same
 * validations per epoch, same clock), and set what happened beside what was predicted.
 */
import type { DataSplits } from '../data/dataset.js';
import { bnBatchFor, type RunConfig } from '../engine/run-config.js';
import type { ThroughputPoint } from '../adaptive/index.js';
import { median } from '../sweep/analyse.js';
import { runAutoTrial, type AutoOutcome } from '../sweep/auto-trial.js';
import { runTrial, type TrialMetric, type TrialOutcome } from '../sweep/trial.js';
import type { Candidate } from './predict.js';
import { recommendedWarmup } from './warmup.js';

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
    warmupSteps: recommendedWarmup(base.warmupSteps, c),
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

/** `--verify-auto`: the same check for `--batch-size auto`, trained beside the recommendation. */
export interface AutoVerification {
  readonly startBatch: number;
  readonly maxBatch: number;
  /** The rate at the starting batch. */
  readonly lr: number;
  readonly measured: AutoOutcome;
  readonly seeds: readonly { readonly seed: number; readonly measured: AutoOutcome }[];
  readonly spread: VerifySpread | null;
  /** Seconds measuring the throughput curve before the first seed (0 when one was given). */
  readonly curveSeconds: number;
}

/**
 * Trains `--batch-size auto` from `startBatch` at `lr` up to `maxBatch` (micro-batches within
 * `memoryBytes`), at the seeds verify() trains, with verify()'s limits for the candidate `c` so
 * that both are held to the same terms. Null when interrupted.
 */
export async function verifyAuto(
  base: RunConfig,
  data: DataSplits,
  c: Candidate,
  auto: { readonly startBatch: number; readonly maxBatch: number; readonly lr: number; readonly memoryBytes?: number | undefined; readonly curve?: readonly ThroughputPoint[] | undefined },
  targetAccuracy: number,
  opts: { evalsPerEpoch: number; seeds?: number; shouldStop?: () => boolean; onMetric?: (m: TrialMetric) => void; onSeed?: (seed: number) => void },
): Promise<(AutoVerification & { readonly curve: readonly ThroughputPoint[] }) | null> {
  const config: RunConfig = {
    ...base,
    batchSize: auto.startBatch,
    iterSize: 1,
    hyper: { ...base.hyper, lr: Number(auto.lr.toPrecision(4)) },
    schedule: { kind: 'constant' },
    warmupSteps: 0,
    targetAccuracy,
    adaptive: { minBatch: auto.startBatch, maxBatch: auto.maxBatch, memoryBytes: auto.memoryBytes },
  };
  const limits = { maxEpochs: Math.max(5, Math.ceil(c.epochs * 4)), maxSeconds: Math.max(30, c.seconds * 5), evalsPerEpoch: opts.evalsPerEpoch, untilBudget: false };
  const seeds: { seed: number; measured: AutoOutcome }[] = [];
  let curve = auto.curve;
  let curveSeconds = 0;
  for (let i = 0; i < (opts.seeds ?? 1); i++) {
    const seed = base.seed + i;
    opts.onSeed?.(seed);
    const m = await runAutoTrial({ ...config, seed }, data, limits, { ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}), ...(opts.onMetric ? { onMetric: opts.onMetric } : {}) }, curve);
    if (m === null) return null;
    // The curve is the machine's, not the seed's: measured once.
    if (curve === undefined) [curve, curveSeconds] = [m.curve, m.auto.curveSeconds];
    seeds.push({ seed, measured: m });
  }
  const measured = seeds[0]!.measured;
  return { startBatch: auto.startBatch, maxBatch: auto.maxBatch, lr: config.hyper.lr!, measured, seeds, spread: verifySpread(seeds.map((s) => s.measured)), curveSeconds, curve: curve! };
}
