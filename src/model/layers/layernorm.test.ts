import assert from 'node:assert/strict';
import test from 'node:test';
import { layerSpecSchema } from '../spec.js';
import { layernorm } from './layernorm.js';
import { assertLayerGradients } from '../../testing/assert-grads.js';
import { layerOutputs } from '../../testing/layer-forward.js';

test('layernorm on flat features: gradients of x, gamma and beta match finite differences', () =>
  assertLayerGradients({ type: 'layernorm', eps: 1e-5 }, [6], 3, ['gamma', 'beta']));

test('layernorm on [C, H, W] (normalised over all of it): gradients match', () =>
  assertLayerGradients({ type: 'layernorm', eps: 1e-5 }, [2, 3, 3], 2, ['gamma', 'beta']));

test('layernorm forward: each example normalised on its own, then scaled and shifted; eps defaults to 1e-5', async () => {
  const spec = layerSpecSchema.parse({ type: 'layernorm' });
  assert.deepEqual(spec, { type: 'layernorm', eps: 1e-5 });
  // Example 1: 1, 2, 3, 6 (mean 3, variance 3.5); example 2 is example 1 × 10 + 7: the same x̂.
  const ex = [1, 2, 3, 6];
  const x = [...ex, ...ex.map((v) => v * 10 + 7)];
  const gamma = [1, 2, 0.5, -1];
  const beta = [0, 1, 0, 3];
  const y = await layerOutputs(spec, [4], x, [gamma, beta]);
  const expected = (scale: number) => ex.map((v, i) => gamma[i]! * ((v - 3) / Math.sqrt(3.5 + 1e-5 / scale ** 2)) + beta[i]!);
  [...expected(1), ...expected(10)].forEach((e, i) => assert.ok(Math.abs(y[i]! - e) < 1e-5, `y[${i}] = ${y[i]} vs ${e}`));
});

test('layernorm parameters: gamma from ones, beta from zeros, one per feature', () => {
  assert.deepEqual(layernorm.params({ type: 'layernorm', eps: 1e-5 }, [4, 5, 5]), [
    { name: 'gamma', shape: [4, 5, 5], init: { kind: 'ones' } },
    { name: 'beta', shape: [4, 5, 5], init: { kind: 'zeros' } },
  ]);
  assert.equal(layernorm.macs({ type: 'layernorm', eps: 1e-5 }, [10]), 40);
});
