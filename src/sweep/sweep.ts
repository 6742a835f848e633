/**
 * A sweep: run every planned trial that the record does not already hold, one at a time on this
 * process's cores, and analyse them all. The record (the SQLite store, or memory in tests) keeps a
 * trial only once it has finished, in one transaction, so a sweep killed at any moment and run
 * again does every missing trial exactly once.
 *
 * Pruning: a trial still short of the target after `pruneFactor` × the fastest time to target
 * already seen at its batch size cannot be that batch size's tuned rate; it stops as 'pruned'.
 */
import type { DataSplits } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';
import { UserError } from '../errors.js';
import { analyseSweep, type SweepAnalysis, type TrialResult } from './analyse.js';
import { planTrials, type PlannedTrial, type SweepPlanSpec } from './plan.js';
import { runTrial, type TrialLimits, type TrialMetric, type TrialOutcome } from './trial.js';

export interface SweepSpec {
  /** Everything but batch size, rate and seed; its targetAccuracy is the sweep's target. */
  readonly base: RunConfig;
  readonly plan: Omit<SweepPlanSpec, 'trainExamples'>;
  readonly limits: Omit<TrialLimits, 'pruneSeconds'>;
  /** Stop a trial once it is this many times slower than the best at its batch size; 0 = never. */
  readonly pruneFactor: number;
}

export interface RecordedTrial extends TrialResult {
  readonly key: string;
}

/** Where finished trials go and come back from: one record per sweep identity (identity.ts), as trial keys hold only batch size, rate and seed. */
export interface SweepRecorder {
  finishedTrials(): RecordedTrial[];
  /** Keep a finished trial; false if one with this key is already kept (it is not counted twice). */
  record(trial: PlannedTrial, outcome: TrialOutcome): boolean;
}

export interface SweepHooks {
  readonly shouldStop?: () => boolean;
  readonly onTrialStart?: (t: PlannedTrial, index: number, total: number) => void;
  readonly onTrialEnd?: (t: PlannedTrial, outcome: TrialOutcome) => void;
  readonly onMetric?: (t: PlannedTrial, m: TrialMetric) => void;
}

export interface SweepResult {
  readonly analysis: SweepAnalysis;
  readonly trials: readonly RecordedTrial[];
  /** Trials run by this call, and trials found already finished. */
  readonly ran: number;
  readonly skipped: number;
  readonly total: number;
  readonly interrupted: boolean;
}

export function trialConfig(base: RunConfig, t: PlannedTrial): RunConfig {
  return { ...base, batchSize: t.batchSize, iterSize: 1, seed: t.seed, hyper: { ...base.hyper, lr: t.lr } };
}

export async function runSweep(spec: SweepSpec, data: DataSplits, recorder: SweepRecorder, hooks: SweepHooks = {}): Promise<SweepResult> {
  if (spec.base.targetAccuracy === undefined) throw new UserError('a sweep needs --target-accuracy (e.g. 0.97): trials are compared by their time to it');
  const plan = planTrials({ ...spec.plan, trainExamples: data.train.count });
  const done = new Map(recorder.finishedTrials().map((t) => [t.key, t]));
  const todo = plan.filter((t) => !done.has(t.key));
  const fastest = new Map<number, number>();
  const noteFastest = (batchSize: number, seconds: number | null) => {
    if (seconds !== null && seconds < (fastest.get(batchSize) ?? Infinity)) fastest.set(batchSize, seconds);
  };
  for (const t of done.values()) noteFastest(t.batchSize, t.secondsToTarget);

  let ran = 0;
  let interrupted = false;
  for (const t of todo) {
    if (hooks.shouldStop?.()) {
      interrupted = true;
      break;
    }
    hooks.onTrialStart?.(t, plan.length - todo.length + ran, plan.length);
    const bar = fastest.get(t.batchSize);
    const limits: TrialLimits = { ...spec.limits, ...(spec.pruneFactor > 0 && bar !== undefined ? { pruneSeconds: bar * spec.pruneFactor } : {}) };
    const outcome = await runTrial(trialConfig(spec.base, t), data, limits, {
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
      ...(hooks.onMetric ? { onMetric: (m: TrialMetric) => hooks.onMetric!(t, m) } : {}),
    });
    if (outcome === null) {
      interrupted = true;
      break;
    }
    recorder.record(t, outcome);
    noteFastest(t.batchSize, outcome.secondsToTarget);
    ran++;
    hooks.onTrialEnd?.(t, outcome);
  }
  // Analyse what this plan covers, from the record (which may hold trials of an earlier, larger plan).
  const keys = new Set(plan.map((t) => t.key));
  const trials = recorder.finishedTrials().filter((t) => keys.has(t.key));
  return { analysis: analyseSweep(trials), trials, ran, skipped: plan.length - todo.length, total: plan.length, interrupted };
}

/** A recorder in memory, for tests and for library callers who keep their own records. */
export class MemoryRecorder implements SweepRecorder {
  readonly trials = new Map<string, RecordedTrial>();
  finishedTrials(): RecordedTrial[] {
    return [...this.trials.values()];
  }
  record(t: PlannedTrial, o: TrialOutcome): boolean {
    if (this.trials.has(t.key)) return false;
    this.trials.set(t.key, { key: t.key, batchSize: t.batchSize, lr: t.lr, seed: t.seed, ...o });
    return true;
  }
}
