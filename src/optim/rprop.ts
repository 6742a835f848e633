/**
 * Resilient backpropagation (Riedmiller & Braun 1993) in the two improved variants of Igel &
 * Hüsken (2000). Only the sign of the gradient is used; each weight has its own step Δ, whose
 * initial value Δ₀ is the learning rate η. The schedule's per-step learning rate is ignored.
 *
 * iRprop− (`rprop`), usable with any batch size:
 *   state:  g_prev ∈ ℝⁿ, g_prev₀ = 0;  Δ ∈ ℝⁿ, Δ₀ = η
 *   update: where g·g_prev > 0:  Δ ← min(Δ·η⁺, Δmax)
 *           where g·g_prev < 0:  Δ ← max(Δ·η⁻, Δmin),  g ← 0
 *           θ ← θ − sign(g)·Δ
 *           g_prev ← g
 *
 * iRprop+ (`irprop+`), full batch only (it compares losses of consecutive steps):
 *   state:  g_prev, Δ as above;  δ ∈ ℝⁿ (last weight change), δ₀ = 0;
 *           global E_prev (loss at the previous step), E_prev₀ = +∞ (stored as 3.4e38)
 *   update: where g·g_prev > 0:  Δ ← min(Δ·η⁺, Δmax),  δ ← −sign(g)·Δ
 *           where g·g_prev < 0:  Δ ← max(Δ·η⁻, Δmin),  δ ← (E > E_prev ? −δ : 0),  g ← 0
 *           where g·g_prev = 0:  δ ← −sign(g)·Δ
 *           θ ← θ + δ
 *           g_prev ← g
 *           E_prev ← E          (once per step, in updateGlobals)
 *   E is the loss at the current weights, before this update.
 */
import type { GraphBuilder } from '../graph/builder.js';
import type { Hyper, Optimizer, UpdateInputs, UpdateOutputs } from './optimizer.js';
import { add, checkArity, initTable, k, mul, sub } from './ops.js';

/** Finite stand-in for +∞ as the initial "previous loss" (float32 max is 3.4028235e38). */
export const LOSS_INIT = 3.4e38;

export function irpropMinus(hyper: Hyper): Optimizer {
  const opt: Optimizer = {
    name: 'rprop',
    hyper,
    slots: ['gradPrev', 'step'],
    slotInit: initTable('rprop', 'slot', { gradPrev: 0, step: hyper.lr }),
    globals: [],
    globalInit: initTable('rprop', 'global', {}),
    update(g: GraphBuilder, u: UpdateInputs): UpdateOutputs {
      checkArity(opt, u);
      const s = signStep(g, hyper, u.grad, u.slots[0]!, u.slots[1]!);
      return { param: sub(g, u.param, mul(g, g.op('Sign', [s.grad]), s.step)), slots: [s.grad, s.step] };
    },
    fullBatchOnly: false,
    usesLearningRate: false,
  };
  return opt;
}

export function irpropPlus(hyper: Hyper): Optimizer {
  const opt: Optimizer = {
    name: 'irprop+',
    hyper,
    slots: ['gradPrev', 'step', 'change'],
    slotInit: initTable('irprop+', 'slot', { gradPrev: 0, step: hyper.lr, change: 0 }),
    globals: ['lossPrev'],
    globalInit: initTable('irprop+', 'global', { lossPrev: LOSS_INIT }),
    update(g: GraphBuilder, u: UpdateInputs): UpdateOutputs {
      checkArity(opt, u);
      const s = signStep(g, hyper, u.grad, u.slots[0]!, u.slots[1]!);
      const lossRose = g.op('Greater', [u.loss, u.globals[0]!]);
      const revert = g.op('And', [s.flipped, lossRose]);
      // Where the sign flipped, s.grad is 0, so the forward change below is 0 there.
      const forward = g.op('Neg', [mul(g, g.op('Sign', [s.grad]), s.step)]);
      const change = g.op('Where', [revert, g.op('Neg', [u.slots[2]!]), forward]);
      return { param: add(g, u.param, change), slots: [s.grad, s.step, change] };
    },
    updateGlobals(g, u) {
      return [g.op('Identity', [u.loss])];
    },
    fullBatchOnly: true,
    usesLearningRate: false,
  };
  return opt;
}

/** The step-size adaptation both variants share: new Δ, the gradient with flips zeroed, the flip mask. */
function signStep(g: GraphBuilder, hyper: Hyper, grad: string, gradPrev: string, step: string) {
  const prod = mul(g, grad, gradPrev);
  const zero = k(g, 0);
  const same = g.op('Greater', [prod, zero]);
  const flipped = g.op('Less', [prod, zero]);
  const grown = g.op('Min', [mul(g, step, k(g, hyper.etaPlus)), k(g, hyper.stepMax)]);
  const shrunk = g.op('Max', [mul(g, step, k(g, hyper.etaMinus)), k(g, hyper.stepMin)]);
  const newStep = g.op('Where', [same, grown, g.op('Where', [flipped, shrunk, step])]);
  const newGrad = g.op('Where', [flipped, zero, grad]);
  return { step: newStep, grad: newGrad, flipped };
}
