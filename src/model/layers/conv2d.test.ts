import assert from 'node:assert/strict';
import test from 'node:test';
import { conv2d, GATHER_MIN_BATCH } from './conv2d.js';
import { assertLayerGradients } from '../../testing/assert-grads.js';

test('conv2d 3×3, stride 1, padding 1: gradients match finite differences', () =>
  assertLayerGradients({ type: 'conv2d', filters: 4, kernel: 3, stride: 1, padding: 1 }, [2, 6, 6], 3, ['W', 'b']));

test('conv2d 3×3, stride 2, padding 1 on an odd size: gradients match', () =>
  assertLayerGradients({ type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1 }, [2, 7, 7], 2, ['W', 'b']));

test('conv2d 5×5, stride 2, no padding, even size (stride skips a row): gradients match', () =>
  assertLayerGradients({ type: 'conv2d', filters: 2, kernel: [5, 3], stride: [2, 3], padding: [0, 1] }, [3, 10, 8], 2, ['W', 'b']));

test('conv2d output shape and multiply-adds', () => {
  const spec = { type: 'conv2d', filters: 16, kernel: 5, stride: 1, padding: 2 } as const;
  assert.deepEqual(conv2d.outShape(spec, [1, 28, 28]), [16, 28, 28]);
  assert.equal(conv2d.macs(spec, [1, 28, 28]), 16 * 25 * 28 * 28);
  assert.match(String(conv2d.outShape(spec, [784])), /expects an image input/);
});

// From GATHER_MIN_BATCH examples on, dW comes from gathered patches and one GEMM: the same three geometries again.
test('conv2d, gathered-patch dW (batch ≥ GATHER_MIN_BATCH), 3×3 stride 1 padding 1: gradients match', () =>
  assertLayerGradients({ type: 'conv2d', filters: 4, kernel: 3, stride: 1, padding: 1 }, [2, 6, 6], GATHER_MIN_BATCH, ['W', 'b']));

test('conv2d, gathered-patch dW, 3×3 stride 2 padding 1 on an odd size: gradients match', () =>
  assertLayerGradients({ type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1 }, [2, 7, 7], GATHER_MIN_BATCH + 1, ['W', 'b']));

test('conv2d, gathered-patch dW, 5×3 stride 2×3, padding 0×1 (stride skips a row): gradients match', () =>
  assertLayerGradients({ type: 'conv2d', filters: 2, kernel: [5, 3], stride: [2, 3], padding: [0, 1] }, [3, 10, 8], GATHER_MIN_BATCH, ['W', 'b']));
