import assert from 'node:assert/strict';
import test from 'node:test';
import { globalavgpool } from './globalavgpool.js';
import { assertLayerGradients } from '../../testing/assert-grads.js';

test('globalavgpool: gradient matches finite differences (non-square, batch > 1)', () =>
  assertLayerGradients({ type: 'globalavgpool' }, [3, 4, 5], 3, []));

test('globalavgpool: output shape, multiply-adds, and a flat input refused', () => {
  assert.deepEqual(globalavgpool.outShape({ type: 'globalavgpool' }, [8, 7, 7]), [8]);
  assert.equal(globalavgpool.macs({ type: 'globalavgpool' }, [8, 7, 7]), 8 * 49);
  assert.match(String(globalavgpool.outShape({ type: 'globalavgpool' }, [784])), /expects an image input/);
});
