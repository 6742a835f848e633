/** y = 1/(1 + e^(−x)); dx = dy·y·(1 − y), from the saved output. */
import type { LayerKind } from '../layer.js';
import type { LayerOf } from '../spec.js';

export const sigmoid: LayerKind<LayerOf<'sigmoid'>> = {
  outShape: (_s, inShape) => inShape,
  params: () => [],
  forward: (g, c) => {
    const y = g.op('Sigmoid', [c.x]);
    return { y, saved: { y } };
  },
  backward: (g, c) => {
    if (!c.needInputGrad) return { dx: null, grads: [] };
    const y = c.saved['y']!;
    const slope = g.op('Mul', [y, g.op('Sub', [g.scalarFloat(1), y])]);
    return { dx: g.op('Mul', [c.dy, slope]), grads: [] };
  },
  macs: () => 0,
};
