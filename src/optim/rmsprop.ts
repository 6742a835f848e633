/**
 * RMSProp (Tieleman & Hinton 2012), in PyTorch's form without momentum or centring: ε is added
 * outside the square root and the average is updated before it is used.
 *
 *   state:  s ∈ ℝⁿ, s₀ = 0
 *   update: s ← ρ·s + (1 − ρ)·g²
 *           θ ← θ − η·g / (√s + ε)
 */
import type { GraphBuilder } from '../graph/builder.js';
import type { Hyper, Optimizer, UpdateInputs, UpdateOutputs } from './optimizer.js';
import { add, axpby, checkArity, div, initTable, k, mul, sqrt, sub } from './ops.js';

export function rmsprop(hyper: Hyper): Optimizer {
  const opt: Optimizer = {
    name: 'rmsprop',
    hyper,
    slots: ['sqAvg'],
    slotInit: initTable('rmsprop', 'slot', { sqAvg: 0 }),
    globals: [],
    globalInit: initTable('rmsprop', 'global', {}),
    update(g: GraphBuilder, u: UpdateInputs): UpdateOutputs {
      checkArity(opt, u);
      const rho = hyper.rho;
      const s = axpby(g, rho, u.slots[0]!, 1 - rho, mul(g, u.grad, u.grad));
      const denom = add(g, sqrt(g, s), k(g, hyper.eps));
      return { param: sub(g, u.param, mul(g, u.lr, div(g, u.grad, denom))), slots: [s] };
    },
    fullBatchOnly: false,
    usesLearningRate: true,
  };
  return opt;
}
