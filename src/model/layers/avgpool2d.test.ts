import assert from 'node:assert/strict';
import test from 'node:test';
import { avgpool2d } from './avgpool2d.js';
import { assertLayerGradients } from '../../testing/assert-grads.js';
import { layerOutputs } from '../../testing/layer-forward.js';

test('avgpool2d 2×2: gradient matches finite differences (batch > 1, channels > 1)', () =>
  assertLayerGradients({ type: 'avgpool2d', size: 2, padding: 0 }, [3, 6, 6], 3, []));

test('avgpool2d 3×3 stride 2 padding 1 on an odd size (overlapping windows, padded edges): gradient matches', () =>
  assertLayerGradients({ type: 'avgpool2d', size: 3, stride: 2, padding: 1 }, [2, 7, 7], 2, []));

test('avgpool2d [3, 2] stride [2, 1], size that skips a row: gradient matches', () =>
  assertLayerGradients({ type: 'avgpool2d', size: [3, 2], stride: [2, 1], padding: 0 }, [2, 6, 5], 2, []));

test('avgpool2d forward: padded zeros count in the mean, as PyTorch count_include_pad', async () => {
  // 1×2×2 input 1..4, window 2, stride 2, padding 1: each output sees one input and three zeros.
  const y = await layerOutputs({ type: 'avgpool2d', size: 2, stride: 2, padding: 1 }, [1, 2, 2], [1, 2, 3, 4]);
  assert.deepEqual(Array.from(y), [0.25, 0.5, 0.75, 1]);
});

test('avgpool2d output shape, multiply-adds and refused geometry', () => {
  assert.deepEqual(avgpool2d.outShape({ type: 'avgpool2d', size: 2, padding: 0 }, [4, 28, 28]), [4, 14, 14]);
  assert.deepEqual(avgpool2d.outShape({ type: 'avgpool2d', size: 3, stride: 1, padding: 1 }, [4, 28, 28]), [4, 28, 28]);
  assert.equal(avgpool2d.macs({ type: 'avgpool2d', size: 2, padding: 0 }, [4, 28, 28]), 4 * 14 * 14 * 4);
  assert.match(String(avgpool2d.outShape({ type: 'avgpool2d', size: 2, padding: 2 }, [4, 8, 8])), /more than half the window 2×2; use a padding of at most 1/);
  assert.match(String(avgpool2d.outShape({ type: 'avgpool2d', size: 9, padding: 0 }, [4, 8, 8])), /window 9×9 does not fit input \[4, 8, 8\]/);
  assert.match(String(avgpool2d.outShape({ type: 'avgpool2d', size: 2, padding: 0 }, [64])), /expects an image input/);
});
