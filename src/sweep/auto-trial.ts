/**
 * An auto trial: `--batch-size auto` (src/adaptive) run as a sweep trial, on a trial's terms (the
 * same validations per epoch, budget, stall rule and clock as trial.ts), so that its time to target
 * sets beside the fixed batches'. Its figures are a trial's; what only an adaptive run has (the
 * examples it saw, its changes, where it ended) goes beside them.
 *
 * Steps to target are updates, of whatever batch each had: they do not compare with a fixed
 * batch's steps, which is why examples to target are kept too (from the changes: B examples per
 * update between two changes). Budget, prune bar and stall are checked at each validation (a fixed
 * trial checks them at every chunk of updates): an auto trial may overrun its budget by one
 * validation interval.
 *
 * The throughput curve the run weighs batches by is measured before its first update (unless
 * given) and is not in its seconds to target, as in `train --batch-size auto`; it is kept in
 * `curveSeconds` so a report can say what it cost.
 */
import { runAdaptive, type AdaptiveResult, type ThroughputPoint } from '../adaptive/index.js';
import type { DataSplits } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';
import type { BatchChangeRow } from '../store/rows.js';
import { chanceAccuracy, isStalled, STALL_RULE } from './stall.js';
import { trialOutcome, type TrialHooks, type TrialLimits, type TrialMetric, type TrialOutcome } from './trial.js';

/** What an auto trial has beyond a fixed one's figures (kept in the trial's detail as `auto`). */
export interface AutoFigures {
  readonly startBatch: number;
  /** The smallest batch it could shrink to (absent in trials stored before it could shrink below its start: startBatch). */
  readonly minBatch?: number;
  readonly maxBatch: number;
  /** Training examples seen in all, and up to the validation that saw the target. */
  readonly examples: number;
  readonly examplesToTarget: number | null;
  /** Changes logged, the start included. */
  readonly changes: number;
  readonly finalBatch: number;
  readonly finalLr: number;
  /** Seconds of noise rounds (inside trainSeconds and seconds to target). */
  readonly noiseSeconds: number;
  /** Updates that measured the noise in-step instead (absent in trials stored before there were any). */
  readonly inStepUpdates?: number;
  /** Seconds measuring the throughput curve before training (0 when given); not in trainSeconds. */
  readonly curveSeconds: number;
}

export interface AutoOutcome extends TrialOutcome {
  readonly auto: AutoFigures;
  readonly batchChanges: readonly BatchChangeRow[];
  readonly curve: readonly ThroughputPoint[];
}

/** Examples seen before update `step`: B examples per update from each change to the next. */
export function examplesAtStep(changes: readonly BatchChangeRow[], step: number): number {
  let at: BatchChangeRow | undefined;
  for (const c of changes) if (c.step <= step) at = c;
  if (at === undefined) return 0;
  return at.examples + (step - at.step) * at.microBatch * at.iterSize;
}

/**
 * Runs `config` (which has `adaptive` set, and the starting batch as batchSize) as a trial; null
 * when interrupted by `shouldStop`.
 */
export async function runAutoTrial(config: RunConfig, data: DataSplits, limits: TrialLimits, hooks: TrialHooks = {}, curve?: readonly ThroughputPoint[]): Promise<AutoOutcome | null> {
  const started = performance.now();
  const startBatch = config.batchSize as number;
  const metrics: TrialMetric[] = [];
  const chance = chanceAccuracy(data);
  const stallRule = { ...STALL_RULE, share: limits.stallAfter ?? 0 };
  let interrupted = false;
  let stopReason: 'budget' | 'pruned' | 'stalled' | null = null;
  let target: { steps: number; epochs: number; seconds: number } | null = null;
  let wallSecondsToTarget: number | null = null;
  const targetAccuracy = config.targetAccuracy;
  const run: RunConfig = {
    ...config,
    epochs: limits.maxEpochs,
    // Until-budget trials watch for the target themselves and keep going.
    targetAccuracy: limits.untilBudget ? undefined : targetAccuracy,
    evalEvery: Math.max(1, Math.round(Math.floor(data.train.count / startBatch) / limits.evalsPerEpoch)),
  };
  const r: AdaptiveResult = await runAdaptive(run, { data, curve }, {
    shouldStop: () => {
      if (hooks.shouldStop?.()) return (interrupted = true);
      return stopReason !== null;
    },
    onEvaluation: (e) => {
      const m: TrialMetric = { step: e.step, epochs: e.epochs, trainLoss: e.trainLoss, valLoss: e.validation.loss, valAccuracy: e.validation.accuracy, trainSeconds: e.trainSeconds, samplesPerSec: e.samplesPerSec };
      metrics.push(m);
      hooks.onMetric?.(m);
      if (target === null && targetAccuracy !== undefined && e.validation.accuracy >= targetAccuracy) {
        target = { steps: e.step, epochs: e.epochs, seconds: e.trainSeconds };
        wallSecondsToTarget = (performance.now() - started) / 1000;
      }
      if (stopReason !== null) return;
      if (target === null && limits.pruneSeconds !== undefined && e.trainSeconds > limits.pruneSeconds) stopReason = 'pruned';
      else if (e.trainSeconds > limits.maxSeconds) stopReason = 'budget';
      const budgetUsed = Math.max(e.trainSeconds / limits.maxSeconds, e.epochs / limits.maxEpochs);
      if (stopReason === null && target === null && stallRule.share > 0 && isStalled(metrics, chance, budgetUsed, stallRule)) stopReason = 'stalled';
    },
  });
  if (interrupted) return null;
  const reached = target as { steps: number; epochs: number; seconds: number } | null;
  const f = r.final;
  return {
    ...trialOutcome(r, metrics, reached, stopReason, wallSecondsToTarget),
    auto: {
      startBatch,
      minBatch: config.adaptive!.minBatch,
      maxBatch: config.adaptive!.maxBatch,
      examples: r.examples,
      examplesToTarget: reached === null ? null : examplesAtStep(r.changes, reached.steps),
      changes: r.changes.length,
      finalBatch: f.microBatch * f.iterSize,
      finalLr: f.lr,
      noiseSeconds: r.noiseSeconds,
      inStepUpdates: r.inStepUpdates,
      curveSeconds: r.curveSeconds,
    },
    batchChanges: r.changes,
    curve: r.curve,
  };
}
