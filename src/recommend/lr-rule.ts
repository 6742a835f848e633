/**
 * How the learning rate moves from the pilot's batch B₀ (where it is known to train well) to the
 * recommended batch B.
 *   noise  — McCandlish et al. (2018), eq. 2.6: the optimal SGD rate is ε(B) = ε_max / (1 + B_noise/B).
 *            Solving for ε_max at B₀ gives ε(B) = ε₀ · (1 + B_noise/B₀) / (1 + B_noise/B): linear in B
 *            while B ≪ B_noise, flat once B ≫ B_noise.
 *   linear — Goyal et al. (2017): ε(B) = ε₀ · B/B₀.
 *   sqrt   — Krizhevsky (2014), Hoffer et al. (2017): ε(B) = ε₀ · √(B/B₀).
 * Adaptive optimizers (RMSProp, Adam, AdaGrad) and Rprop divide each weight's step by a running
 * gradient size, so a batch B times larger does not give a step B times larger: their stochastic
 * dynamics keep their shape under √ scaling (Malladi et al. 2022), not linear. The noise and
 * linear rules, derived for SGD, can then far overshoot (Adam, ε₀ = 1e-3 at B₀ = 32,
 * B_noise = 1,630: 0.020 at B = 1,024), so for these optimizers every rule is capped at
 * ε₀·√(B/B₀) (0.0057 there).
 */
import type { OptimizerName } from '../optim/registry.js';

export const RECOMMEND_LR_RULES = ['noise', 'linear', 'sqrt'] as const;
export type RecommendLrRule = (typeof RECOMMEND_LR_RULES)[number];

/** Which optimizers normalise the step per weight: a decision for each, so a new one must make it. */
const PER_WEIGHT_STEP: Readonly<Record<OptimizerName, boolean>> = {
  sgd: false,
  momentum: false,
  nesterov: false,
  rmsprop: true,
  adam: true,
  adagrad: true,
  rprop: true,
  'irprop+': true,
};

/** Whether the rate rules are capped at ε₀·√(B/B₀) for this optimizer. */
export function capsRate(optimizer: OptimizerName): boolean {
  return PER_WEIGHT_STEP[optimizer];
}

function ruleLr(rule: RecommendLrRule, lr0: number, batch0: number, batch: number, bNoise: number): number {
  switch (rule) {
    case 'linear':
      return (lr0 * batch) / batch0;
    case 'sqrt':
      return lr0 * Math.sqrt(batch / batch0);
    case 'noise':
      return (lr0 * (1 + bNoise / batch0)) / (1 + bNoise / batch);
  }
}

/** The rate at batch `batch` for `optimizer`, from ε₀ = lr0 at batch0, under `rule`. */
export function scaleLr(rule: RecommendLrRule, optimizer: OptimizerName, lr0: number, batch0: number, batch: number, bNoise: number): number {
  const lr = ruleLr(rule, lr0, batch0, batch, bNoise);
  return capsRate(optimizer) ? Math.min(lr, lr0 * Math.sqrt(batch / batch0)) : lr;
}
