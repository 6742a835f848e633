/**
 * GELU, the exact form: y = x·Φ(x) = ½·x·(1 + erf(x/√2)), PyTorch's nn.GELU() default
 * (approximate='none'), not the tanh approximation. ONNX's own Gelu op arrives in opset 20 and
 * the graphs here are opset 17 (src/graph/builder.ts), so it is built from Erf.
 * Backward: dy/dx = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π); Φ(x) is saved from the forward.
 */
import type { LayerKind } from '../layer.js';
import type { LayerOf } from '../spec.js';

export const gelu: LayerKind<LayerOf<'gelu'>> = {
  outShape: (_s, inShape) => inShape,
  params: () => [],
  forward: (g, c) => {
    const erf = g.op('Erf', [g.op('Mul', [c.x, g.scalarFloat(Math.SQRT1_2)])]);
    const cdf = g.op('Mul', [g.op('Add', [erf, g.scalarFloat(1)]), g.scalarFloat(0.5)]);
    return { y: g.op('Mul', [c.x, cdf]), saved: { x: c.x, cdf } };
  },
  backward: (g, c) => {
    if (!c.needInputGrad) return { dx: null, grads: [] };
    const x = c.saved['x']!;
    const halfSquare = g.op('Mul', [g.op('Mul', [x, x]), g.scalarFloat(-0.5)]);
    const pdf = g.op('Mul', [g.op('Exp', [halfSquare]), g.scalarFloat(1 / Math.sqrt(2 * Math.PI))]);
    const slope = g.op('Add', [c.saved['cdf']!, g.op('Mul', [x, pdf])]);
    return { dx: g.op('Mul', [c.dy, slope]), grads: [] };
  },
  macs: () => 0,
};
