import assert from 'node:assert/strict';
import test from 'node:test';
import { assertLayerGradients } from '../../testing/assert-grads.js';
import { layerOutputs } from '../../testing/layer-forward.js';

test('gelu: gradient matches finite differences', () => assertLayerGradients({ type: 'gelu' }, [2, 3, 3], 3, []));

test('gelu: the exact erf form, not the tanh approximation', async () => {
  // x·Φ(x) with Φ from tables: Φ(1) = 0.8413447, Φ(−1) = 0.1586553, Φ(2) = 0.9772499.
  // The tanh approximation gives 0.8411920 at 1 and 1.9545977 at 2: off by more than 1e-4.
  const y = await layerOutputs({ type: 'gelu' }, [4], [-1, 0, 1, 2]);
  const exact = [-0.1586553, 0, 0.8413447, 2 * 0.9772499];
  exact.forEach((e, i) => assert.ok(Math.abs(y[i]! - e) < 2e-6, `gelu at ${i}: ${y[i]} vs ${e}`));
});
