import assert from 'node:assert/strict';
import test from 'node:test';
import { throwsUser } from '../testing/data-fixtures.js';
import { fastestSplit, splitBatch } from './split.js';

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

test('fastestSplit: the world size up to the given one with the least time per update; ties keep the larger world', () => {
  // 2 s of compute per example spread over the workers, 1 s per extra worker: 2 workers (1 + 1) beat 4 (0.5 + 3) and 1 (2).
  const time = (s: { microBatch: number; iterSize: number; worldSize: number }) => (s.microBatch * s.iterSize * 2) / 8 + (s.worldSize - 1);
  assert.deepEqual(fastestSplit(8, 2, 4, time), { effectiveBatch: 8, microBatch: 2, iterSize: 2, worldSize: 2 });
  // Free communication: the whole world.
  assert.deepEqual(fastestSplit(8, 2, 4, (s) => s.microBatch * s.iterSize), { effectiveBatch: 8, microBatch: 2, iterSize: 1, worldSize: 4 });
  // The same time at every world size: the requested one stands.
  assert.deepEqual(fastestSplit(8, 2, 4, () => 1), { effectiveBatch: 8, microBatch: 2, iterSize: 1, worldSize: 4 });
  // Only worker counts that divide the batch: 6 over at most 4 tries 3, 2 and 1 after refusing 4 as splitBatch does.
  throwsUser(() => fastestSplit(6, 6, 4, () => 1), /does not split over --world-size 4/);
  assert.deepEqual(fastestSplit(12, 6, 4, (s) => s.worldSize === 3 ? 0 : 1), { effectiveBatch: 12, microBatch: 4, iterSize: 1, worldSize: 3 });
});
