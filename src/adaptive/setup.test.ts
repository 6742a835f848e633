/** The throughput curve's points: which micro-batches are timed, and where the in-step split is. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobs } from '../testing/blobs.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';
import { batchLadder } from './goodput.js';
import { curveBatches, splitCandidates, statisticsOverhead, withInStep } from './setup.js';

test('the curve times every other rung from half the first, and the last; a memory cap ends it', () => {
  const ladder = batchLadder(32, 4096);
  assert.deepEqual(curveBatches(ladder, 4096), [16, 64, 256, 1024, 4096]);
  assert.deepEqual(curveBatches(ladder, 512), [16, 64, 256, 512]);
  assert.deepEqual(curveBatches(batchLadder(1, 8), 8), [1, 4, 8], 'an odd first rung has no half');
  assert.deepEqual(curveBatches(ladder, 4096, 32), [32, 128, 512, 2048, 4096], '--bn-batch 32: no micro-batch of 16');
  assert.deepEqual(curveBatches(batchLadder(512, 4096), 200, 128), [128], 'cap 200, groups of 128: every rung runs as micro-batches of 128');
  assert.deepEqual(curveBatches(ladder, 8), [8], 'cap 8: no half of 32 above it, one micro-batch for all');
});

test('the in-step split is weighed at half a batch the run may take, where the plain curve leaves room, the statistics’ share falling as 1/√micro-batch', () => {
  // +2% per ×4 from 16 to 1,024, then flat: splitting 32 … 4,096 in two costs ≤ 3% in samples/s.
  const plain = [
    { microBatch: 16, samplesPerSec: 1000 },
    { microBatch: 64, samplesPerSec: 1020 },
    { microBatch: 256, samplesPerSec: 1040 },
    { microBatch: 1024, samplesPerSec: 1060 },
    { microBatch: 4096, samplesPerSec: 1060 },
  ];
  assert.deepEqual(splitCandidates(plain, 4096), [16, 64, 256, 1024], 'not 4,096: no batch of the ladder halves to it');
  assert.deepEqual(splitCandidates(plain, 55000), [16, 64, 256, 1024, 4096]);
  const steep = plain.map((p, i) => ({ ...p, samplesPerSec: 1000 * 2 ** i }));
  assert.deepEqual(splitCandidates(steep, 4096), [], 'twice as fast per ×4: a split always costs more than rounds');
  const curve = withInStep(plain, splitCandidates(plain, 4096), 0.08);
  assert.deepEqual(curve.map((p) => p.inStepSamplesPerSec), [920, 1020 * (1 - 0.08 / 2), 1040 * (1 - 0.08 / 4), 1060 * (1 - 0.08 / 8), undefined]);
});

test('the noise statistics’ share of an update is measured against the same split without them, and is small on a tiny net', async () => {
  const o = await statisticsOverhead(blobsRunConfig({ hyper: { lr: 0.02 } }), blobs(600, 6, 3, 7), 8);
  assert.ok(o >= 0 && o < 0.5, `share ${o}`);
});
