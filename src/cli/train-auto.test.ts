/**
 * `train --batch-size auto` from the command line: its flags refused where they do not apply, and
 * a run kept in the store with its batch changes, the throughput curve kept and reused.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { plotsForRun } from '../report/run-plots.js';
import { Store } from '../store/store.js';
import { assertOk, assertUserError, lastJson, makeBlobs, makeTempDir, removeDir, runCli, writeBlobsCsv, writeJson } from './testing/cli-fixtures.js';

let dir = '';
before(() => {
  dir = makeTempDir();
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 600, features: 10, classes: 3, seed: 7, separation: 3 }));
  writeJson(join(dir, 'mlp.json'), { layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
});
after(() => removeDir(dir));

const train = (...args: string[]) => runCli(['train', '--threads', '1', '--dataset', 'blobs.csv', '--model', 'mlp.json', ...args], dir, 120_000);

test('auto-only flags without --batch-size auto, and flags auto decides itself, are refused with the fix', () => {
  assert.match(assertUserError(train('--auto-max', '64')), /--auto-min, --auto-start, --auto-max and --memory apply to --batch-size auto/);
  assert.match(assertUserError(train('--batch-size', 'auto', '--iter-size', '2')), /drop --iter-size/);
  assert.match(assertUserError(train('--batch-size', 'auto', '--schedule', 'cosine')), /drop --schedule/);
  assert.match(assertUserError(train('--batch-size', 'huge')), /--batch-size.*"auto"/);
  assert.match(assertUserError(train('--auto-start', '16')), /--auto-min, --auto-start, --auto-max and --memory apply to --batch-size auto/);
  assert.match(assertUserError(train('--batch-size', 'auto', '--auto-min', '8', '--auto-start', '12')), /^--auto-start 12 is not a batch the run may take \(--auto-min doubled up to --auto-max: 8, 16, 32, 64, …, 4096\); use one of them$/m);
});

test('--auto-start: the run starts there at --lr (its shrinking below the start is tested in adaptive/run.test.ts)', () => {
  const run = train('--batch-size', 'auto', '--auto-min', '4', '--auto-start', '16', '--auto-max', '64', '--lr', '0.03', '--epochs', '1', '--json', '--db', 'start.db');
  assertOk(run);
  const r = lastJson(run);
  const store = Store.open(join(dir, 'start.db'));
  try {
    const [start] = store.batchChanges(r['run'] as number);
    assert.deepEqual([start!.microBatch * start!.iterSize, start!.lr, start!.reason], [16, 0.03, 'start']);
  } finally {
    store.close();
  }
});

test('train --batch-size auto --db keeps its changes (numbered from the start) and its curve, which the next run reuses', () => {
  const args = ['--batch-size', 'auto', '--auto-min', '8', '--auto-max', '64', '--epochs', '3', '--json', '--db', 'auto.db'];
  const first = train(...args);
  assertOk(first);
  const r = lastJson(first);
  assert.equal(r['status'], 'completed');
  assert.ok((r['curveSeconds'] as number) > 0, 'the first run measures the curve');
  assert.ok((r['noiseOverhead'] as number) >= 0);
  const store = Store.open(join(dir, 'auto.db'));
  try {
    const changes = store.batchChanges(r['run'] as number);
    assert.equal(changes.length, r['batchChanges']);
    assert.deepEqual([changes[0]!.step, changes[0]!.microBatch, changes[0]!.iterSize, changes[0]!.reason], [0, 8, 1, 'start']);
    assert.ok(plotsForRun(store, r['run'] as number).plots.some((p) => p.name === 'batch-along-training'));
  } finally {
    store.close();
  }
  const second = train(...args, '--seed', '2');
  assertOk(second);
  assert.match(second.stderr, /throughput curve reused from run \d+/);
  assert.equal(lastJson(second)['curveSeconds'], 0);
});

test('--resume DIR alone continues an auto run with its own loop, its schedule and its curve', () => {
  const first = train('--batch-size', 'auto', '--auto-min', '8', '--auto-max', '64', '--epochs', '1', '--save', 'auto-ck', '--json');
  assertOk(first);
  const one = lastJson(first);
  assert.equal(one['epochs'], 1);
  const resumed = train('--resume', 'auto-ck', '--epochs', '2', '--json');
  assertOk(resumed);
  const two = lastJson(resumed);
  assert.equal(two['epochs'], 2);
  assert.equal(two['curveSeconds'], 0, 'the checkpoint’s curve, not a new one');
  assert.ok((two['examples'] as number) > (one['examples'] as number), 'examples count on from the first session');
  assert.ok((two['batchChanges'] as number) >= (one['batchChanges'] as number));
});
