import assert from 'node:assert/strict';
import test from 'node:test';
import type { RunInfo } from '../engine/run.js';
import type { RunConfig } from '../engine/run-config.js';
import { batchNormLine } from './train-command.js';

const info = (microBatch: number, iterSize: number, normGroup: number | null, bnBatch?: number): RunInfo =>
  ({ microBatch, iterSize, effectiveBatch: microBatch * iterSize, normGroup, config: { bnBatch } as RunConfig }) as RunInfo;

test('train says what one update normalises over, and when iter-size then differs from one large batch', () => {
  assert.equal(batchNormLine(info(32, 1, null)), '');
  assert.equal(batchNormLine(info(32, 1, 32)), 'batchwise: batch norm normalises over the micro-batch of 32 examples (--bn-batch sets that group size apart from the batch)\n');
  assert.equal(
    batchNormLine(info(8, 32, 8)),
    'batchwise: batch norm normalises over each micro-batch of 8 examples, 32 separate statistics per update, so micro-batch 8 × iter-size 32 is not the same update as one batch of 256, ' +
      'which would normalise over all 256; give both --bn-batch 8 to compare like with like\n',
  );
  assert.equal(batchNormLine(info(8, 32, 4, 4)), 'batchwise: batch norm normalises over groups of 4 examples (--bn-batch 4), 64 groups per update: the same update as one batch of 256 with --bn-batch 4\n');
});
