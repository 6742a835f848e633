import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Examples } from './dataset.js';
import { makeIdx, throwsUser } from '../testing/data-fixtures.js';
import { datasetKind, fitNormalization, loadDataset, splitIndices } from './load.js';

const base = { validationFraction: 1 / 12, testFraction: 0.1, seed: 1 };

/** Mean and std of feature `f` (or of every value when `features` is 1). */
function stats(x: Float32Array, features: number, f = 0): { mean: number; std: number } {
  let sum = 0;
  let n = 0;
  for (let i = f; i < x.length; i += features) {
    sum += x[i]!;
    n++;
  }
  const mean = sum / n;
  let sq = 0;
  for (let i = f; i < x.length; i += features) sq += (x[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(sq / n) };
}

test('splitIndices: exact sizes, disjoint, covering, seeded', () => {
  const s = splitIndices(60000, 1 / 12, 0, 42);
  assert.equal(s.validation.length, 5000);
  assert.equal(s.train.length, 55000);
  assert.equal(s.test.length, 0);
  const t = splitIndices(1000, 0.2, 0.1, 42);
  assert.deepEqual([t.test.length, t.validation.length, t.train.length], [100, 180, 720]);
  const seen = new Uint8Array(1000);
  for (const part of [t.train, t.validation, t.test]) for (const i of part) seen[i]!++;
  assert.ok(seen.every((c) => c === 1), 'each index in exactly one split');
  assert.deepEqual(splitIndices(1000, 0.2, 0.1, 42), t);
  assert.notDeepEqual(splitIndices(1000, 0.2, 0.1, 43).validation, t.validation);
});

test('fitNormalization: per feature, constant feature gets std 1', () => {
  const n = fitNormalization(new Float32Array([1, 5, 3, 5]), 2, 2);
  assert.deepEqual(Array.from(n.mean), [2, 5]);
  assert.deepEqual(Array.from(n.std), [1, 1]);
  const g = fitNormalization(new Float32Array([0, 2, 4, 6]), 2, 1);
  assert.deepEqual(Array.from(g.mean), [3]);
  assert.equal(g.std[0], Math.fround(Math.sqrt(5)));
});

test('mnist: 55,000 / 5,000 / 10,000, normalised on train, seeded', () => {
  const a = loadDataset({ dataset: 'mnist', ...base, seed: 7 });
  assert.equal(a.name, 'mnist');
  assert.equal(a.numClasses, 10);
  assert.deepEqual(a.featureShape, [784]);
  assert.deepEqual([a.train.count, a.validation.count, a.test.count], [55000, 5000, 10000]);
  assert.equal(a.train.x.length, 55000 * 784);
  assert.equal(a.test.y[0], 7);
  assert.equal(a.normalization.mean.length, 1);
  assert.ok(Math.abs(a.normalization.mean[0]! - 0.1307) < 1e-3);
  const s = stats(a.train.x, 1);
  assert.ok(Math.abs(s.mean) < 1e-3 && Math.abs(s.std - 1) < 1e-3, JSON.stringify(s));
  // The test split is t10k as it is, only normalised with the train statistics.
  assert.equal(a.test.x[0], Math.fround((0 - a.normalization.mean[0]!) / a.normalization.std[0]!));

  const same = loadDataset({ dataset: 'mnist', ...base, seed: 7, imageShape: true });
  assert.deepEqual(same.featureShape, [1, 28, 28]);
  assert.deepEqual(same.validation.y, a.validation.y);
  assert.deepEqual(same.validation.x, a.validation.x);
  const other = loadDataset({ dataset: 'mnist', ...base, seed: 8 });
  assert.notDeepEqual(other.validation.y, a.validation.y);
});

/** A CSV whose first feature is the row id, so the splits can be traced back to rows. */
function idCsv(dir: string, name: string, rows: number, classes = ['cat', 'dog', 'eel']): string {
  const lines = ['id,const,noise,label'];
  for (let r = 0; r < rows; r++) lines.push(`${r},3,${(r * 7919) % 101},${classes[r % classes.length]}`);
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

test('csv: disjoint exact splits, per-feature normalisation from train', () => {
  const dir = mkdtempSync(join(tmpdir(), 'load-'));
  const d = loadDataset({ dataset: idCsv(dir, 'pets.csv', 1000), validationFraction: 0.2, testFraction: 0.1, seed: 3 });
  assert.equal(d.name, 'pets.csv');
  assert.equal(d.numClasses, 3);
  assert.deepEqual(d.featureShape, [3]);
  assert.deepEqual([d.test.count, d.validation.count, d.train.count], [100, 180, 720]);
  assert.equal(d.normalization.mean.length, 3);
  assert.equal(d.normalization.std[1], 1, 'constant feature keeps std 1');
  for (const f of [0, 2]) {
    const s = stats(d.train.x, 3, f);
    assert.ok(Math.abs(s.mean) < 1e-3 && Math.abs(s.std - 1) < 1e-3, `feature ${f}: ${JSON.stringify(s)}`);
  }
  const ids = (e: Examples): number[] => {
    const out: number[] = [];
    for (let r = 0; r < e.count; r++) {
      const id = Math.round(e.x[r * 3]! * d.normalization.std[0]! + d.normalization.mean[0]!);
      assert.equal(e.y[r], id % 3, 'label travels with its row');
      out.push(id);
    }
    return out;
  };
  const all = [...ids(d.train), ...ids(d.validation), ...ids(d.test)].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 1000 }, (_, i) => i));
});

test('csv with a test file uses the training classes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'load-'));
  const train = idCsv(dir, 'train.csv', 100);
  const testFile = idCsv(dir, 'test.csv', 10, ['eel', 'dog']);
  const d = loadDataset({ dataset: train, ...base, testFile });
  assert.equal(d.test.count, 10);
  assert.deepEqual(Array.from(d.test.y.slice(0, 2)), [2, 1]);
  assert.equal(d.train.count + d.validation.count, 100);
  const wide = join(dir, 'wide.csv');
  writeFileSync(wide, '1,2,3,4,cat\n1,2,3,4,dog\n');
  throwsUser(() => loadDataset({ dataset: train, ...base, testFile: wide }), /wide\.csv has 4 feature columns but .*train\.csv has 3$/);
});

test('idx: labels found beside the images, [1, H, W] on request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'load-'));
  const n = 40;
  const pixels = Array.from({ length: n * 6 }, (_, i) => (i * 37) % 256);
  writeFileSync(join(dir, 'digits-images-idx3-ubyte'), makeIdx(0x08, [n, 2, 3], pixels));
  writeFileSync(join(dir, 'digits-labels-idx1-ubyte'), makeIdx(0x08, [n], Array.from({ length: n }, (_, i) => i % 4)));
  const d = loadDataset({ dataset: join(dir, 'digits-images-idx3-ubyte'), ...base, validationFraction: 0.25, imageShape: true });
  assert.equal(d.name, 'digits-images-idx3-ubyte');
  assert.deepEqual(d.featureShape, [1, 2, 3]);
  assert.equal(d.numClasses, 4);
  assert.deepEqual([d.test.count, d.validation.count, d.train.count], [4, 9, 27]);
  const s = stats(d.train.x, 1);
  assert.ok(Math.abs(s.mean) < 1e-3 && Math.abs(s.std - 1) < 1e-3);

  writeFileSync(join(dir, 'x.images.idx'), makeIdx(0x08, [2, 1, 1], [0, 1]));
  throwsUser(
    () => loadDataset({ dataset: join(dir, 'x.images.idx'), ...base }),
    new RegExp(`^no labels file for IDX images ${dir}/x\\.images\\.idx: ${dir}/x\\.labels\\.idx does not exist$`),
  );
});

test('bad options are UserErrors', () => {
  throwsUser(() => loadDataset({ ...base, dataset: 'mnist', validationFraction: 0.6 }), /^validation fraction must be between 0 and 0\.5, got 0\.6$/);
  throwsUser(() => loadDataset({ ...base, dataset: 'mnist', testFraction: -0.1 }), /^test fraction must be between 0 and 0\.5, got -0\.1$/);
  throwsUser(() => loadDataset({ ...base, dataset: 'mnist', validationFraction: NaN }), /got NaN/);
  throwsUser(() => loadDataset({ ...base, dataset: 'data.txt' }), /^unknown dataset "data\.txt": expected mnist, a \.csv file, or an IDX images file/);
  throwsUser(() => loadDataset({ ...base, dataset: 'train-images-idx3-ubyte.gz' }), /gzip-compressed; gunzip it first/);
  throwsUser(() => loadDataset({ ...base, dataset: 'mnist', testFile: 'x.csv' }), /mnist has its own test set/);
  throwsUser(() => loadDataset({ ...base, dataset: '/nonexistent/a.csv' }), /^no such file: \/nonexistent\/a\.csv$/);
  throwsUser(() => loadDataset({ ...base, dataset: 'a.csv', testFile: 'b-images-idx3-ubyte' }), /must be the same format as a\.csv \(csv\)/);
  assert.equal(datasetKind('a/b/train-images-idx3-ubyte'), 'idx');
  assert.equal(datasetKind('foo.idx'), 'idx');
  assert.equal(datasetKind('X.CSV'), 'csv');

  const dir = mkdtempSync(join(tmpdir(), 'load-'));
  const small = idCsv(dir, 'small.csv', 6);
  throwsUser(() => loadDataset({ ...base, dataset: small, validationFraction: 0 }), /^small\.csv has 6 examples; a validation fraction of 0 leaves the validation split empty$/);
  throwsUser(() => loadDataset({ ...base, dataset: small, testFraction: 0.05 }), /a test fraction of 0\.05 leaves the test split empty$/);
  const two = idCsv(dir, 'two.csv', 2);
  throwsUser(() => loadDataset({ ...base, dataset: two, validationFraction: 0.5, testFraction: 0.5 }), /the training split is empty$/);
});
