/** y = max(x, 0); dx = dy where x > 0, else 0. */
import type { LayerKind } from '../layer.js';
import type { LayerOf } from '../spec.js';

export const relu: LayerKind<LayerOf<'relu'>> = {
  outShape: (_s, inShape) => inShape,
  params: () => [],
  forward: (g, c) => ({ y: g.op('Relu', [c.x]), saved: { x: c.x } }),
  backward: (g, c) => {
    if (!c.needInputGrad) return { dx: null, grads: [] };
    const positive = g.op('Greater', [c.saved['x']!, g.scalarFloat(0)]);
    return { dx: g.op('Where', [positive, c.dy, g.scalarFloat(0)]), grads: [] };
  },
  macs: () => 0,
};
