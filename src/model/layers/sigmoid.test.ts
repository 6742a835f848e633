import assert from 'node:assert/strict';
import test from 'node:test';
import { assertLayerGradients } from '../../testing/assert-grads.js';
import { layerOutputs } from '../../testing/layer-forward.js';

test('sigmoid: gradient matches finite differences', () => assertLayerGradients({ type: 'sigmoid' }, [6], 3, []));

test('sigmoid: forward values', async () => {
  const y = await layerOutputs({ type: 'sigmoid' }, [3], [-2, 0, 3]);
  [-2, 0, 3].forEach((x, i) => assert.ok(Math.abs(y[i]! - 1 / (1 + Math.exp(-x))) < 1e-6, `sigmoid(${x}) = ${y[i]}`));
});
