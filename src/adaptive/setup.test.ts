/** The throughput curve's points: which micro-batches are timed, and where the in-step split is. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobs } from '../testing/blobs.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';
import { batchLadder } from './goodput.js';
import { curveBatches, measureCurve } from './setup.js';

test('the curve times every other rung from half the first, and the last; a memory cap ends it', () => {
  const ladder = batchLadder(32, 4096);
  assert.deepEqual(curveBatches(ladder, 4096), [16, 64, 256, 1024, 4096]);
  assert.deepEqual(curveBatches(ladder, 512), [16, 64, 256, 512]);
  assert.deepEqual(curveBatches(batchLadder(1, 8), 8), [1, 4, 8], 'an odd first rung has no half');
});

test('the in-step split (two micro-batches with noise statistics) is timed only at half a batch the run may take', async () => {
  const data = blobs(600, 6, 3, 7);
  const config = blobsRunConfig({ hyper: { lr: 0.02 }, adaptive: { minBatch: 4, maxBatch: 32 } });
  const curve = await measureCurve(config, data, [2, 8, 32], 32);
  assert.deepEqual(curve.map((p) => p.microBatch), [2, 8, 32]);
  assert.ok(curve.every((p) => p.samplesPerSec > 0));
  assert.equal(curve[2]!.inStepSamplesPerSec, undefined, '2 × 32 is more than the largest batch, 32');
  for (const p of curve) if (p.inStepSamplesPerSec !== undefined) assert.ok(p.inStepSamplesPerSec > 0 && p.microBatch * 2 <= 32);
});
