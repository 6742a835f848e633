/** y = x for x > 0, α·x otherwise (α = `alpha`, PyTorch's default 0.01); dx = dy or α·dy likewise. */
import type { LayerKind } from '../layer.js';
import type { LayerOf } from '../spec.js';

export const leakyrelu: LayerKind<LayerOf<'leakyrelu'>> = {
  outShape: (_s, inShape) => inShape,
  params: () => [],
  forward: (g, c) => ({ y: g.op('LeakyRelu', [c.x], { alpha: { f: c.spec.alpha } }), saved: { x: c.x } }),
  backward: (g, c) => {
    if (!c.needInputGrad) return { dx: null, grads: [] };
    const positive = g.op('Greater', [c.saved['x']!, g.scalarFloat(0)]);
    return { dx: g.op('Where', [positive, c.dy, g.op('Mul', [c.dy, g.scalarFloat(c.spec.alpha)])]), grads: [] };
  },
  macs: () => 0,
};
