/**
 * A store written by an older batchwise upgrades on open, every row kept with its id, and then
 * takes what the new version adds (new run kinds, the 'stalled' status, progress).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { Store } from './store.js';
import { METRICS, trial } from './testing/fixtures.js';

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'bw-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A store file at schema `version`, as that version's batchwise left it, open for raw inserts. */
function rawStoreAt(name: string, version: number): { raw: Database.Database; path: string } {
  const path = join(dir, name);
  const raw = new Database(path);
  for (const m of MIGRATIONS.slice(0, version)) raw.exec(m);
  raw.pragma(`application_id = ${APPLICATION_ID}`);
  raw.pragma(`user_version = ${version}`);
  return { raw, path };
}

test('a version-1 store upgrades to the current version with its runs, trials, metrics and ids intact', () => {
  const { raw, path } = rawStoreAt('v1.db', 1);
  raw.prepare(`INSERT INTO runs (id, kind, key, label, created_at, status, config) VALUES (7, 'sweep', 'k', 'old sweep', '2026-01-01T00:00:00.000Z', 'finished', '{"a":1}')`).run();
  raw.prepare(`INSERT INTO trials (id, run_id, key, batch_size, iter_size, lr, seed, status, steps, detail, steps_to_target) VALUES (3, 7, 't', 64, 2, 0.1, 1, 'target-reached', 500, '{}', 480)`).run();
  raw.prepare(`INSERT INTO metrics (trial_id, seq, step, val_accuracy) VALUES (3, 0, 100, 0.9)`).run();
  raw.close();

  const store = Store.open(path);
  const run = store.getRun(7)!;
  assert.deepEqual([run.kind, run.label, run.config, run.progress], ['sweep', 'old sweep', { a: 1 }, null]);
  const [t] = store.trials(7);
  assert.deepEqual([t!.batchSize, t!.iterSize, t!.lr, t!.status, t!.stepsToTarget, t!.steps], [64, 2, 0.1, 'target-reached', 480, 500]);
  assert.deepEqual(store.metrics(7, 't').map((m) => [m.step, m.valAccuracy]), [[100, 0.9]]);
  assert.equal(store.check(), 'ok');

  const { run: train } = store.openRun('train', 'x', 'a training run', {});
  store.setProgress(train.id, { step: 10 });
  assert.deepEqual(store.getRun(train.id)!.progress, { step: 10 });
  assert.equal(store.recordTrial(trial(train.id, 's', { status: 'stalled' }), METRICS), true);
  assert.equal(store.trials(train.id)[0]!.status, 'stalled');
  store.finishRun(train.id, 'finished', null);
  assert.equal(store.getRun(train.id)!.progress, null, 'a finished run has nothing in progress');
  store.close();

  const after = new Database(path, { readonly: true });
  assert.equal(after.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.deepEqual(after.pragma('foreign_key_check'), []);
  after.close();
});

test('a version-2 store upgrades: its runs kept, and machine measurements can be kept', () => {
  const { raw, path } = rawStoreAt('v2.db', 2);
  raw.prepare(`INSERT INTO runs (id, kind, key, label, created_at, status, config, progress) VALUES (4, 'train', 'k', 'old train', '2026-01-01T00:00:00.000Z', 'running', '{}', '{"step":3}')`).run();
  raw.close();

  const store = Store.open(path);
  assert.deepEqual([store.getRun(4)!.label, store.getRun(4)!.progress], ['old train', { step: 3 }]);
  store.keepMachine('throughput', 'key', [{ microBatch: 1, samplesPerSec: 900 }], 4);
  assert.deepEqual(store.machine('key')!.runId, 4);
  assert.throws(() => store.keepMachine('other' as 'memory', 'key2', {}, null), /CHECK constraint/);
  assert.equal(store.check(), 'ok');
  store.close();

  const after = new Database(path, { readonly: true });
  assert.equal(after.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  after.close();
});

test('a version-3 store upgrades to version 4: trials keep their ids and metrics, gain a host and a failed status, and batch changes can be logged', () => {
  const { raw, path } = rawStoreAt('v3.db', 3);
  raw.prepare(`INSERT INTO runs (id, kind, key, label, created_at, status, config) VALUES (5, 'sweep', 'k', 'old sweep', '2026-01-01T00:00:00.000Z', 'finished', '{}')`).run();
  raw.prepare(`INSERT INTO trials (id, run_id, key, batch_size, iter_size, lr, seed, status, steps, detail) VALUES (9, 5, 't', 32, 1, 0.05, 2, 'stalled', 40, '{"why":"dead"}')`).run();
  raw.prepare(`INSERT INTO metrics (trial_id, seq, step, val_accuracy) VALUES (9, 0, 20, 0.11)`).run();
  raw.close();

  const store = Store.open(path);
  const [old] = store.trials(5);
  assert.deepEqual([old!.status, old!.seed, old!.detail, old!.host], ['stalled', 2, { why: 'dead' }, undefined]);
  assert.deepEqual(store.metrics(5, 't').map((m) => [m.step, m.valAccuracy]), [[20, 0.11]]);
  assert.equal(store.recordTrial(trial(5, 'f', { status: 'failed', host: 'worker-2' }), METRICS), true);
  assert.deepEqual(store.trials(5).map((t) => [t.key, t.status, t.host]), [['t', 'stalled', undefined], ['f', 'failed', 'worker-2']]);
  const change = { step: 0, examples: 0, microBatch: 32, iterSize: 1, lr: 0.05, bNoise: NaN, reason: 'start' };
  store.recordBatchChanges(5, 't', 0, [change, { ...change, step: 100, examples: 3200, microBatch: 128, lr: 0.1, bNoise: 410, reason: 'goodput' }]);
  // A resumed run logs again from its checkpoint's change: rewritten, not duplicated.
  store.recordBatchChanges(5, 't', 1, [{ ...change, step: 100, examples: 3200, microBatch: 256, lr: 0.14, bNoise: 420, reason: 'goodput' }]);
  assert.deepEqual(store.batchChanges(5, 't').map((c) => [c.step, c.microBatch, c.bNoise]), [[0, 32, NaN], [100, 256, 420]]);
  assert.deepEqual(store.batchChanges(5), [], 'the plain-run log is separate from a trial\'s');
  assert.equal(store.check(), 'ok');
  store.close();
});

test('a version-4 store upgrades to version 5: its machine measurements kept with their ids, and recommend\'s range tests and pilots can be kept beside them', () => {
  const { raw, path } = rawStoreAt('v4.db', 4);
  raw.prepare(`INSERT INTO runs (id, kind, key, label, created_at, status, config) VALUES (2, 'recommend', 'k', 'old advice', '2026-01-01T00:00:00.000Z', 'finished', '{}')`).run();
  raw.prepare(`INSERT INTO machine (id, key, kind, created_at, run_id, value) VALUES (6, 'mem', 'memory', '2026-01-01T00:00:00.000Z', 2, '{"largestBatch":495}')`).run();
  assert.throws(() => raw.prepare(`INSERT INTO machine (key, kind, created_at, value) VALUES ('p', 'pilot', '2026-01-01T00:00:00.000Z', '{}')`).run(), /CHECK constraint/);
  raw.close();

  const store = Store.open(path);
  assert.deepEqual(store.machine('mem'), { key: 'mem', kind: 'memory', createdAt: '2026-01-01T00:00:00.000Z', runId: 2, value: { largestBatch: 495 } });
  store.keepMachine('range-test', 'r', { lr: 0.02 }, 2);
  store.keepMachine('pilot', 'p', { steps: 45 }, null);
  assert.deepEqual([store.machine('r')!.kind, store.machine('p')!.value], ['range-test', { steps: 45 }]);
  assert.equal(store.check(), 'ok');
  store.close();
  const after = new Database(path, { readonly: true });
  assert.equal(after.prepare(`SELECT id FROM machine WHERE key = 'mem'`).pluck().get(), 6);
  after.close();
});
