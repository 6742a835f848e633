/**
 * Dead and stalled trials: a rate far too large often leaves a network that computes nothing from
 * its input (its ReLUs dead, its output the class prior) without any NaN, so divergence never
 * fires and the trial would spend its whole budget at chance. Such a trial stops as 'stalled'.
 *
 * The rule. Past `share` of the trial's budget (of its seconds or its epochs, whichever is nearer
 * its limit) and `minEvaluations` validations, a trial is stalled when each of its last `window`
 * validations shows both
 *   - validation accuracy ≤ chance + `accuracyMargin`, chance being the validation split's
 *     majority-class rate (the best a predictor that ignores its input can score), and
 *   - a loss no lower than before: validation loss ≥ (1 − `lossMargin`) × the lowest validation
 *     loss before the window. The loss has stopped falling.
 *
 * Why both, and why it cannot stop a slow but live run: each signal alone is fooled by a live run.
 * A small rate can predict one class for many validations (accuracy at or below chance) while its
 * loss falls (measured: blobs, one hidden layer, batch 8, rate 2e-4: accuracy 0.23 < 1/3 for
 * eight validations, validation loss 2.75 → 1.74); a loss that wobbles on a plateau says nothing
 * of a run whose accuracy is already well above chance. A run whose loss made a new low (by 1%)
 * within its last three validations, or whose accuracy was 2 points above chance in any of them,
 * is never stopped; what is stopped has spent a tenth of its budget and, for three validations
 * running, neither predicted better than a class-prior table nor lowered its loss.
 *
 * Which loss: the validation loss, measured on the whole fixed split, falls smoothly in a slow run;
 * the training loss averaged between validations is a few dozen mini-batches, noisy enough at
 * small batches to fake a plateau (it did so on that run at 2e-4). Compared with its own lowest,
 * not its first value: a dead run often blows up first (losses of 10³–10¹⁵) and then settles at
 * the class prior's entropy, lower than its start but no longer falling. The window also catches
 * a run that learned and then died (the cnn case of issue 14: 10.8–11.6% accuracy on MNIST for
 * the rest of its budget).
 *
 * Why 10%: the dead trials of that cnn sweep were visibly dead within seconds; a tenth of a 60 s
 * budget (6 s, about 11 validations at 1/20 epoch) is enough to see it and saves 90% of each dead
 * trial, while a live run has by then left chance level or is still lowering its loss.
 *
 * Why also `minSteps` updates: a network leaves its initial plateau after some number of updates,
 * whatever the batch, while validations come every so many examples. At a large batch five
 * validations can be a dozen updates: rerunning that sweep on a machine five times slower, the
 * cnn at B = 1,024 and rate 0.028 (a live run: 96.1% in 60 s on the faster machine) was stopped
 * after 15 updates, at chance with its loss still flat. 50 updates is where the dead runs measured
 * here had long settled; a dead run at a batch so large that 50 updates exceed its budget runs
 * the budget, the price of never stopping a live one.
 */
import type { DataSplits } from '../data/dataset.js';
import type { EpochMetricRow } from '../store/store.js';

export interface StallRule {
  /** Share of the budget before any verdict: 0.1 = a tenth of its seconds or epochs. */
  readonly share: number;
  readonly minEvaluations: number;
  /** Updates before any verdict, whatever the batch size. */
  readonly minSteps: number;
  /** Validations that must all be dead. */
  readonly window: number;
  /** Accuracy points above the majority-class rate still counted as chance. */
  readonly accuracyMargin: number;
  /** Relative margin under the lowest earlier validation loss still counted as no lower. */
  readonly lossMargin: number;
}

export const STALL_RULE: StallRule = { share: 0.1, minEvaluations: 5, minSteps: 50, window: 3, accuracyMargin: 0.02, lossMargin: 0.01 };

/** The validation split's majority-class rate: what a predictor that ignores its input scores at best (NaN without a validation split). */
export function chanceAccuracy(data: DataSplits): number {
  const val = data.validation;
  if (val.count === 0) return NaN;
  const counts = new Array<number>(data.numClasses).fill(0);
  for (const c of val.y) counts[c] = (counts[c] ?? 0) + 1;
  return Math.max(...counts) / val.count;
}

/**
 * The verdict after the latest validation. `budgetUsed` is the share of the budget spent (0–1).
 * A NaN in the window gives no verdict: a NaN loss is divergence's to report.
 */
export function isStalled(metrics: readonly Pick<EpochMetricRow, 'step' | 'valAccuracy' | 'valLoss'>[], chance: number, budgetUsed: number, rule: StallRule = STALL_RULE): boolean {
  if (budgetUsed < rule.share || metrics.length < Math.max(rule.minEvaluations, rule.window + 1)) return false;
  if ((metrics[metrics.length - 1]?.step ?? 0) < rule.minSteps) return false;
  const earlier = metrics.slice(0, -rule.window).map((m) => m.valLoss).filter(Number.isFinite);
  if (earlier.length === 0) return false;
  const lowest = Math.min(...earlier);
  return metrics.slice(-rule.window).every((m) => m.valAccuracy <= chance + rule.accuracyMargin && m.valLoss >= (1 - rule.lossMargin) * lowest);
}
