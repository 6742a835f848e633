/**
 * The trial in progress, written to its run (`runs.progress`) for live readers such as
 * `batchwise serve`: set when a trial starts and at its evaluations, cleared once it is recorded.
 *
 * Each write is a commit, and the store syncs every commit (synchronous = FULL), so evaluations
 * closer together than `minIntervalMs` are not written: a sweep of fast trials pays at most a few
 * syncs a second, whatever its evaluation rate. A trial's start is always written.
 */
import type { EpochMetricRow, Store } from '../store/store.js';

/** What `runs.progress` holds while a trial runs (JSON). */
export interface TrialProgress {
  readonly trialKey: string;
  readonly batchSize: number;
  readonly iterSize: number;
  readonly lr: number;
  /** The trial's place in its run (0-based), and the run's trial count, where known. */
  readonly index: number | null;
  readonly total: number | null;
  /** Updates done, and the examples they used (steps × batch size × iter size). */
  readonly step: number;
  readonly examples: number;
  /** At the latest evaluation; null before the first. */
  readonly valAccuracy: number | null;
  readonly trainSeconds: number;
  /** Wall seconds since the trial started. */
  readonly elapsedSeconds: number;
}

export interface ProgressTrial {
  readonly key: string;
  readonly batchSize: number;
  readonly iterSize: number;
  readonly lr: number;
}

export class ProgressWriter {
  private trial: ProgressTrial | null = null;
  private place: { index: number | null; total: number | null } = { index: null, total: null };
  private startedMs = 0;
  private writtenMs = -Infinity;

  constructor(
    private readonly store: Store,
    private readonly runId: number,
    private readonly minIntervalMs = 500,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** `fromStep`: where a resumed run starts. */
  start(trial: ProgressTrial, index: number | null = null, total: number | null = null, fromStep = 0): void {
    this.trial = trial;
    this.place = { index, total };
    this.startedMs = this.nowMs();
    this.write({ step: fromStep, trainSeconds: 0, valAccuracy: null });
  }

  /** At an evaluation of the trial started last; skipped when the last write is too recent. */
  metric(m: Pick<EpochMetricRow, 'step' | 'trainSeconds' | 'valAccuracy'>): void {
    if (this.trial === null || this.nowMs() - this.writtenMs < this.minIntervalMs) return;
    this.write({ step: m.step, trainSeconds: m.trainSeconds, valAccuracy: Number.isFinite(m.valAccuracy) ? m.valAccuracy : null });
  }

  clear(): void {
    if (this.trial === null) return;
    this.trial = null;
    this.store.setProgress(this.runId, null);
  }

  private write(at: { step: number; trainSeconds: number; valAccuracy: number | null }): void {
    const t = this.trial!;
    const now = this.nowMs();
    const progress: TrialProgress = {
      trialKey: t.key,
      batchSize: t.batchSize,
      iterSize: t.iterSize,
      lr: t.lr,
      ...this.place,
      step: at.step,
      examples: at.step * t.batchSize * t.iterSize,
      valAccuracy: at.valAccuracy,
      trainSeconds: at.trainSeconds,
      elapsedSeconds: (now - this.startedMs) / 1000,
    };
    this.store.setProgress(this.runId, progress);
    this.writtenMs = now;
  }
}
