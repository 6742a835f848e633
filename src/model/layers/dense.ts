/**
 * Fully connected: y = x·W + b, W ∈ R^{in×out}; with `bias: false`, y = x·W.
 * Backward: dW = xᵀ·dy, db = Σ_batch dy, dx = dy·Wᵀ. A sink on W is folded into the same Gemm
 * (C = addTo, beta = β, dy pre-scaled: a [batch, out] multiply instead of an [in, out] one).
 */
import { sinkGrad, type LayerKind } from '../layer.js';
import type { LayerOf } from '../spec.js';

type Dense = LayerOf<'dense'>;

const hasBias = (s: Dense) => s.bias !== false;

export const dense: LayerKind<Dense> = {
  outShape: (s, inShape) =>
    inShape.length === 1 ? [s.units] : `expects a flat input [features], got [${inShape.join(', ')}]; add a flatten layer before it`,
  params: (s, inShape) => [
    { name: 'W', shape: [inShape[0]!, s.units], init: { kind: 'he', fanIn: inShape[0]! } },
    ...(hasBias(s) ? [{ name: 'b', shape: [s.units], init: { kind: 'zeros' } } as const] : []),
  ],
  forward: (g, c) => ({ y: g.op('Gemm', hasBias(c.spec) ? [c.x, c.params[0]!, c.params[1]!] : [c.x, c.params[0]!]), saved: { x: c.x } }),
  backward: (g, c) => {
    const x = c.saved['x']!;
    const [sinkW, sinkB] = c.sinks ?? [];
    const dW = sinkW
      ? g.op('Gemm', [x, sinkW.scale === null ? c.dy : g.op('Mul', [c.dy, sinkW.scale]), sinkW.addTo], { transA: 1, beta: { f: sinkW.beta } })
      : g.op('Gemm', [x, c.dy], { transA: 1 });
    const dx = c.needInputGrad ? g.op('Gemm', [c.dy, c.params[0]!], { transB: 1 }) : null;
    if (!hasBias(c.spec)) return { dx, grads: [dW] };
    const db = sinkGrad(g, g.op('ReduceSum', [c.dy, g.constInt64([0])], { keepdims: 0 }), sinkB);
    return { dx, grads: [dW, db] };
  },
  macs: (s, inShape) => inShape[0]! * s.units,
};
