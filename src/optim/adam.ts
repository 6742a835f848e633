/**
 * Adam (Kingma & Ba 2015), in PyTorch's form: bias-corrected moments, ε added to √v̂.
 *
 *   state:  m, v ∈ ℝⁿ, m₀ = v₀ = 0; t is the 1-based index of the update (a graph input)
 *   update: m ← β₁·m + (1 − β₁)·g
 *           v ← β₂·v + (1 − β₂)·g²
 *           m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
 *           θ ← θ − η·m̂ / (√v̂ + ε)
 *
 * Numerics: 1 − βᵗ is computed as −expm1(t·ln β) = −2h/(1 − h) with h = tanh(t·ln β / 2), which
 * keeps full float32 relative precision; `1 − Pow(β, t)` loses about 6e-6 for β₂ = 0.999 because
 * βᵗ is close to 1. Constants such as 1 − β and ln β are computed in float64 from the given β
 * and only then rounded, so the update tracks the exact rule to float32 precision.
 */
import type { GraphBuilder } from '../graph/builder.js';
import type { Hyper, Optimizer, UpdateInputs, UpdateOutputs } from './optimizer.js';
import { add, axpby, checkArity, div, initTable, k, mul, sqrt, sub } from './ops.js';

export function adam(hyper: Hyper): Optimizer {
  const opt: Optimizer = {
    name: 'adam',
    hyper,
    slots: ['m', 'v'],
    slotInit: initTable('adam', 'slot', { m: 0, v: 0 }),
    globals: [],
    globalInit: initTable('adam', 'global', {}),
    update(g: GraphBuilder, u: UpdateInputs): UpdateOutputs {
      checkArity(opt, u);
      const b1 = hyper.beta1;
      const b2 = hyper.beta2;
      const m = axpby(g, b1, u.slots[0]!, 1 - b1, u.grad);
      const v = axpby(g, b2, u.slots[1]!, 1 - b2, mul(g, u.grad, u.grad));
      // m̂/(√v̂ + ε) = c·m/(√v + ε·c) with c = √(1 − β₂ᵗ): the bias corrections are folded into
      // two scalars, so the per-element work after the moments is a sqrt, an add, a div, a mul.
      const c = sqrt(g, oneMinusPow(g, b2, u.t));
      const stepSize = div(g, mul(g, u.lr, c), oneMinusPow(g, b1, u.t));
      const denom = add(g, sqrt(g, v), mul(g, k(g, hyper.eps), c));
      return { param: sub(g, u.param, mul(g, stepSize, div(g, m, denom))), slots: [m, v] };
    },
    fullBatchOnly: false,
    usesLearningRate: true,
  };
  return opt;
}

/** 1 − βᵗ for a constant β ∈ [0, 1) and a scalar float t ≥ 1, to float32 relative precision. */
export function oneMinusPow(g: GraphBuilder, beta: number, t: string): string {
  if (beta === 0) return k(g, 1);
  const h = g.op('Tanh', [mul(g, t, k(g, Math.log(beta) / 2))]);
  return div(g, mul(g, h, k(g, -2)), sub(g, k(g, 1), h));
}
