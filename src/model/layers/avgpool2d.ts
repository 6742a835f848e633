/**
 * Average pooling over k×k windows with stride s and zero padding p. Padded zeros count in the
 * mean (the divisor is always k·k), as PyTorch's AvgPool2d does by default (count_include_pad):
 * that keeps the layer one fixed linear map, so its export is exact and its backward is one op.
 * Backward: each window spreads dy/(k·k) over its k·k inputs, the transpose of the forward: a
 * per-channel (group = C) ConvTranspose of dy with a constant 1/(k·k) kernel; output_padding
 * restores the rows and columns the stride skipped, as in conv2d.
 */
import type { LayerKind, Shape } from '../layer.js';
import { pairOf } from '../pair.js';
import type { LayerOf } from '../spec.js';

type Pool = LayerOf<'avgpool2d'>;

function geometry(s: Pool, inShape: Shape) {
  const [kh, kw] = pairOf(s.size);
  const [sh, sw] = pairOf(s.stride ?? s.size);
  const [ph, pw] = pairOf(s.padding);
  const [c, h, w] = inShape as [number, number, number];
  return { c, h, w, kh, kw, sh, sw, ph, pw, ho: Math.floor((h + 2 * ph - kh) / sh) + 1, wo: Math.floor((w + 2 * pw - kw) / sw) + 1 };
}

const attrs = (geo: ReturnType<typeof geometry>) => ({ kernel_shape: [geo.kh, geo.kw], strides: [geo.sh, geo.sw], pads: [geo.ph, geo.pw, geo.ph, geo.pw] });

export const avgpool2d: LayerKind<Pool> = {
  outShape: (s, inShape) => {
    if (inShape.length !== 3) return `expects an image input [channels, height, width], got [${inShape.join(', ')}]; use "input": "image" in the model and put it before any flatten layer`;
    const { c, kh, kw, ph, pw, ho, wo } = geometry(s, inShape);
    // PyTorch refuses more, and a window of padding alone would average nothing but zeros.
    if (2 * ph > kh || 2 * pw > kw) return `padding ${ph}×${pw} is more than half the window ${kh}×${kw}; use a padding of at most ${Math.floor(kh / 2)}`;
    if (ho < 1 || wo < 1) return `window ${kh}×${kw} does not fit input [${inShape.join(', ')}]; use a smaller size`;
    return [c, ho, wo];
  },
  params: () => [],
  forward: (g, c) => ({ y: g.op('AveragePool', [c.x], { ...attrs(geometry(c.spec, c.inShape)), count_include_pad: 1 }), saved: {} }),
  backward: (g, c) => {
    if (!c.needInputGrad) return { dx: null, grads: [] };
    const geo = geometry(c.spec, c.inShape);
    const { c: ch, h, w, kh, kw, sh, sw, ph, pw, ho, wo } = geo;
    const kernel = g.constFloat(new Float32Array(ch * kh * kw).fill(1 / (kh * kw)), [ch, 1, kh, kw]);
    const dx = g.op('ConvTranspose', [c.dy, kernel], {
      ...attrs(geo),
      group: ch,
      output_padding: [h - ((ho - 1) * sh + kh - 2 * ph), w - ((wo - 1) * sw + kw - 2 * pw)],
    });
    return { dx, grads: [] };
  },
  macs: (s, inShape) => {
    const { c, kh, kw, ho, wo } = geometry(s, inShape);
    return c * ho * wo * kh * kw;
  },
};
