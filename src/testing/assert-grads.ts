/** Test helper: every directional derivative of a layer matches its finite difference. */
import assert from 'node:assert/strict';
import type { Shape } from '../model/layer.js';
import { checkLayerGradients } from './gradcheck.js';
import type { LayerSpec } from '../model/spec.js';

export async function assertLayerGradients(spec: LayerSpec, inShape: Shape, batch: number, expectParams: string[], normGroup?: number): Promise<void> {
  const { checks } = await checkLayerGradients(spec, inShape, batch, 1, normGroup);
  assert.deepEqual([...new Set(checks.map((c) => c.name))], ['x', ...expectParams]);
  for (const c of checks) {
    const tol = 2e-3 * Math.max(1, Math.abs(c.analytic));
    assert.ok(Math.abs(c.analytic - c.numeric) <= tol, `${spec.type} d/d${c.name}: analytic ${c.analytic} vs numeric ${c.numeric}`);
    assert.ok(Math.abs(c.analytic) > 1e-3, `${spec.type} d/d${c.name} is ~0 (${c.analytic}): the check would prove nothing`);
  }
}
