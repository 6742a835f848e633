import assert from 'node:assert/strict';
import test from 'node:test';
import { throwsUser } from '../testing/data-fixtures.js';
import { splitBatch } from './split.js';

test('a batch that fits is one micro-batch; one that does not is accumulated in the largest dividing micro-batch', () => {
  assert.deepEqual(splitBatch(256, 1000), { effectiveBatch: 256, microBatch: 256, iterSize: 1, worldSize: 1 });
  assert.deepEqual(splitBatch(4096, 1000), { effectiveBatch: 4096, microBatch: 512, iterSize: 8, worldSize: 1 });
  assert.deepEqual(splitBatch(4096, 1000, 4), { effectiveBatch: 4096, microBatch: 512, iterSize: 2, worldSize: 4 });
  assert.deepEqual(splitBatch(4096, 1024, 4), { effectiveBatch: 4096, microBatch: 1024, iterSize: 1, worldSize: 4 });
  // 55000 = 2³·5⁴·11: the largest divisor ≤ 3000 is 2750.
  assert.deepEqual(splitBatch(55000, 3000), { effectiveBatch: 55000, microBatch: 2750, iterSize: 20, worldSize: 1 });
});

test('impossible splits are user errors that name the fix', () => {
  throwsUser(() => splitBatch(100, 64, 3), /does not split over --world-size 3/);
  throwsUser(() => splitBatch(100, 0), /raise --memory/);
});
