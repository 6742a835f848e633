import assert from 'node:assert/strict';
import test from 'node:test';
import { layerSpecSchema } from '../spec.js';
import { assertLayerGradients } from '../../testing/assert-grads.js';
import { layerOutputs } from '../../testing/layer-forward.js';

test('leakyrelu: gradient matches finite differences, default and a large alpha', async () => {
  await assertLayerGradients({ type: 'leakyrelu', alpha: 0.01 }, [3, 4, 4], 2, []);
  await assertLayerGradients({ type: 'leakyrelu', alpha: 0.3 }, [8], 3, []);
});

test('leakyrelu: alpha defaults to PyTorch\'s 0.01; forward values', async () => {
  const spec = layerSpecSchema.parse({ type: 'leakyrelu' });
  assert.deepEqual(spec, { type: 'leakyrelu', alpha: 0.01 });
  const y = await layerOutputs(spec, [3], [-2, 0, 3]);
  assert.deepEqual(Array.from(y).map((v) => +v.toFixed(6)), [-0.02, 0, 3]);
});
