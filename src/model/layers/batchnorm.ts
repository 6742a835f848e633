/**
 * Batch normalisation, per channel after a conv2d ([C, H, W]) or per feature after a dense ([F]).
 *
 * Training: the batch is cut into groups of G examples (G = the context's normGroup: the
 * micro-batch by default, smaller for ghost batch norm) and, per group and channel, over the G·S
 * values (S = H·W, or 1):
 *   μ = mean(x), σ² = mean((x − μ)²), x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β.
 * Backward (per group and channel, with N = G·S; the means replace the usual Σ/N):
 *   dγ = Σ dy·x̂, dβ = Σ dy, dx = (γ/√(σ² + ε))·(dy − mean(dy) − x̂·mean(dy·x̂)),
 * written here with dx̂ = γ·dy. The statistics reported for the running buffers are the means over
 * groups of μ and of the unbiased σ²·N/(N − 1), as PyTorch keeps them.
 *
 * Evaluation (and the exported model): ONNX BatchNormalization with the running mean and variance,
 * the op every runtime and converter knows.
 */
import type { GraphBuilder } from '../../graph/builder.js';
import { sinkGrad, size, type LayerKind, type Shape } from '../layer.js';
import type { LayerOf } from '../spec.js';

type BatchNorm = LayerOf<'batchnorm'>;

function geometry(inShape: Shape) {
  return { channels: inShape[0]!, spatial: size(inShape.slice(1)) };
}

/** x as [groups, G, C, S]: reductions over axes 1 and 3 are then per group and channel. */
function grouped(g: GraphBuilder, x: string, inShape: Shape, normGroup: number | undefined): string {
  const { channels, spatial } = geometry(inShape);
  const dims = normGroup === undefined ? [1, -1, channels, spatial] : [-1, normGroup, channels, spatial];
  return g.op('Reshape', [x, g.constInt64(dims)]);
}

const perGroup = { axes: [1, 3], keepdims: 1 };

export const batchnorm: LayerKind<BatchNorm> = {
  outShape: (_s, inShape) =>
    inShape.length === 3 || inShape.length === 1
      ? inShape
      : `expects [channels, height, width] (after a conv2d) or [features] (after a dense), got [${inShape.join(', ')}]`,
  params: (_s, inShape) => [
    { name: 'gamma', shape: [inShape[0]!], init: { kind: 'ones' } },
    { name: 'beta', shape: [inShape[0]!], init: { kind: 'zeros' } },
  ],
  buffers: (s, inShape) => [
    { name: 'running_mean', shape: [inShape[0]!], init: 'zeros', momentum: s.momentum },
    { name: 'running_var', shape: [inShape[0]!], init: 'ones', momentum: s.momentum },
  ],
  forward: (g, c) => {
    const [gamma, beta] = c.params as [string, string];
    if (!c.training) {
      const [mean, variance] = c.buffers as [string, string];
      return { y: g.op('BatchNormalization', [c.x, gamma, beta, mean, variance], { epsilon: { f: c.spec.eps } }), saved: {} };
    }
    const { channels } = geometry(c.inShape);
    const xg = grouped(g, c.x, c.inShape, c.normGroup);
    const mean = g.op('ReduceMean', [xg], perGroup);
    const xc = g.op('Sub', [xg, mean]);
    const variance = g.op('ReduceMean', [g.op('Mul', [xc, xc])], perGroup);
    const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.scalarFloat(c.spec.eps)])])]);
    const xhat = g.op('Mul', [xc, inv]);
    const gamma4 = g.op('Reshape', [gamma, g.constInt64([1, 1, channels, 1])]);
    const beta4 = g.op('Reshape', [beta, g.constInt64([1, 1, channels, 1])]);
    const shape = g.op('Shape', [c.x]);
    const y = g.op('Reshape', [g.op('Add', [g.op('Mul', [xhat, gamma4]), beta4]), shape]);
    // N values per group and channel: the unbiased variance is σ²·N/(N − 1) (N = 1 leaves σ² = 0).
    const n = g.op('Div', [g.op('Cast', [g.op('Size', [xg])], { to: 1 }), g.op('Cast', [g.op('Size', [mean])], { to: 1 })]);
    const unbias = g.op('Div', [n, g.op('Max', [g.op('Sub', [n, g.scalarFloat(1)]), g.scalarFloat(1)])]);
    const overGroups = { axes: [0, 1, 3], keepdims: 0 };
    const stats = [g.op('ReduceMean', [mean], overGroups), g.op('Mul', [g.op('ReduceMean', [variance], overGroups), unbias])];
    return { y, saved: { xhat, inv, gamma4, shape }, stats };
  },
  backward: (g, c) => {
    const { xhat, inv, gamma4, shape } = c.saved as Record<'xhat' | 'inv' | 'gamma4' | 'shape', string>;
    const dy = grouped(g, c.dy, c.inShape, c.normGroup);
    const all = g.constInt64([0, 1, 3]);
    const dGamma = g.op('ReduceSum', [g.op('Mul', [dy, xhat]), all], { keepdims: 0 });
    const dBeta = g.op('ReduceSum', [dy, all], { keepdims: 0 });
    let dx: string | null = null;
    if (c.needInputGrad) {
      const dxhat = g.op('Mul', [dy, gamma4]);
      const meanD = g.op('ReduceMean', [dxhat], perGroup);
      const meanDX = g.op('ReduceMean', [g.op('Mul', [dxhat, xhat])], perGroup);
      const centred = g.op('Sub', [g.op('Sub', [dxhat, meanD]), g.op('Mul', [xhat, meanDX])]);
      dx = g.op('Reshape', [g.op('Mul', [centred, inv]), shape]);
    }
    return { dx, grads: [sinkGrad(g, dGamma, c.sinks?.[0]), sinkGrad(g, dBeta, c.sinks?.[1])] };
  },
  macs: (_s, inShape) => 2 * size(inShape),
};
