import assert from 'node:assert/strict';
import test from 'node:test';
import { assertLayerGradients } from '../../testing/assert-grads.js';
import { layerOutputs } from '../../testing/layer-forward.js';

test('tanh: gradient matches finite differences', () => assertLayerGradients({ type: 'tanh' }, [3, 4, 4], 2, []));

test('tanh: forward values', async () => {
  const y = await layerOutputs({ type: 'tanh' }, [3], [-1, 0, 2]);
  [-1, 0, 2].forEach((x, i) => assert.ok(Math.abs(y[i]! - Math.tanh(x)) < 1e-6, `tanh(${x}) = ${y[i]}`));
});
