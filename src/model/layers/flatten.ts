/** [C, H, W] per example → [C·H·W]; backward reshapes the gradient back. */
import { size, type LayerKind } from '../layer.js';
import type { LayerOf } from '../spec.js';

export const flatten: LayerKind<LayerOf<'flatten'>> = {
  outShape: (_s, inShape) => [size(inShape)],
  params: () => [],
  forward: (g, c) => ({ y: g.op('Reshape', [c.x, g.constInt64([-1, size(c.inShape)])]), saved: {} }),
  backward: (g, c) => ({
    dx: c.needInputGrad ? g.op('Reshape', [c.dy, g.constInt64([-1, ...c.inShape])]) : null,
    grads: [],
  }),
  macs: () => 0,
};
