/**
 * Gradient descent with momentum, in PyTorch's form (the velocity accumulates raw gradients and
 * the learning rate scales the step, so a schedule changes the step at once, not through v).
 *
 * Heavy ball (`momentum`):
 *   state:  v ∈ ℝⁿ, v₀ = 0
 *   update: v ← μ·v + g
 *           θ ← θ − η·v
 *
 * Nesterov (`nesterov`):
 *   state:  v ∈ ℝⁿ, v₀ = 0
 *   update: v ← μ·v + g
 *           θ ← θ − η·(g + μ·v)      (v already updated)
 *
 * With μ = 0 both are plain SGD. Heavy ball is fusable: the backward Gemm computes μ·v + g.
 */
import type { GraphBuilder } from '../graph/builder.js';
import type { FusedStage, Hyper, Optimizer, UpdateInputs, UpdateOutputs } from './optimizer.js';
import { add, checkArity, initTable, k, mul, sub } from './ops.js';

export function momentum(hyper: Hyper): Optimizer {
  return make('momentum', hyper, false);
}

export function nesterov(hyper: Hyper): Optimizer {
  return make('nesterov', hyper, true);
}

function make(name: string, hyper: Hyper, isNesterov: boolean): Optimizer {
  const opt: Optimizer = {
    name,
    hyper,
    slots: ['velocity'],
    slotInit: initTable(name, 'slot', { velocity: 0 }),
    globals: [],
    globalInit: initTable(name, 'global', {}),
    update(g: GraphBuilder, u: UpdateInputs): UpdateOutputs {
      checkArity(opt, u);
      const mu = k(g, hyper.momentum);
      const v = add(g, mul(g, mu, u.slots[0]!), u.grad);
      const dir = isNesterov ? add(g, u.grad, mul(g, mu, v)) : v;
      return { param: sub(g, u.param, mul(g, u.lr, dir)), slots: [v] };
    },
    ...(isNesterov
      ? {}
      : {
          fused: {
            target: { slot: 0 },
            beta: hyper.momentum,
            alpha: 'one',
            finish: (g, u) => ({ param: sub(g, u.param, mul(g, u.lr, u.fused)), slots: [u.fused] }),
          } satisfies FusedStage,
        }),
    fullBatchOnly: false,
    usesLearningRate: true,
  };
  return opt;
}
