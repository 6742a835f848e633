/**
 * Dead and stalled trials: a rate far too large often leaves a network that computes nothing from
 * its input (its ReLUs dead, its output the class prior) without any NaN, so divergence never
 * fires and the trial would spend its whole budget at chance. Such a trial stops as 'stalled'.
 *
 * The rule. Past `share` of the trial's budget (of its seconds or its epochs, whichever is nearer
 * its limit) and `minEvaluations` validations, a trial is stalled when, over its last `window`
 * validations, it has done no better than a predictor that ignores its input on both counts:
 *   - validation accuracy ≤ chance + `accuracyMargin`, chance being the validation split's
 *     majority-class rate (what an input-blind predictor scores at best), and
 *   - the training loss ≥ (1 − `lossMargin`) × the lower of its first value and the entropy of
 *     the training labels' class frequencies (the loss of the best input-blind predictor), i.e.
 *     no lower than at the start.
 *
 * Why both, and why it cannot stop a slow but live run: each signal alone is fooled by a live run
 * early on. A small rate from a large initial loss stays above the input-blind loss for several
 * validations while its accuracy is already well above chance (measured: blobs, 2 hidden layers,
 * rate 1e-4: 0.43–0.55 accuracy at losses 2.5 → 1.2 > ln 3); another run's first validations can
 * sit at chance while its loss falls fast. A run that has learned anything measurable passes one
 * of the two and is never stopped; what is stopped has, after a tenth of its budget, learned
 * nothing a class-prior table would not know. The window also catches a run that learned and then
 * died (the cnn case in issue 14: 10.8–11.6% accuracy on MNIST for the rest of its budget).
 *
 * Why 10%: the dead trials of that cnn sweep were visibly dead within seconds; a tenth of a 60 s
 * budget (6 s, about 11 validations at 1/20 epoch) is enough to see it and saves 90% of each dead
 * trial, while a live run has by then long left chance level.
 */
import type { DataSplits } from '../data/dataset.js';
import type { EpochMetricRow } from '../store/store.js';

export interface StallRule {
  /** Share of the budget before any verdict: 0.1 = a tenth of its seconds or epochs. */
  readonly share: number;
  readonly minEvaluations: number;
  /** Validations that must all be dead. */
  readonly window: number;
  /** Accuracy points above the majority-class rate still counted as chance. */
  readonly accuracyMargin: number;
  /** Relative margin under the input-blind loss still counted as no lower. */
  readonly lossMargin: number;
}

export const STALL_RULE: StallRule = { share: 0.1, minEvaluations: 5, window: 3, accuracyMargin: 0.02, lossMargin: 0.01 };

/** What an input-blind predictor achieves on this data: the bar a live network must clear. */
export interface ChanceLevels {
  /** The validation split's majority-class rate (NaN without a validation split). */
  readonly accuracy: number;
  /** The entropy of the training split's class frequencies, in nats (the cross-entropy of the prior). */
  readonly loss: number;
}

function classCounts(y: Int32Array, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const c of y) counts[c] = (counts[c] ?? 0) + 1;
  return counts;
}

export function chanceLevels(data: DataSplits): ChanceLevels {
  const val = data.validation;
  const accuracy = val.count > 0 ? Math.max(...classCounts(val.y, data.numClasses)) / val.count : NaN;
  let loss = 0;
  for (const n of classCounts(data.train.y, data.numClasses)) if (n > 0) loss -= (n / data.train.count) * Math.log(n / data.train.count);
  return { accuracy, loss };
}

/**
 * The verdict after the latest validation. `budgetUsed` is the share of the budget spent (0–1).
 * A NaN anywhere in the window gives no verdict: a NaN loss is divergence's to report.
 */
export function isStalled(metrics: readonly Pick<EpochMetricRow, 'valAccuracy' | 'trainLoss'>[], chance: ChanceLevels, budgetUsed: number, rule: StallRule = STALL_RULE): boolean {
  if (budgetUsed < rule.share || metrics.length < Math.max(rule.minEvaluations, rule.window)) return false;
  const first = metrics[0]!.trainLoss;
  const lossFloor = (1 - rule.lossMargin) * Math.min(Number.isFinite(first) ? first : Infinity, chance.loss);
  return metrics.slice(-rule.window).every((m) => m.valAccuracy <= chance.accuracy + rule.accuracyMargin && m.trainLoss >= lossFloor);
}
