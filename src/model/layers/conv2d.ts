/**
 * 2-D convolution: y = W ⋆ x + b, W ∈ R^{F×C×kh×kw}, with stride s and zero padding p.
 * Backward, with standard ops only (ORT's ConvGrad exists only in training builds):
 * - dx = ConvTranspose(dy, W) with the same stride and pads; output_padding restores the rows
 *   and columns that the forward stride skipped, so dx has exactly x's shape. With stride 1 the
 *   same is Conv(dy, flip(W)ᵀ) with pads k−1−p.
 * - dW: swap batch and channel axes of x (C×B×H×W) and dy (F×B×Ho×Wo); a convolution of the
 *   first by the second with dilation s gives C×F×kh'×kw' ⊇ C×F×kh×kw; slice, swap back.
 * - db = Σ over batch and space of dy.
 */
import { sinkGrad, type LayerKind, type Shape } from '../layer.js';
import { pairOf, type LayerOf } from '../spec.js';

type Conv = LayerOf<'conv2d'>;

function geometry(s: Conv, inShape: Shape) {
  const [kh, kw] = pairOf(s.kernel);
  const [sh, sw] = pairOf(s.stride);
  const [ph, pw] = pairOf(s.padding);
  const [c, h, w] = inShape as [number, number, number];
  const ho = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const wo = Math.floor((w + 2 * pw - kw) / sw) + 1;
  return { c, h, w, kh, kw, sh, sw, ph, pw, ho, wo };
}

export const conv2d: LayerKind<Conv> = {
  outShape: (s, inShape) => {
    if (inShape.length !== 3) {
      return `expects an image input [channels, height, width], got [${inShape.join(', ')}]; use "input": "image" in the model`;
    }
    const { ho, wo } = geometry(s, inShape);
    if (ho < 1 || wo < 1) return `kernel ${pairOf(s.kernel).join('×')} does not fit input [${inShape.join(', ')}]`;
    return [s.filters, ho, wo];
  },
  params: (s, inShape) => {
    const { c, kh, kw } = geometry(s, inShape);
    return [
      { name: 'W', shape: [s.filters, c, kh, kw], init: { kind: 'he', fanIn: c * kh * kw } },
      { name: 'b', shape: [s.filters], init: { kind: 'zeros' } },
    ];
  },
  forward: (g, c) => {
    const { kh, kw, sh, sw, ph, pw } = geometry(c.spec, c.inShape);
    const y = g.op('Conv', [c.x, c.params[0]!, c.params[1]!], {
      kernel_shape: [kh, kw],
      strides: [sh, sw],
      pads: [ph, pw, ph, pw],
    });
    return { y, saved: { x: c.x } };
  },
  backward: (g, c) => {
    const { h, w, kh, kw, sh, sw, ph, pw, ho, wo } = geometry(c.spec, c.inShape);
    const x = c.saved['x']!;
    const db = g.op('ReduceSum', [c.dy, g.constInt64([0, 2, 3])], { keepdims: 0 });
    const xT = g.op('Transpose', [x], { perm: [1, 0, 2, 3] });
    const dyT = g.op('Transpose', [c.dy], { perm: [1, 0, 2, 3] });
    const full = g.op('Conv', [xT, dyT], {
      kernel_shape: [ho, wo],
      dilations: [sh, sw],
      pads: [ph, pw, ph, pw],
    });
    const sliced = g.op('Slice', [full, g.constInt64([0, 0]), g.constInt64([kh, kw]), g.constInt64([2, 3])]);
    const dW = g.op('Transpose', [sliced], { perm: [1, 0, 2, 3] });
    let dx: string | null = null;
    if (c.needInputGrad && sh === 1 && sw === 1 && ph < kh && pw < kw) {
      // Stride 1: dx is a plain convolution of dy with the flipped, channel-swapped kernel,
      // which ORT runs on its fast forward-conv path (ConvTranspose has no such path).
      const flipped = g.op('Slice', [c.params[0]!, g.constInt64([-1, -1]), g.constInt64([-(kh + 1), -(kw + 1)]), g.constInt64([2, 3]), g.constInt64([-1, -1])]);
      dx = g.op('Conv', [c.dy, g.op('Transpose', [flipped], { perm: [1, 0, 2, 3] })], {
        kernel_shape: [kh, kw],
        pads: [kh - 1 - ph, kw - 1 - pw, kh - 1 - ph, kw - 1 - pw],
      });
    } else if (c.needInputGrad) {
      dx = g.op('ConvTranspose', [c.dy, c.params[0]!], {
        kernel_shape: [kh, kw],
        strides: [sh, sw],
        pads: [ph, pw, ph, pw],
        output_padding: [h - ((ho - 1) * sh + kh - 2 * ph), w - ((wo - 1) * sw + kw - 2 * pw)],
      });
    }
    return { dx, grads: [sinkGrad(g, dW, c.sinks?.[0]), sinkGrad(g, db, c.sinks?.[1])] };
  },
  macs: (s, inShape) => {
    const { c, kh, kw, ho, wo } = geometry(s, inShape);
    return s.filters * c * kh * kw * ho * wo;
  },
};
