/**
 * How the learning rate moves from the pilot's batch B₀ (where it is known to train well) to the
 * recommended batch B.
 *   noise  — McCandlish et al. (2018), eq. 2.6: the optimal SGD rate is ε(B) = ε_max / (1 + B_noise/B).
 *            Solving for ε_max at B₀ gives ε(B) = ε₀ · (1 + B_noise/B₀) / (1 + B_noise/B): linear in B
 *            while B ≪ B_noise, flat once B ≫ B_noise.
 *   linear — Goyal et al. (2017): ε(B) = ε₀ · B/B₀.
 *   sqrt   — Krizhevsky (2014), Hoffer et al. (2017): ε(B) = ε₀ · √(B/B₀).
 * Adaptive optimizers (Adam, RMSProp, AdaGrad) and Rprop normalise the step per weight; for them
 * only the noise rule is used, capped at ε₀·√(B/B₀).
 */
export const RECOMMEND_LR_RULES = ['noise', 'linear', 'sqrt'] as const;
export type RecommendLrRule = (typeof RECOMMEND_LR_RULES)[number];

export function scaleLr(rule: RecommendLrRule, lr0: number, batch0: number, batch: number, bNoise: number): number {
  switch (rule) {
    case 'linear':
      return (lr0 * batch) / batch0;
    case 'sqrt':
      return lr0 * Math.sqrt(batch / batch0);
    case 'noise':
      return (lr0 * (1 + bNoise / batch0)) / (1 + bNoise / batch);
  }
}
