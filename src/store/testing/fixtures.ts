/** Rows for the store's and the `runs` command's tests (not a test file itself). */
import type { EpochMetricRow, TrialRow } from '../store.js';

/** A trial whose every field is set, with values chosen to catch rounding and quoting. */
export function trial(runId: number, key: string, over: Partial<TrialRow> = {}): TrialRow {
  return {
    runId,
    key,
    batchSize: 64,
    iterSize: 2,
    lr: 0.1 + 0.2, // 0.30000000000000004: must come back bit for bit
    seed: 3,
    status: 'target-reached',
    stepsToTarget: 420,
    epochsToTarget: 1.7142857142857142,
    secondsToTarget: 12.345678901234567,
    samplesPerSec: 8123.456,
    bestValAccuracy: 0.9712,
    finalValAccuracy: 0.9698,
    testAccuracy: null,
    steps: 500,
    epochs: 2.0408163265306123,
    trainSeconds: 14.5,
    detail: { lrGrid: [0.01, 0.1], note: 'ünïcødé, "quoted", comma', nested: { a: [1, null, true] } },
    ...over,
  };
}

/** Three evaluations, the last two with the non-finite values a diverged trial logs. */
export const METRICS: readonly EpochMetricRow[] = [
  { step: 245, epochs: 1, trainLoss: 0.5123, valLoss: 0.4, valAccuracy: 0.91, trainSeconds: 7.25, samplesPerSec: 8000.5 },
  { step: 490, epochs: 2, trainLoss: NaN, valLoss: Infinity, valAccuracy: 0.0987, trainSeconds: 14.5, samplesPerSec: 1e-300 },
  { step: 490, epochs: 2, trainLoss: -Infinity, valLoss: 5e-324, valAccuracy: 0, trainSeconds: 14.5, samplesPerSec: 2 ** 53 },
];
