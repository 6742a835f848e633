/**
 * The store round-trips every value exactly (NaN and infinities included), refuses a trial twice,
 * finds a run again by its key, and turns every wrong file into one clear UserError.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import { APPLICATION_ID, SCHEMA_VERSION } from './schema.js';
import { Store, type NoiseRow, type ProbeRow, type RunRow } from './store.js';
import { METRICS, trial } from './testing/fixtures.js';

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'bw-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test('a new store file: parent folders created, schema version, WAL, application id', () => {
  const path = join(dir, 'a', 'b', 'new.db');
  const store = Store.open(path);
  assert.deepEqual(store.listRuns(), []);
  assert.equal(store.check(), 'ok');
  store.close();
  const raw = new Database(path, { readonly: true });
  assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(raw.pragma('application_id', { simple: true }), APPLICATION_ID);
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  const tables = raw.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all();
  assert.deepEqual(tables, ['batch_changes', 'machine', 'metrics', 'noise', 'probes', 'runs', 'trials']);
  raw.close();
});

test('a machine measurement is kept under its key, replaced by a remeasure, and credited to its run once stored', () => {
  const path = join(dir, 'machine.db');
  let store = Store.open(path);
  assert.equal(store.machine('k'), undefined);
  store.keepMachine('memory', 'k', { largestBatch: 495, probes: [1, 2] }, null, '2026-01-01T00:00:00.000Z');
  store.keepMachine('matmul', 'm', { gflops: 41.5 }, null, '2026-01-01T00:00:01.000Z');
  const { run } = store.openRun('recommend', 'r', 'a recommendation', {});
  store.linkMachine(['k'], run.id);
  store.close();
  store = Store.open(path);
  assert.deepEqual(store.machine('k'), { key: 'k', kind: 'memory', createdAt: '2026-01-01T00:00:00.000Z', runId: run.id, value: { largestBatch: 495, probes: [1, 2] } });
  assert.equal(store.machine('m')!.runId, null, 'only the keys named are credited');
  store.keepMachine('memory', 'k', { largestBatch: 300 }, null, '2026-01-02T00:00:00.000Z');
  store.linkMachine(['k'], run.id);
  assert.deepEqual([store.machine('k')!.createdAt, store.machine('k')!.value], ['2026-01-02T00:00:00.000Z', { largestBatch: 300 }]);
  assert.equal(store.check(), 'ok');
  store.close();
});

test('a kept measurement reads back with its infinities and NaNs, which plain JSON would turn into null', () => {
  const path = join(dir, 'kept.db');
  let store = Store.open(path);
  const value = { measurements: [{ bSimple: Infinity, bSimpleLow: 120, bSimpleHigh: Infinity, loss: NaN, low: -Infinity }], note: { $number: 'not a number' }, list: [1, null] };
  store.keepMachine('pilot', 'p', value, null);
  store.close();
  store = Store.open(path);
  assert.deepEqual(store.machine('p')!.value, value);
  store.close();
});

test('runs, trials, metrics, probes and noise round-trip exactly, across a reopen', () => {
  const path = join(dir, 'roundtrip.db');
  let store = Store.open(path);
  const config = { model: 'mlp', batchSizes: [1, 2, 4], target: 0.97, lrRule: null };
  const opened = store.openRun('sweep', 'key-1', 'mlp on mnist, B = 1…4', config);
  assert.equal(opened.created, true);
  assert.equal(opened.previousStatus, null);
  const run = opened.run;
  assert.equal(run.id, 1);
  assert.deepEqual({ ...run, createdAt: '' }, { id: 1, kind: 'sweep', key: 'key-1', label: 'mlp on mnist, B = 1…4', createdAt: '', finishedAt: null, status: 'running', config, summary: null, progress: null });
  assert.match(run.createdAt, ISO);

  const t1 = trial(run.id, 'b64-lr0.3-s3');
  const t2 = trial(run.id, 'b8-lr1e-7-s1', { batchSize: 8, iterSize: 1, lr: 1e-7, seed: 1, status: 'diverged', stepsToTarget: null, epochsToTarget: null, secondsToTarget: null, testAccuracy: 0.5, samplesPerSec: NaN, detail: null });
  assert.equal(store.recordTrial(t1, METRICS), true);
  assert.equal(store.recordTrial(t2, []), true);

  const probes: ProbeRow[] = [
    { batchSize: 1, ok: true, peakBytes: 123_456_789, reason: null, seconds: 0.25 },
    { batchSize: 4096, ok: false, peakBytes: null, reason: 'over budget: 2.1 GiB > 2 GiB', seconds: 1.5 },
    { batchSize: 2048, ok: true, peakBytes: 2 ** 40 + 1, reason: null, seconds: 0.75 },
  ];
  store.recordProbes(run.id, probes.slice(0, 2));
  store.recordProbes(run.id, probes.slice(2)); // appends, keeps the order of recording
  const noise: NoiseRow[] = [
    { step: 10, epochs: 0.04, trainLoss: 2.1, bSmall: 32, bBig: 512, gradSq: 0.0123, traceSigma: 4.56, bSimple: 370.73170731707316, bSimpleLow: 300, bSimpleHigh: 450 },
    { step: 20, epochs: 0.08, trainLoss: 1.9, bSmall: 32, bBig: 512, gradSq: -0.001, traceSigma: 4.7, bSimple: NaN, bSimpleLow: -Infinity, bSimpleHigh: Infinity },
  ];
  store.recordNoise(run.id, noise);
  store.finishRun(run.id, 'finished', { timeOptimalBatch: 64, regimes: ['perfect', 'diminishing'] });

  for (let pass = 0; pass < 2; pass++) {
    assert.deepEqual(store.trials(run.id), [t2, t1], 'ordered by batch size');
    assert.deepEqual(store.metrics(run.id, t1.key), METRICS);
    assert.deepEqual(store.metrics(run.id, t2.key), []);
    assert.deepEqual(store.metrics(run.id, 'no-such-trial'), []);
    assert.deepEqual(store.runMetrics(run.id), new Map([[t1.key, METRICS]]), 'all of a run’s metrics at once, trials without any absent');
    assert.deepEqual(store.trialKeys(run.id), new Set([t1.key, t2.key]));
    assert.deepEqual(store.probes(run.id), probes);
    assert.deepEqual(store.noise(run.id), noise);
    assert.deepEqual([...store.trialCounts()], [[1, 2]]);
    const done: RunRow = store.getRun(run.id)!;
    assert.equal(done.status, 'finished');
    assert.deepEqual(done.summary, { timeOptimalBatch: 64, regimes: ['perfect', 'diminishing'] });
    assert.match(done.finishedAt!, ISO);
    assert.ok(done.finishedAt! >= done.createdAt);
    assert.equal(store.check(), 'ok');
    store.close();
    store = Store.open(path);
  }
  store.close();
});

test('trials are ordered by batch size, then learning rate, then seed', () => {
  const store = Store.open(join(dir, 'order.db'));
  const { run } = store.openRun('sweep', 'k', 'order', {});
  const specs: [number, number, number][] = [[32, 0.1, 2], [8, 0.5, 1], [32, 0.01, 9], [32, 0.1, 1], [1024, 0.001, 0], [8, 0.05, 4]];
  specs.forEach(([batchSize, lr, seed], i) => assert.ok(store.recordTrial(trial(run.id, `t${i}`, { batchSize, lr, seed }), [])));
  assert.deepEqual(
    store.trials(run.id).map((t) => [t.batchSize, t.lr, t.seed]),
    [[8, 0.05, 4], [8, 0.5, 1], [32, 0.01, 9], [32, 0.1, 1], [32, 0.1, 2], [1024, 0.001, 0]],
  );
  store.close();
});

test('a trial recorded twice is refused and never counted twice; the same key in another run is its own', () => {
  const store = Store.open(join(dir, 'dup.db'));
  const a = store.openRun('sweep', 'a', 'A', {}).run;
  const b = store.openRun('sweep', 'b', 'B', {}).run;
  assert.equal(store.recordTrial(trial(a.id, 'x'), METRICS), true);
  assert.equal(store.recordTrial(trial(a.id, 'x', { batchSize: 1, bestValAccuracy: 0.1 }), METRICS.slice(0, 1)), false);
  assert.deepEqual(store.trials(a.id), [trial(a.id, 'x')], 'the first record stands');
  assert.deepEqual(store.metrics(a.id, 'x'), METRICS, 'its metrics unchanged, none added');
  assert.equal(store.recordTrial(trial(b.id, 'x', { batchSize: 16 }), METRICS.slice(0, 1)), true);
  assert.deepEqual(store.metrics(b.id, 'x'), METRICS.slice(0, 1));
  assert.deepEqual([...store.trialCounts()].sort(), [[a.id, 1], [b.id, 1]]);
  store.close();
});

test('dropFailedTrials forgets only the run\'s failed trials, with their metrics, so they can be recorded again', () => {
  const store = Store.open(join(dir, 'failed.db'));
  const a = store.openRun('sweep', 'a', 'A', {}).run;
  const b = store.openRun('sweep', 'b', 'B', {}).run;
  store.recordTrial(trial(a.id, 'ok'), METRICS);
  store.recordTrial(trial(a.id, 'bad', { status: 'failed' }), METRICS.slice(0, 1));
  store.recordTrial(trial(b.id, 'bad', { status: 'failed' }), []);
  assert.deepEqual(store.dropFailedTrials(a.id), ['bad']);
  assert.deepEqual(store.trials(a.id).map((t) => t.key), ['ok']);
  assert.deepEqual(store.metrics(a.id, 'bad'), []);
  assert.deepEqual(store.trials(b.id).map((t) => t.status), ['failed'], 'another run keeps its own');
  assert.equal(store.recordTrial(trial(a.id, 'bad'), METRICS), true);
  assert.equal(store.check(), 'ok');
  store.close();
});

test('a trial for a run that does not exist is a bug: the foreign key refuses it', () => {
  const store = Store.open(join(dir, 'fk.db'));
  assert.throws(() => store.recordTrial(trial(99, 'x'), METRICS), /FOREIGN KEY constraint failed/);
  assert.equal(store.check(), 'ok');
  store.close();
});

test('resume: the same kind and key open the same run (created: false), marked running again', () => {
  const path = join(dir, 'resume.db');
  let store = Store.open(path);
  const first = store.openRun('sweep', 'same-key', 'first label', { v: 1 });
  store.recordTrial(trial(first.run.id, 't1'), []);
  store.finishRun(first.run.id, 'interrupted', { done: 1 });
  store.close();

  store = Store.open(path);
  const again = store.openRun('sweep', 'same-key', 'second label', { v: 2 });
  assert.equal(again.created, false);
  assert.equal(again.previousStatus, 'interrupted');
  assert.equal(again.run.id, first.run.id);
  assert.equal(again.run.status, 'running');
  assert.equal(again.run.finishedAt, null);
  assert.equal(again.run.label, 'first label', 'label and config stay as first stored');
  assert.deepEqual(again.run.config, { v: 1 });
  assert.deepEqual(again.run.summary, { done: 1 }, 'the last summary is kept until the next finishRun');
  assert.equal(again.run.createdAt, first.run.createdAt);
  assert.deepEqual(store.trialKeys(again.run.id), new Set(['t1']));

  const otherKind = store.openRun('recommend', 'same-key', 'rec', {});
  assert.equal(otherKind.created, true);
  const otherKey = store.openRun('sweep', 'other-key', 'other', {});
  assert.equal(otherKey.created, true);
  assert.deepEqual(store.listRuns().map((r) => [r.id, r.kind, r.key]), [[3, 'sweep', 'other-key'], [2, 'recommend', 'same-key'], [1, 'sweep', 'same-key']], 'newest first');
  assert.equal(store.getRun(4), undefined);
  store.close();
});

test('a reader sees a writer\'s commits while the writer stays open (WAL)', () => {
  const path = join(dir, 'wal.db');
  const writer = Store.open(path);
  const { run } = writer.openRun('fit', 'k', 'fit', { memory: '2GiB' });
  const reader = Store.openReadOnly(path);
  assert.deepEqual(reader.listRuns().map((r) => r.id), [run.id]);
  writer.recordProbes(run.id, [{ batchSize: 2, ok: true, peakBytes: 10, reason: null, seconds: 0.5 }]);
  assert.equal(reader.probes(run.id).length, 1);
  assert.throws(() => reader.openRun('fit', 'k2', 'x', {}), /readonly/);
  reader.close();
  writer.close();
});

test('trialsAfter: a reader\'s cursor returns only the trials stored after it, in the order stored', () => {
  const path = join(dir, 'cursor.db');
  const writer = Store.open(path);
  const a = writer.openRun('sweep', 'a', 'a', {}).run;
  const b = writer.openRun('sweep', 'b', 'b', {}).run;
  writer.recordTrial(trial(a.id, 'B=64'), []);
  writer.recordTrial(trial(b.id, 'other'), []);
  writer.recordTrial(trial(a.id, 'B=8', { batchSize: 8 }), []);
  const reader = Store.openReadOnly(path);
  const all = reader.trialsAfter(a.id, 0);
  assert.deepEqual(all.map((r) => r.trial.key), ['B=64', 'B=8'], 'stored order, not batch order; the other run\'s trial left out');
  assert.ok(all[0]!.id < all[1]!.id);
  assert.deepEqual(reader.trialsAfter(a.id, all[0]!.id).map((r) => r.trial.key), ['B=8']);
  assert.deepEqual(reader.trialsAfter(a.id, all[1]!.id), []);
  writer.recordTrial(trial(a.id, 'B=16', { batchSize: 16 }), []);
  assert.deepEqual(reader.trialsAfter(a.id, all[1]!.id).map((r) => [r.trial.key, r.trial.batchSize]), [['B=16', 16]]);
  reader.close();
  writer.close();
});

function userError(fn: () => unknown): string {
  let message = '';
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `a UserError, got ${String(e)}`);
    message = e.message;
    return true;
  });
  assert.ok(!message.includes('\n'), `one line: ${message}`);
  return message;
}

test('wrong files are one-line UserErrors that name the path and the fix', () => {
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'this is a text file, not a database\n'.repeat(20));
  assert.equal(userError(() => Store.open(text)), `--db ${text}: not a SQLite database (file is not a database); give --db a new file name or a store batchwise wrote`);
  assert.equal(userError(() => Store.openReadOnly(text)), `--db ${text}: not a SQLite database (file is not a database); give --db a new file name or a store batchwise wrote`);

  const missing = join(dir, 'missing.db');
  assert.equal(userError(() => Store.openReadOnly(missing)), `--db ${missing}: no such file; give the file a sweep, fit, noise, recommend, train or lab run wrote with --db`);

  const foreign = join(dir, 'foreign.db');
  const f = new Database(foreign);
  f.exec('CREATE TABLE customers (id INTEGER); CREATE TABLE orders (id INTEGER)');
  f.close();
  assert.equal(userError(() => Store.open(foreign)), `--db ${foreign}: a SQLite database but not a batchwise store (its tables are customers, orders); give --db a new file name or a store batchwise wrote`);
  const f2 = new Database(foreign, { readonly: true });
  assert.deepEqual(f2.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all(), ['customers', 'orders'], 'the foreign file is left as it was');
  f2.close();

  const newer = join(dir, 'newer.db');
  Store.open(newer).close();
  const n = new Database(newer);
  n.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  n.close();
  const why = `written by a newer batchwise (store schema version ${SCHEMA_VERSION + 1}, this one reads up to ${SCHEMA_VERSION}); upgrade batchwise or give --db another file`;
  assert.equal(userError(() => Store.open(newer)), `--db ${newer}: ${why}`);
  assert.equal(userError(() => Store.openReadOnly(newer)), `--db ${newer}: ${why}`);

  const empty = join(dir, 'empty.db');
  writeFileSync(empty, '');
  assert.equal(userError(() => Store.openReadOnly(empty)), `--db ${empty}: an empty store with no runs yet; run a sweep, fit, noise, recommend, train or lab with this --db first`);
  const s = Store.open(empty); // an empty file is a fine place to create a store
  assert.deepEqual(s.listRuns(), []);
  s.close();

  assert.match(userError(() => Store.open(dir)), new RegExp(`^--db ${dir}: cannot open it \\(unable to open database file\\); give --db a writable file path$`));
  assert.match(userError(() => Store.open(join(text, 'under-a-file.db'))), /^--db .*under-a-file\.db: cannot open it \(.*\); give --db a writable file path$/);
});
