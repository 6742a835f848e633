/**
 * `train --db`: a plain training run kept in the store as a run of kind 'train', as TensorBoard
 * keeps one: its settings, the evaluation in progress while it trains, and on finish one trial
 * whose metrics are the whole evaluation curve, with its final figures.
 *
 * Identity: the run's trajectory settings and its checkpoint folder, so `--resume DIR` continues
 * the same store run. A run without --save cannot be resumed and is a run of its own each time.
 * A Ctrl-C keeps the curve so far in the run's summary; the resumed session prepends it (up to the
 * checkpoint's step), so the finished trial holds the curve of every session. Its key is its final
 * step count: a finished run resumed for more epochs adds the longer curve beside the shorter.
 */
import { createHash, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { RunInfo, RunResult } from '../engine/run.js';
import { TRAJECTORY_KEYS } from '../engine/run-config.js';
import type { EvaluationEvent } from '../engine/train-loop.js';
import type { BatchChangeRow } from '../store/rows.js';
import type { EpochMetricRow, Store, TrialRow } from '../store/store.js';
import { ProgressWriter } from '../sweep/progress.js';

/** The store's identity of a training run: its trajectory settings and where it checkpoints. */
export function trainIdentity(info: RunInfo, checkpointDir: string | undefined): string {
  // A cosine re-planned on resume is the same run continued, not another one.
  const trajectory = Object.fromEntries(TRAJECTORY_KEYS.filter((k) => k !== 'cosineRestart').map((k) => [k, info.config[k]]));
  const hash = createHash('sha256').update(JSON.stringify(trajectory)).digest('hex').slice(0, 16);
  return checkpointDir === undefined ? `${hash}#${randomUUID()}` : `${hash}@${resolve(checkpointDir)}`;
}

export class TrainRecord {
  private readonly curve: EpochMetricRow[];
  private readonly live: ProgressWriter;

  private constructor(
    private readonly store: Store,
    readonly runId: number,
    private readonly info: RunInfo,
    private readonly checkpointDir: string | undefined,
    earlier: readonly EpochMetricRow[],
  ) {
    this.curve = [...earlier];
    this.live = new ProgressWriter(store, runId);
    const c = info.config;
    this.live.start({ key: 'training', batchSize: info.microBatch, iterSize: info.iterSize, lr: c.hyper.lr ?? NaN }, null, null, info.resumedFromStep);
  }

  static open(store: Store, info: RunInfo, checkpointDir: string | undefined): TrainRecord {
    const c = info.config;
    const label = `${c.modelName} on ${c.dataset}, batch ${info.microBatch}×${info.iterSize}, ${c.optimizer} lr ${c.hyper.lr}`;
    const { run, created } = store.openRun('train', trainIdentity(info, checkpointDir), label, c);
    return new TrainRecord(store, run.id, info, checkpointDir, created ? [] : earlierCurve(store, run.id, run.summary, info.resumedFromStep));
  }

  evaluation(e: EvaluationEvent): void {
    const m: EpochMetricRow = { step: e.step, epochs: e.epochs, trainLoss: e.trainLoss, valLoss: e.validation.loss, valAccuracy: e.validation.accuracy, trainSeconds: e.trainSeconds, samplesPerSec: e.samplesPerSec };
    this.curve.push(m);
    this.live.metric(m);
  }

  finish(r: RunResult, wallSeconds: number, summary: Record<string, unknown>): void {
    if (r.status === 'interrupted') {
      this.store.finishRun(this.runId, 'interrupted', { ...summary, wallSeconds, metrics: this.curve });
      return;
    }
    const accuracies = this.curve.map((m) => m.valAccuracy).filter(Number.isFinite);
    const trial: TrialRow = {
      runId: this.runId,
      key: `steps=${r.steps}`,
      batchSize: this.info.microBatch,
      iterSize: this.info.iterSize,
      lr: this.info.config.hyper.lr ?? NaN,
      seed: this.info.config.seed,
      status: r.status,
      stepsToTarget: r.target?.steps ?? null,
      epochsToTarget: r.target?.epochs ?? null,
      secondsToTarget: r.target?.trainSeconds ?? null,
      samplesPerSec: r.samplesPerSec,
      bestValAccuracy: accuracies.length > 0 ? Math.max(...accuracies) : NaN,
      finalValAccuracy: r.validation?.accuracy ?? NaN,
      testAccuracy: r.test?.accuracy ?? null,
      steps: r.steps,
      epochs: r.epochs,
      trainSeconds: r.trainSeconds,
      detail: { divergedAtStep: r.divergedAtStep, checkpoint: this.checkpointDir === undefined ? null : resolve(this.checkpointDir), effectiveBatch: this.info.effectiveBatch },
    };
    this.store.recordTrial(trial, this.curve);
    this.store.finishRun(this.runId, 'finished', { ...summary, wallSeconds });
  }

  /** An adaptive batch's change, numbered from 0 over every session of the run (a resume continues the numbering). */
  batchChange(change: BatchChangeRow, seq: number): void {
    this.store.recordBatchChanges(this.runId, '', seq, [change]);
  }

  /** The worker failed: the run is marked so, with the reason. */
  fail(e: unknown): void {
    this.store.finishRun(this.runId, 'failed', { error: (e as Error)?.message ?? String(e), metrics: this.curve });
  }
}

/** The evaluations an earlier session of this run made up to the checkpoint it resumes from. */
function earlierCurve(store: Store, runId: number, summary: unknown, resumedFromStep: number): EpochMetricRow[] {
  const kept = (summary as { metrics?: EpochMetricRow[] } | null)?.metrics;
  const fromTrial = () => {
    const trials = store.trials(runId);
    const longest = trials.reduce<TrialRow | null>((a, t) => (a === null || t.steps > a.steps ? t : a), null);
    return longest === null ? [] : store.metrics(runId, longest.key);
  };
  // JSON turned non-finite figures into null; the store's rows want NaN.
  const rows = (kept ?? fromTrial()).map((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v === null ? NaN : v])) as unknown as EpochMetricRow);
  return rows.filter((m) => m.step <= resumedFromStep);
}
