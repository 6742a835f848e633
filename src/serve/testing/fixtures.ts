/** A small store for the dashboard's tests (not a test file itself): one sweep with curves, one fit without trials. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type EpochMetricRow, type TrialRow } from '../../store/store.js';

export function sweepTrial(runId: number, batchSize: number, lr: number, over: Partial<TrialRow> = {}): TrialRow {
  return {
    runId,
    key: `B=${batchSize} lr=${lr} seed=1`,
    batchSize,
    iterSize: 1,
    lr,
    seed: 1,
    status: 'target-reached',
    stepsToTarget: Math.round(4000 / batchSize) + 10,
    epochsToTarget: 0.5,
    secondsToTarget: 1.25,
    samplesPerSec: 5000,
    bestValAccuracy: 0.95,
    finalValAccuracy: 0.94,
    testAccuracy: null,
    steps: Math.round(4000 / batchSize) + 10,
    epochs: 0.5,
    trainSeconds: 1.25,
    detail: {},
    ...over,
  };
}

/** Evaluations at 1/4, 2/4, 3/4 and 4/4 of `steps`, accuracy rising to `last`. */
export function curve(steps: number, last: number): EpochMetricRow[] {
  return [1, 2, 3, 4].map((i) => ({
    step: Math.round((steps * i) / 4),
    epochs: i / 8,
    trainLoss: 1 / i,
    valLoss: 1.1 / i,
    valAccuracy: last - (4 - i) * 0.05,
    trainSeconds: i * 0.3,
    samplesPerSec: 5000,
  }));
}

export interface Seeded {
  readonly sweepId: number;
  readonly fitId: number;
}

/** A sweep run with `trials` trials (batch 8, 16, ...) and a fit run; the sweep stays running. */
export function seedStore(store: Store, trials = 3): Seeded {
  const sweep = store.openRun('sweep', 'sweep-key', 'mlp on blobs, momentum, target 0.9 <b>bold</b>', { target: 0.9 }).run;
  for (let i = 0; i < trials; i++) {
    const t = sweepTrial(sweep.id, 8 * 2 ** i, 0.05);
    store.recordTrial(t, curve(t.steps, 0.95));
  }
  const fit = store.openRun('fit', 'fit-key', 'mlp on blobs, 1 GiB', {}).run;
  store.finishRun(fit.id, 'finished', { largestBatch: 512 });
  return { sweepId: sweep.id, fitId: fit.id };
}

/** A new temporary folder holding `s.db`, seeded by `seedStore` and closed, for a reader to open. */
export function seededStoreFile(prefix: string, trials: number): { readonly dir: string; readonly db: string; readonly ids: Seeded } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = join(dir, 's.db');
  const w = Store.open(db);
  try {
    return { dir, db, ids: seedStore(w, trials) };
  } finally {
    w.close();
  }
}
