/**
 * `--verify`: train with the recommendation, exactly as a sweep trial is trained (same
 * validations per epoch, same clock), and set what happened beside what was predicted.
 */
import type { DataSplits } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';
import { runTrial, type TrialMetric, type TrialOutcome } from '../sweep/trial.js';
import type { Candidate } from './predict.js';

export interface Verification {
  /**
   * The prediction for this one machine: with W workers recommended, it runs their W shares in
   * turn (iterSize × W), so W× the compute seconds, and no all-reduce.
   */
  readonly predicted: Candidate;
  readonly measured: TrialOutcome;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The batch-norm batch kept across splits: G itself whenever it divides the micro-batch (then
 * micro-batch × iter-size is the same update as one batch), else the largest group that tiles it.
 */
export function bnBatchFor(G: number, microBatch: number): number {
  return gcd(G, microBatch);
}

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

export async function verify(base: RunConfig, data: DataSplits, c: Candidate, targetAccuracy: number, opts: { evalsPerEpoch: number; shouldStop?: () => boolean; onMetric?: (m: TrialMetric) => void }): Promise<Verification | null> {
  const config = recommendedConfig(base, c, targetAccuracy);
  // Generous limits: a wrong prediction should show as a measured figure, not as a cut-off.
  const maxEpochs = Math.max(5, Math.ceil(c.epochs * 4));
  const maxSeconds = Math.max(30, c.seconds * 5);
  const measured = await runTrial(config, data, { maxEpochs, maxSeconds, evalsPerEpoch: opts.evalsPerEpoch, untilBudget: false }, { ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}), ...(opts.onMetric ? { onMetric: opts.onMetric } : {}) });
  const onOneMachine: Candidate = { ...c, samplesPerSec: c.samplesPerSec / c.worldSize, allReduceSeconds: 0, commSeconds: 0, seconds: (c.seconds - c.commSeconds) * c.worldSize };
  return measured === null ? null : { predicted: onOneMachine, measured };
}
