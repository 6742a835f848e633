/**
 * What the advice cost against what it can save. The saving is measured from the batch a user
 * would train with without advice: 32, Keras's `fit` default and the usual DataLoader example, at
 * the rate the rule gives it (at the default pilot batch of 32 that is the pilot's tuned rate, so
 * the comparison credits the advice with the batch, not with tuning the rate). Both times are
 * predictions of one training run to the target; the advice pays for itself after the number of
 * such runs that its cost takes to recover.
 */
import type { Candidate } from './predict.js';

/** The batch a user trains with when nobody advises one. */
export const DEFAULT_BATCH = 32;

export interface AdviceCost {
  /** Wall seconds the advice took. */
  readonly spentSeconds: number;
  /** Predicted seconds to target at the advised batch. */
  readonly predictedSeconds: number;
  /** The candidate standing for the default batch: DEFAULT_BATCH, or the nearest effective batch to it (log scale) when the world size rules 32 out. */
  readonly default: Candidate;
  /** Predicted seconds at the default less at the advice, per training run (≤ 0: the advice saves nothing). */
  readonly savingSeconds: number;
  /** True when one training run's saving covers what the advice cost. */
  readonly paysOff: boolean;
  /** Training runs to target whose savings add up to the advice's cost; null when it saves nothing. */
  readonly breakEvenRuns: number | null;
}

export function defaultCandidate(candidates: readonly Candidate[]): Candidate {
  if (candidates.length === 0) throw new Error('internal error: no candidates');
  const distance = (c: Candidate) => Math.abs(Math.log(c.effectiveBatch / DEFAULT_BATCH));
  return candidates.reduce((best, c) => (distance(c) < distance(best) ? c : best));
}

export function adviceCost(choice: Candidate, candidates: readonly Candidate[], spentSeconds: number): AdviceCost {
  const d = defaultCandidate(candidates);
  const savingSeconds = d.seconds - choice.seconds;
  return {
    spentSeconds,
    predictedSeconds: choice.seconds,
    default: d,
    savingSeconds,
    paysOff: savingSeconds >= spentSeconds,
    breakEvenRuns: savingSeconds > 0 ? Math.ceil(spentSeconds / savingSeconds) : null,
  };
}
