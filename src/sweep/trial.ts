/**
 * One trial of a sweep: train a configuration until the target validation accuracy, divergence,
 * its budget (epochs or training seconds), a prune bar or a stall (stall.ts), and keep what the
 * sweep compares.
 *
 * Seconds to target are training seconds (inside `session.run`), as in `train`: evaluation,
 * compilation and data loading are the same for every batch size and are left out, so the figure
 * is the one a faster evaluation loop could not change.
 */
import type { DataSplits } from '../data/dataset.js';
import { prepareTrainer } from '../engine/run.js';
import type { RunConfig } from '../engine/run-config.js';
import { trainLoop } from '../engine/train-loop.js';
import type { BatchChangeRow, EpochMetricRow, TrialRow, TrialStatus } from '../store/store.js';
import type { AutoFigures } from './auto-trial.js';
import { chanceAccuracy, isStalled, STALL_RULE } from './stall.js';

/** Trial records are the store's: one definition of their fields, here and in SQLite. */
export type { TrialStatus } from '../store/store.js';
export type TrialMetric = EpochMetricRow;

/** What the sweep compares trials by. */
export type TrialFigures = Pick<
  TrialRow,
  'status' | 'stepsToTarget' | 'epochsToTarget' | 'secondsToTarget' | 'samplesPerSec' | 'bestValAccuracy' | 'finalValAccuracy' | 'testAccuracy'
>;

export interface TrialOutcome extends TrialFigures {
  readonly steps: number;
  readonly epochs: number;
  readonly trainSeconds: number;
  readonly divergedAtStep: number | null;
  readonly metrics: readonly TrialMetric[];
  /** Wall seconds from building the sessions to the validation that saw the target: what the clock says it took. */
  readonly wallSecondsToTarget?: number | null;
  /** The machine that trained it (os.hostname()), when not this process's (a queue's worker). */
  readonly host?: string;
  /** Kept beside the trial in the store (e.g. a queued trial's job id and attempts). */
  readonly detail?: Readonly<Record<string, unknown>>;
  /** An auto trial's own figures (auto-trial.ts), kept in its detail, and its batch changes. */
  readonly auto?: AutoFigures;
  readonly batchChanges?: readonly BatchChangeRow[];
}

export interface TrialLimits {
  readonly maxEpochs: number;
  /** Training seconds after which the trial stops as 'budget'. */
  readonly maxSeconds: number;
  /** Training seconds after which the trial stops as 'pruned' (it cannot beat a finished one). */
  readonly pruneSeconds?: number;
  /** Validations per epoch; seconds to target are resolved to this grain. */
  readonly evalsPerEpoch: number;
  /** Keep training after the target, to the budget, so best and final accuracy mean something. */
  readonly untilBudget: boolean;
  /** Share of the budget after which a trial that learned nothing stops as 'stalled' (stall.ts); absent or 0: never. */
  readonly stallAfter?: number;
}

export interface TrialHooks {
  /** True when the user asked the whole sweep to stop: the trial ends as interrupted (null). */
  readonly shouldStop?: () => boolean;
  readonly onMetric?: (m: TrialMetric) => void;
  /** Training began: a queued trial's worker took it (sweep.ts calls its own hook for a trial run here). */
  readonly onStart?: () => void;
}

/** Runs the trial; null when interrupted by `shouldStop` (an interrupted trial is not a result). */
export async function runTrial(config: RunConfig, data: DataSplits, limits: TrialLimits, hooks: TrialHooks = {}): Promise<TrialOutcome | null> {
  const started = performance.now();
  const trainer = await prepareTrainer({ ...config, epochs: limits.maxEpochs }, data);
  let wallSecondsToTarget: number | null = null;
  try {
    const metrics: TrialMetric[] = [];
    let interrupted = false;
    let stopReason: 'budget' | 'pruned' | 'stalled' | null = null;
    const chance = chanceAccuracy(data);
    const stallRule = { ...STALL_RULE, share: limits.stallAfter ?? 0 };
    let target: { steps: number; epochs: number; seconds: number } | null = null;
    const targetAccuracy = config.targetAccuracy;
    const result = await trainLoop(trainer, {
      epochs: limits.maxEpochs,
      // Until-budget trials watch for the target themselves and keep going.
      targetAccuracy: limits.untilBudget ? undefined : targetAccuracy,
      evalEvery: Math.max(1, Math.round(trainer.stepsPerEpoch / limits.evalsPerEpoch)),
      shouldStop: () => {
        if (hooks.shouldStop?.()) return (interrupted = true);
        if (stopReason !== null) return true;
        const t = trainer.state.trainSeconds;
        if (limits.pruneSeconds !== undefined && t > limits.pruneSeconds && target === null) stopReason = 'pruned';
        else if (t > limits.maxSeconds) stopReason = 'budget';
        return stopReason !== null;
      },
      onEvaluation: (e) => {
        const m: TrialMetric = {
          step: e.step,
          epochs: e.epochs,
          trainLoss: e.trainLoss,
          valLoss: e.validation.loss,
          valAccuracy: e.validation.accuracy,
          trainSeconds: e.trainSeconds,
          samplesPerSec: e.samplesPerSec,
        };
        metrics.push(m);
        hooks.onMetric?.(m);
        if (target === null && targetAccuracy !== undefined && e.validation.accuracy >= targetAccuracy) {
          target = { steps: e.step, epochs: e.epochs, seconds: e.trainSeconds };
          wallSecondsToTarget = (performance.now() - started) / 1000;
        }
        const budgetUsed = Math.max(e.trainSeconds / limits.maxSeconds, e.epochs / limits.maxEpochs);
        if (target === null && stallRule.share > 0 && isStalled(metrics, chance, budgetUsed, stallRule)) stopReason = 'stalled';
      },
    });
    if (interrupted) return null;
    return trialOutcome(result, metrics, target, stopReason, wallSecondsToTarget);
  } finally {
    await trainer.release();
  }
}

/** What a finished run measured, as a trial: the run's result, its validations, whether and when it saw the target, and why it stopped short. */
export function trialOutcome(
  result: { readonly status: string; readonly samplesPerSec: number; readonly validation: { readonly accuracy: number } | null; readonly test: { readonly accuracy: number } | null; readonly steps: number; readonly epochs: number; readonly trainSeconds: number; readonly divergedAtStep: number | null },
  metrics: TrialMetric[],
  reached: { readonly steps: number; readonly epochs: number; readonly seconds: number } | null,
  stopReason: 'budget' | 'pruned' | 'stalled' | null,
  wallSecondsToTarget: number | null,
): TrialOutcome {
  const accuracies = metrics.map((m) => m.valAccuracy).filter(Number.isFinite);
  // Reaching the target is what the sweep measures; a later divergence stays in divergedAtStep.
  const status: TrialStatus =
    reached !== null ? 'target-reached' : result.status === 'diverged' ? 'diverged' : stopReason ?? (result.status === 'interrupted' ? 'budget' : 'completed');
  return {
    status,
    stepsToTarget: reached?.steps ?? null,
    epochsToTarget: reached?.epochs ?? null,
    secondsToTarget: reached?.seconds ?? null,
    samplesPerSec: result.samplesPerSec,
    bestValAccuracy: accuracies.length > 0 ? Math.max(...accuracies) : 0,
    finalValAccuracy: result.validation?.accuracy ?? 0,
    testAccuracy: result.test?.accuracy ?? null,
    steps: result.steps,
    epochs: result.epochs,
    trainSeconds: result.trainSeconds,
    divergedAtStep: result.divergedAtStep,
    metrics,
    wallSecondsToTarget,
  };
}
