import assert from 'node:assert/strict';
import test from 'node:test';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';
import { atMicroBatch, bnBatchFor } from './run-config.js';

test('a measurement at another micro-batch keeps the batch-norm group where it tiles the micro-batch, else the largest group that does', () => {
  assert.deepEqual([bnBatchFor(32, 64), bnBatchFor(32, 16), bnBatchFor(32, 1), bnBatchFor(8, 12)], [32, 16, 1, 4]);
  const base = { ...blobsRunConfig({ batchSize: 32, iterSize: 4 }), bnBatch: 32 };
  const at1 = atMicroBatch(base, 1);
  assert.deepEqual([at1.batchSize, at1.iterSize, at1.bnBatch], [1, 1, 1]);
  assert.deepEqual([atMicroBatch(base, 256).bnBatch, atMicroBatch(base, 48).bnBatch], [32, 16]);
  // Without batch norm nothing is added.
  assert.equal('bnBatch' in atMicroBatch(blobsRunConfig({}), 4), false);
});
