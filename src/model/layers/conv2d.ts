/**
 * 2-D convolution: y = W ⋆ x + b, W ∈ R^{F×C×kh×kw}, with stride s and zero padding p.
 * Backward, with standard ops only (ORT's ConvGrad exists only in training builds):
 * - dx = ConvTranspose(dy, W) with the same stride and pads; output_padding restores the rows
 *   and columns that the forward stride skipped, so dx has exactly x's shape. With stride 1 the
 *   same is Conv(dy, flip(W)ᵀ) with pads k−1−p.
 * - dW[f, c, i, j] = Σ_b Σ_{h,w} dy[b, f, h, w] · xpad[b, c, s·h + i, s·w + j]. From
 *   GATHER_MIN_BATCH examples on, one GEMM with the batch and the output positions as its inner
 *   dimension: x is moved to [c, position, batch] order (a pass over x, not over its patches), a
 *   Gather with indices fixed when the graph is built reads the patches as P[(c, i, j), (h, w, b)],
 *   each index copying a run of `batch` floats, and dW = dy[f, (h, w, b)] · Pᵀ. On the cnn preset
 *   that made whole training steps about a fifth faster at B = 16, 32 and 256 than the path it
 *   replaced, which smaller batches keep (there the gathered runs are too short and it was 20%
 *   slower at B = 1, level at 4 and 8): the patches from a convolution of each channel with kh·kw
 *   one-hot kernels (ORT's fast forward-conv path, though its output needs reordering out of
 *   ORT's blocked layout), one batched MatMul with dy and a sum over the batch.
 * - db = Σ over batch and space of dy.
 */
import type { GraphBuilder } from '../../graph/builder.js';
import { sinkGrad, type LayerKind, type Shape } from '../layer.js';
import { pairOf } from '../pair.js';
import type { LayerOf } from '../spec.js';

type Conv = LayerOf<'conv2d'>;

/** Below this batch the gathered patches' runs of `batch` floats are too short to copy fast. */
export const GATHER_MIN_BATCH = 4;

function geometry(s: Conv, inShape: Shape) {
  const [kh, kw] = pairOf(s.kernel);
  const [sh, sw] = pairOf(s.stride);
  const [ph, pw] = pairOf(s.padding);
  const [c, h, w] = inShape as [number, number, number];
  const ho = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const wo = Math.floor((w + 2 * pw - kw) / sw) + 1;
  return { c, h, w, kh, kw, sh, sw, ph, pw, ho, wo };
}

/** Gather indices of the patches: [kh·kw, ho·wo] flat positions in the padded [hp·wp] image. */
function patchIndices(geo: ReturnType<typeof geometry>): number[] {
  const { kh, kw, sh, sw, ho, wo } = geo;
  const wp = geo.w + 2 * geo.pw;
  const idx: number[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let oh = 0; oh < ho; oh++) for (let ow = 0; ow < wo; ow++) idx.push((oh * sh + i) * wp + ow * sw + j);
  return idx;
}

/** dW for small batches: patches from one-hot kernels and a batched MatMul (see the file comment). */
function emitWeightGradSmallBatch(g: GraphBuilder, x: string, dy: string, geo: ReturnType<typeof geometry>, filters: number): string {
  const { c, h, w, kh, kw, sh, sw, ph, pw, ho, wo } = geo;
  const k2 = kh * kw;
  const eye = new Float32Array(k2 * k2);
  for (let q = 0; q < k2; q++) eye[q * k2 + q] = 1;
  const perChannel = g.op('Reshape', [x, g.constInt64([-1, 1, h, w])]);
  const patches = g.op('Conv', [perChannel, g.constFloat(eye, [k2, 1, kh, kw])], { kernel_shape: [kh, kw], strides: [sh, sw], pads: [ph, pw, ph, pw] });
  const p = g.op('Reshape', [patches, g.constInt64([-1, c * k2, ho * wo])]);
  const dyT = g.op('Transpose', [g.op('Reshape', [dy, g.constInt64([-1, filters, ho * wo])])], { perm: [0, 2, 1] });
  const summed = g.op('ReduceSum', [g.op('MatMul', [p, dyT]), g.constInt64([0])], { keepdims: 0 });
  return g.op('Reshape', [g.op('Transpose', [summed], { perm: [1, 0] }), g.constInt64([filters, c, kh, kw])]);
}

/** dW as one GEMM over patches gathered with constant indices (see the file comment). */
function emitWeightGrad(g: GraphBuilder, x: string, dy: string, geo: ReturnType<typeof geometry>, filters: number): string {
  const { c, h, w, kh, kw, ph, pw, ho, wo } = geo;
  const k2 = kh * kw;
  const padded = ph === 0 && pw === 0 ? x : g.op('Pad', [x, g.constInt64([0, 0, ph, pw, 0, 0, ph, pw])]);
  const byPosition = g.op('Transpose', [g.op('Reshape', [padded, g.constInt64([0, c, (h + 2 * ph) * (w + 2 * pw)])])], { perm: [1, 2, 0] });
  const patches = g.op('Gather', [byPosition, g.constInt64(patchIndices(geo), [k2, ho * wo])], { axis: 1 });
  const p = g.op('Reshape', [patches, g.constInt64([c * k2, -1])]);
  const dyByPosition = g.op('Transpose', [g.op('Reshape', [dy, g.constInt64([0, filters, ho * wo])])], { perm: [1, 2, 0] });
  const dW = g.op('Gemm', [g.op('Reshape', [dyByPosition, g.constInt64([filters, -1])]), p], { transB: 1 });
  return g.op('Reshape', [dW, g.constInt64([filters, c, kh, kw])]);
}

export const conv2d: LayerKind<Conv> = {
  outShape: (s, inShape) => {
    if (inShape.length !== 3) {
      return `expects an image input [channels, height, width], got [${inShape.join(', ')}]; use "input": "image" in the model`;
    }
    const { ho, wo } = geometry(s, inShape);
    if (ho < 1 || wo < 1) return `kernel ${pairOf(s.kernel).join('×')} does not fit input [${inShape.join(', ')}]; use a smaller kernel or more padding`;
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
    const geo = geometry(c.spec, c.inShape);
    const { h, w, kh, kw, sh, sw, ph, pw, ho, wo } = geo;
    const db = g.op('ReduceSum', [c.dy, g.constInt64([0, 2, 3])], { keepdims: 0 });
    const gathered = (c.batch ?? GATHER_MIN_BATCH) >= GATHER_MIN_BATCH;
    const dW = (gathered ? emitWeightGrad : emitWeightGradSmallBatch)(g, c.saved['x']!, c.dy, geo, c.spec.filters);
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
