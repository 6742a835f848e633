/**
 * Plain (stochastic) gradient descent.
 *
 *   state:  none
 *   update: θ ← θ − η·g
 *
 * Fusable whole: the backward Gemm computes θ + (−η)·g directly.
 */
import type { Hyper, Optimizer } from './optimizer.js';
import { checkArity, initTable, mul, sub } from './ops.js';

export function sgd(hyper: Hyper): Optimizer {
  const opt: Optimizer = {
    name: 'sgd',
    hyper,
    slots: [],
    slotInit: initTable('sgd', 'slot', {}),
    globals: [],
    globalInit: initTable('sgd', 'global', {}),
    update(g, u) {
      checkArity(opt, u);
      return { param: sub(g, u.param, mul(g, u.lr, u.grad)), slots: [] };
    },
    fused: { target: 'param', beta: 1, alpha: 'negLr', finish: (_g, u) => ({ param: u.fused, slots: [] }) },
    fullBatchOnly: false,
    usesLearningRate: true,
  };
  return opt;
}
