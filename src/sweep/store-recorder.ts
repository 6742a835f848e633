/** The SQLite store as a sweep's record: one run row per sweep identity, one trial row per finished trial. */
import type { Store, TrialRow } from '../store/store.js';
import type { PlannedTrial } from './plan.js';
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
    }));
  }

  record(t: PlannedTrial, o: TrialOutcome): boolean {
    const row: TrialRow = {
      runId: this.runId,
      key: t.key,
      batchSize: t.batchSize,
      iterSize: 1,
      lr: t.lr,
      seed: t.seed,
      status: o.status,
      stepsToTarget: o.stepsToTarget,
      epochsToTarget: o.epochsToTarget,
      secondsToTarget: o.secondsToTarget,
      samplesPerSec: o.samplesPerSec,
      bestValAccuracy: o.bestValAccuracy,
      finalValAccuracy: o.finalValAccuracy,
      testAccuracy: o.testAccuracy,
      steps: o.steps,
      epochs: o.epochs,
      trainSeconds: o.trainSeconds,
      detail: { batchLabel: t.batchLabel, gridLr: t.gridLr, divergedAtStep: o.divergedAtStep },
    };
    return this.store.recordTrial(row, o.metrics);
  }
}
