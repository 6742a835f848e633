import assert from 'node:assert/strict';
import test from 'node:test';
import { assertLayerGradients } from '../../testing/assert-grads.js';
import { modelSpecSchema, type LayerOf } from '../spec.js';
import { resolveModel } from '../model.js';
import { residual } from './residual.js';

test('residual with an identity shortcut (conv, relu, conv): gradients match finite differences', () =>
  assertLayerGradients(
    { type: 'residual', layers: [{ type: 'conv2d', filters: 2, kernel: 3, stride: 1, padding: 1 }, { type: 'relu' }, { type: 'conv2d', filters: 2, kernel: 3, stride: 1, padding: 1 }] },
    [2, 5, 5],
    3,
    ['b0_W', 'b0_b', 'b2_W', 'b2_b'],
  ));

test('residual whose body halves the image and adds channels: a strided 1×1 projection, gradients match', () =>
  assertLayerGradients({ type: 'residual', layers: [{ type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1 }] }, [2, 6, 6], 2, ['b0_W', 'b0_b', 'proj_W', 'proj_b']));

// The body's dense has no bias: batch norm right after it would make its gradient exactly 0.
test('residual on flat features with batch norm in the body (ghost groups of 4): a dense projection, gradients match', () =>
  assertLayerGradients(
    { type: 'residual', layers: [{ type: 'dense', units: 4, bias: false }, { type: 'batchnorm', momentum: 0.1, eps: 1e-5 }] },
    [3],
    8,
    ['b0_W', 'b1_gamma', 'b1_beta', 'proj_W', 'proj_b'],
    // Not 2: two values normalise to ±1 whatever W is, so dW would be 0 and prove nothing.
    4,
  ));

test('residual: projection shapes, buffers named by body layer, and a body that cannot be projected', () => {
  const spec = modelSpecSchema.parse({
    input: 'image',
    layers: [
      { type: 'residual', layers: [{ type: 'conv2d', filters: 8, kernel: 3, stride: 2, padding: 1 }, { type: 'batchnorm' }] },
      { type: 'flatten' },
      { type: 'dense', units: 10 },
    ],
  });
  const m = resolveModel(spec, [1, 7, 7], 10);
  assert.deepEqual(m.layers[0]!.outShape, [8, 4, 4]);
  assert.deepEqual(m.params.map((p) => p.id).slice(0, 6), ['l0_b0_W', 'l0_b0_b', 'l0_b1_gamma', 'l0_b1_beta', 'l0_proj_W', 'l0_proj_b']);
  assert.deepEqual(m.params[4]!.shape, [8, 1, 1, 1]);
  assert.deepEqual(m.buffers.map((b) => b.id), ['l0_b1_running_mean', 'l0_b1_running_var']);
  const flat: LayerOf<'residual'> = { type: 'residual', layers: [{ type: 'flatten' }] };
  assert.match(String(residual.outShape(flat, [2, 4, 4])), /body maps \[2, 4, 4\] to \[32\], which a 1×1 convolution or dense shortcut cannot match/);
  assert.match(String(residual.outShape({ type: 'residual', layers: [{ type: 'dense', units: 3 }] }, [2, 4, 4])), /body layer 0 \(dense\) expects a flat input/);
});
