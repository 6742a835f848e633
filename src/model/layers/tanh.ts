/** y = tanh(x); dx = dy·(1 − y²), from the saved output (no second tanh). */
import type { LayerKind } from '../layer.js';
import type { LayerOf } from '../spec.js';

export const tanh: LayerKind<LayerOf<'tanh'>> = {
  outShape: (_s, inShape) => inShape,
  params: () => [],
  forward: (g, c) => {
    const y = g.op('Tanh', [c.x]);
    return { y, saved: { y } };
  },
  backward: (g, c) => {
    if (!c.needInputGrad) return { dx: null, grads: [] };
    const y = c.saved['y']!;
    const slope = g.op('Sub', [g.scalarFloat(1), g.op('Mul', [y, y])]);
    return { dx: g.op('Mul', [c.dy, slope]), grads: [] };
  },
  macs: () => 0,
};
