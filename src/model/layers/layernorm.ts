/**
 * Layer normalisation over each example's features (all of them: [F], or [C, H, W] as PyTorch's
 * LayerNorm([C, H, W])), with a learnable per-feature scale γ (from 1) and shift β (from 0):
 *   μ = mean(x), σ² = mean((x − μ)²), x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β.
 * Unlike batch norm it never looks across the batch, so it is the same at any micro-batch.
 * Backward, exact, with n features, g = dy·γ and means over the example's features:
 *   dγ = Σ_batch dy·x̂,  dβ = Σ_batch dy,  dx = (g − mean(g) − x̂·mean(g·x̂)) / √(σ² + ε).
 * Built from Reduce/Sub/Mul ops (opset 17's ReduceMean takes its axes as an attribute).
 */
import { sinkGrad, type LayerKind, type Shape } from '../layer.js';
import type { LayerOf } from '../spec.js';

type Norm = LayerOf<'layernorm'>;

const featureAxes = (inShape: Shape) => inShape.map((_, i) => i + 1);

export const layernorm: LayerKind<Norm> = {
  outShape: (_s, inShape) => inShape,
  params: (_s, inShape) => [
    { name: 'gamma', shape: [...inShape], init: { kind: 'ones' } },
    { name: 'beta', shape: [...inShape], init: { kind: 'zeros' } },
  ],
  forward: (g, c) => {
    const axes = featureAxes(c.inShape);
    const centred = g.op('Sub', [c.x, g.op('ReduceMean', [c.x], { axes, keepdims: 1 })]);
    const variance = g.op('ReduceMean', [g.op('Mul', [centred, centred])], { axes, keepdims: 1 });
    const invStd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.scalarFloat(c.spec.eps)])])]);
    const xHat = g.op('Mul', [centred, invStd]);
    const y = g.op('Add', [g.op('Mul', [xHat, c.params[0]!]), c.params[1]!]);
    return { y, saved: { xHat, invStd } };
  },
  backward: (g, c) => {
    const xHat = c.saved['xHat']!;
    const batchAxis = g.constInt64([0]);
    const dGamma = g.op('ReduceSum', [g.op('Mul', [c.dy, xHat]), batchAxis], { keepdims: 0 });
    const dBeta = g.op('ReduceSum', [c.dy, batchAxis], { keepdims: 0 });
    let dx: string | null = null;
    if (c.needInputGrad) {
      const axes = featureAxes(c.inShape);
      const gx = g.op('Mul', [c.dy, c.params[0]!]);
      const meanG = g.op('ReduceMean', [gx], { axes, keepdims: 1 });
      const meanGxHat = g.op('ReduceMean', [g.op('Mul', [gx, xHat])], { axes, keepdims: 1 });
      const inner = g.op('Sub', [g.op('Sub', [gx, meanG]), g.op('Mul', [xHat, meanGxHat])]);
      dx = g.op('Mul', [inner, c.saved['invStd']!]);
    }
    return { dx, grads: [sinkGrad(g, dGamma, c.sinks?.[0]), sinkGrad(g, dBeta, c.sinks?.[1])] };
  },
  // Per feature: a subtraction, a square, a scale and a shift (the reductions are the adds).
  macs: (_s, inShape) => 4 * inShape.reduce((a, b) => a * b, 1),
};
