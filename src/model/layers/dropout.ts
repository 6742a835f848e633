/**
 * Inverted dropout: in training y = x·m/(1−p) with m ~ Bernoulli(1−p); at evaluation y = x.
 * Backward: dx = dy·m/(1−p). The mask output is consumed by backward, which also keeps ORT's
 * optimizer from deleting the node.
 */
import type { LayerKind } from '../layer.js';
import type { LayerOf } from '../spec.js';

export const dropout: LayerKind<LayerOf<'dropout'>> = {
  outShape: (_s, inShape) => inShape,
  params: () => [],
  forward: (g, c) => {
    if (!c.training || c.spec.rate === 0) return { y: c.x, saved: {} };
    const ratio = g.scalarFloat(c.spec.rate);
    const on = g.constBool(true);
    const [y, mask] = g.opN('Dropout', [c.x, ratio, on], 2, { seed: c.seed });
    return { y: y!, saved: { mask: mask! } };
  },
  backward: (g, c) => {
    if (!c.needInputGrad) return { dx: null, grads: [] };
    if (c.spec.rate === 0) return { dx: c.dy, grads: [] };
    const keep = g.op('Cast', [c.saved['mask']!], { to: 1 });
    const scaled = g.op('Mul', [keep, g.scalarFloat(1 / (1 - c.spec.rate))]);
    return { dx: g.op('Mul', [c.dy, scaled]), grads: [] };
  },
  macs: () => 0,
};
