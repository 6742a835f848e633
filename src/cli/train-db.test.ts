/**
 * `train --db`: a training run kept in the store as a 'train' run with its evaluation curve as one
 * trial; `--resume` continues the same store run and its finished trial holds every session's curve.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Store } from '../store/store.js';
import { assertOk, lastJson, makeBlobs, makeTempDir, removeDir, runCli, writeBlobsCsv, writeJson } from './testing/cli-fixtures.js';

let dir = '';
const BASE = ['train', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--threads', '1', '--batch-size', '33', '--db', 'runs.db'];
const train = (...args: string[]) => runCli([...BASE, ...args], dir);
// 495 training examples: 15 updates of 33 per epoch, evaluated once an epoch.
const PER_EPOCH = 15;

before(() => {
  dir = makeTempDir();
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 600, features: 10, classes: 3, seed: 2024, separation: 3 }));
  writeJson(join(dir, 'mlp.json'), { layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
});
after(() => removeDir(dir));

test('train --db keeps the run: its settings, one trial with the evaluation curve and the result, and prints its report command', () => {
  const run = train('--epochs', '3', '--json');
  assertOk(run);
  const r = lastJson(run);
  assert.match(run.stderr, new RegExp(`batchwise: report: batchwise report --db runs\\.db --run ${r['run']}\\n`));
  const store = Store.openReadOnly(join(dir, 'runs.db'));
  try {
    const stored = store.getRun(r['run'] as number)!;
    assert.deepEqual([stored.kind, stored.status, stored.progress], ['train', 'finished', null]);
    assert.equal((stored.config as { batchSize: number }).batchSize, 33);
    const [trial, ...others] = store.trials(stored.id);
    assert.equal(others.length, 0);
    assert.deepEqual(
      [trial!.key, trial!.batchSize, trial!.iterSize, trial!.status, trial!.steps, trial!.testAccuracy, trial!.finalValAccuracy],
      [`steps=${3 * PER_EPOCH}`, 33, 1, 'completed', 3 * PER_EPOCH, r['testAccuracy'], r['validationAccuracy']],
    );
    const curve = store.metrics(stored.id, trial!.key);
    assert.deepEqual(curve.map((m) => m.step), [1, 2, 3].map((e) => e * PER_EPOCH));
    assert.equal(curve[2]!.valAccuracy, r['validationAccuracy']);
    assert.equal(trial!.bestValAccuracy, Math.max(...curve.map((m) => m.valAccuracy)));
  } finally {
    store.close();
  }
  const text = train('--epochs', '1');
  assertOk(text);
  assert.match(text.stdout, /stored: runs\.db run (\d+); report: batchwise report --db runs\.db --run \1\n$/);
  assert.notEqual(Number(/run (\d+);/.exec(text.stdout)![1]), r['run'], 'without --save a run cannot be resumed: each is its own');
});

test('--resume continues the same store run; the longer trial holds the curve of both sessions', () => {
  const first = train('--epochs', '2', '--save', 'ck', '--json');
  assertOk(first);
  const resumed = train('--epochs', '4', '--resume', 'ck', '--json');
  assertOk(resumed);
  const runId = lastJson(first)['run'] as number;
  assert.equal(lastJson(resumed)['run'], runId);
  const store = Store.openReadOnly(join(dir, 'runs.db'));
  try {
    assert.equal(store.getRun(runId)!.status, 'finished');
    assert.deepEqual(store.trials(runId).map((t) => t.key), [`steps=${2 * PER_EPOCH}`, `steps=${4 * PER_EPOCH}`]);
    const short = store.metrics(runId, `steps=${2 * PER_EPOCH}`);
    const long = store.metrics(runId, `steps=${4 * PER_EPOCH}`);
    assert.deepEqual(long.map((m) => m.step), [1, 2, 3, 4].map((e) => e * PER_EPOCH));
    assert.deepEqual(long.slice(0, 2), short, 'the first session\u2019s evaluations, carried over exactly');
  } finally {
    store.close();
  }
});
