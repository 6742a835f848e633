import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Store } from '../store/store.js';
import { ProgressWriter, type TrialProgress } from './progress.js';

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'bw-progress-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the trial in progress: written at its start and at evaluations at most once per interval, cleared at its end; another process reads it', () => {
  const path = join(dir, 'p.db');
  const store = Store.open(path);
  const reader = Store.openReadOnly(path);
  const { run } = store.openRun('sweep', 'k', 'sweep', {});
  let now = 1000;
  const writer = new ProgressWriter(store, run.id, 500, () => now);
  const seen = () => reader.getRun(run.id)!.progress as TrialProgress | null;

  assert.equal(seen(), null);
  writer.start({ key: 'B=16 lr=0.1', batchSize: 16, iterSize: 2, lr: 0.1 }, 3, 12);
  assert.deepEqual(seen(), { trialKey: 'B=16 lr=0.1', batchSize: 16, iterSize: 2, lr: 0.1, index: 3, total: 12, step: 0, examples: 0, valAccuracy: null, trainSeconds: 0, elapsedSeconds: 0 });

  now += 100; // too soon after the start: not written
  writer.metric({ step: 10, trainSeconds: 0.05, valAccuracy: 0.5 });
  assert.equal(seen()!.step, 0);

  now += 500;
  writer.metric({ step: 40, trainSeconds: 0.4, valAccuracy: 0.875 });
  assert.deepEqual(
    { step: seen()!.step, examples: seen()!.examples, valAccuracy: seen()!.valAccuracy, trainSeconds: seen()!.trainSeconds, elapsedSeconds: seen()!.elapsedSeconds },
    { step: 40, examples: 40 * 16 * 2, valAccuracy: 0.875, trainSeconds: 0.4, elapsedSeconds: 0.6 },
  );

  now += 600; // a diverged evaluation: its accuracy is not a number, so it is written as null
  writer.metric({ step: 50, trainSeconds: 0.5, valAccuracy: NaN });
  assert.equal(seen()!.valAccuracy, null);

  writer.clear();
  assert.equal(seen(), null);
  writer.metric({ step: 60, trainSeconds: 0.6, valAccuracy: 0.9 }); // after the trial: ignored
  assert.equal(seen(), null);
  reader.close();
  store.close();
});
