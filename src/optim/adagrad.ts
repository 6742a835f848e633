/**
 * AdaGrad (Duchi, Hazan & Singer 2011), in PyTorch's form (no learning-rate decay, accumulator
 * starting at 0, ε outside the square root).
 *
 *   state:  s ∈ ℝⁿ, s₀ = 0
 *   update: s ← s + g²
 *           θ ← θ − η·g / (√s + ε)
 */
import type { GraphBuilder } from '../graph/builder.js';
import type { Hyper, Optimizer, UpdateInputs, UpdateOutputs } from './optimizer.js';
import { add, checkArity, div, initTable, k, mul, sqrt, sub } from './ops.js';

export function adagrad(hyper: Hyper): Optimizer {
  const opt: Optimizer = {
    name: 'adagrad',
    hyper,
    slots: ['sumSq'],
    slotInit: initTable('adagrad', 'slot', { sumSq: 0 }),
    globals: [],
    globalInit: initTable('adagrad', 'global', {}),
    update(g: GraphBuilder, u: UpdateInputs): UpdateOutputs {
      checkArity(opt, u);
      const s = add(g, u.slots[0]!, mul(g, u.grad, u.grad));
      const denom = add(g, sqrt(g, s), k(g, hyper.eps));
      return { param: sub(g, u.param, mul(g, u.lr, div(g, u.grad, denom))), slots: [s] };
    },
    fullBatchOnly: false,
    usesLearningRate: true,
  };
  return opt;
}
