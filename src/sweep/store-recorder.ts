/** The SQLite store as a sweep's record: one run row per sweep identity, one trial row per finished trial. */
import type { Store, TrialRow } from '../store/store.js';
import type { AutoFigures } from './auto-trial.js';
import { isAutoKey, type PlannedTrial } from './plan.js';
import type { RecordedTrial, SweepRecorder } from './sweep.js';
import type { TrialOutcome } from './trial.js';

export class StoreRecorder implements SweepRecorder {
  constructor(
    private readonly store: Store,
    readonly runId: number,
  ) {}

  finishedTrials(): RecordedTrial[] {
    return this.store.trials(this.runId).map((t) => ({
      key: t.key,
      batchSize: t.batchSize,
      lr: t.lr,
      seed: t.seed,
      status: t.status,
      stepsToTarget: t.stepsToTarget,
      epochsToTarget: t.epochsToTarget,
      secondsToTarget: t.secondsToTarget,
      samplesPerSec: t.samplesPerSec,
      bestValAccuracy: t.bestValAccuracy,
      finalValAccuracy: t.finalValAccuracy,
      testAccuracy: t.testAccuracy,
      ...(t.host != null ? { host: t.host } : {}),
      ...(isAutoKey(t.key) ? { auto: (t.detail as { auto: AutoFigures }).auto } : {}),
    }));
  }

  record(t: PlannedTrial, o: TrialOutcome): boolean {
    const row = trialRow(this.runId, t.key, { batchSize: t.batchSize, iterSize: 1, lr: t.lr, seed: t.seed }, o, { batchLabel: t.auto ? 'auto' : t.batchLabel, gridLr: t.gridLr });
    // The changes first: the trial row is what marks the trial done, and a rerun rewrites the changes.
    if (o.batchChanges !== undefined) this.store.recordBatchChanges(this.runId, t.key, 0, o.batchChanges);
    return this.store.recordTrial(row, o.metrics);
  }
}

/** A finished trial as the store keeps it (its metrics go beside it); `detail` gets the divergence step. */
export function trialRow(
  runId: number,
  key: string,
  at: { readonly batchSize: number; readonly iterSize: number; readonly lr: number; readonly seed: number },
  o: TrialOutcome,
  detail: Record<string, unknown> = {},
): TrialRow {
  const { metrics: _metrics, divergedAtStep, detail: more, auto, batchChanges: _changes, ...rest } = o;
  const { curve: _curve, ...figures } = rest as typeof rest & { curve?: unknown };
  return { runId, key, ...at, ...figures, detail: { ...detail, ...more, divergedAtStep, ...(auto !== undefined ? { auto } : {}) } };
}
