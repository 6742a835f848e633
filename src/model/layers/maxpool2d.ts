/**
 * Max pooling over k×k windows with stride s (no padding).
 * Backward: MaxPool's Indices output gives, for each output, the flat position of its maximum in
 * the whole input tensor; ScatterElements with reduction "add" routes dy there (overlapping
 * windows that share a maximum add up, as the true gradient does).
 */
import type { LayerKind, Shape } from '../layer.js';
import { pairOf } from '../pair.js';
import type { LayerOf } from '../spec.js';

type Pool = LayerOf<'maxpool2d'>;

function geometry(s: Pool, inShape: Shape) {
  const [kh, kw] = pairOf(s.size);
  const [sh, sw] = pairOf(s.stride ?? s.size);
  const [c, h, w] = inShape as [number, number, number];
  return { c, kh, kw, sh, sw, ho: Math.floor((h - kh) / sh) + 1, wo: Math.floor((w - kw) / sw) + 1 };
}

export const maxpool2d: LayerKind<Pool> = {
  outShape: (s, inShape) => {
    if (inShape.length !== 3) return `expects an image input [channels, height, width], got [${inShape.join(', ')}]; use "input": "image" in the model and put it before any flatten layer`;
    const { c, ho, wo } = geometry(s, inShape);
    if (ho < 1 || wo < 1) return `window ${pairOf(s.size).join('×')} does not fit input [${inShape.join(', ')}]; use a smaller size`;
    return [c, ho, wo];
  },
  params: () => [],
  forward: (g, c) => {
    const { kh, kw, sh, sw } = geometry(c.spec, c.inShape);
    const attrs = { kernel_shape: [kh, kw], strides: [sh, sw] };
    if (!c.training) return { y: g.op('MaxPool', [c.x], attrs), saved: {} };
    const [y, indices] = g.opN('MaxPool', [c.x], 2, attrs);
    return { y: y!, saved: { x: c.x, indices: indices! } };
  },
  backward: (g, c) => {
    if (!c.needInputGrad) return { dx: null, grads: [] };
    const flat = g.constInt64([-1]);
    const shape = g.op('Shape', [c.saved['x']!]);
    const zeros = g.op('Reshape', [g.op('ConstantOfShape', [shape]), flat]);
    const idx = g.op('Reshape', [c.saved['indices']!, flat]);
    const dyFlat = g.op('Reshape', [c.dy, flat]);
    const scattered = g.op('ScatterElements', [zeros, idx, dyFlat], { axis: 0, reduction: 'add' });
    return { dx: g.op('Reshape', [scattered, shape]), grads: [] };
  },
  macs: (s, inShape) => {
    const { c, kh, kw, ho, wo } = geometry(s, inShape);
    return c * ho * wo * kh * kw;
  },
};
