/**
 * Coupled weight decay (an L2 penalty ½λ‖θ‖² folded into the gradient), applied by the trainer to
 * each parameter's gradient before the optimizer's `update`, so every optimizer gets it the same
 * way:
 *
 *   g ← g + λ·θ
 *
 * With λ = 0 no op is emitted and the gradient's own name is returned.
 */
import type { GraphBuilder } from '../graph/builder.js';
import { assert } from '../errors.js';

export function emitGradWithDecay(g: GraphBuilder, grad: string, param: string, weightDecay: number): string {
  assert(Number.isFinite(weightDecay) && weightDecay >= 0, `weight decay ${weightDecay} was not validated`);
  if (weightDecay === 0) return grad;
  return g.op('Add', [grad, g.op('Mul', [param, g.scalarFloat(weightDecay)])]);
}
