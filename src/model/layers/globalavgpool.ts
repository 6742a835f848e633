/**
 * Global average pooling: [C, H, W] → [C], y[c] = (1/HW) Σ_{h,w} x[c, h, w] (the head of most
 * residual networks, in place of a flatten and a large dense layer).
 * Backward: every position of channel c gets dy[c]/HW, an Expand of dy/HW over H×W.
 */
import type { LayerKind } from '../layer.js';
import type { LayerOf } from '../spec.js';

export const globalavgpool: LayerKind<LayerOf<'globalavgpool'>> = {
  outShape: (_s, inShape) =>
    inShape.length === 3 ? [inShape[0]!] : `expects an image input [channels, height, width], got [${inShape.join(', ')}]; use "input": "image" in the model and put it where a flatten layer would go`,
  params: () => [],
  forward: (g, c) => {
    const pooled = g.op('GlobalAveragePool', [c.x]);
    return { y: g.op('Reshape', [pooled, g.constInt64([-1, c.inShape[0]!])]), saved: {} };
  },
  backward: (g, c) => {
    if (!c.needInputGrad) return { dx: null, grads: [] };
    const [ch, h, w] = c.inShape as [number, number, number];
    const scaled = g.op('Mul', [c.dy, g.scalarFloat(1 / (h * w))]);
    const column = g.op('Reshape', [scaled, g.constInt64([-1, ch, 1, 1])]);
    return { dx: g.op('Expand', [column, g.constInt64([1, ch, h, w])]), grads: [] };
  },
  macs: (_s, inShape) => inShape[0]! * inShape[1]! * inShape[2]!,
};
