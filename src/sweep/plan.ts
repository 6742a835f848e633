/**
 * What a sweep will run: one trial per (batch size, learning rate, seed), each with the learning
 * rate its batch size gets under the sweep's rule, in an order that finds a good rate early so
 * that slower ones can be cut short (see `pruneFactor`).
 *
 * Learning rates. Shallue et al. (2018) tuned the rate separately at every batch size; a fixed
 * grid cannot do that from B = 1 to the full data set, since the best rate moves by orders of
 * magnitude. So the grid is given at a reference batch and carried to each B by a rule:
 *   lr(B, g) = g · (B / B_ref)^p,   p = 1 (linear), ½ (sqrt) or 0 (none),
 * for each grid value g. `--lr-grid 0.02` with `--lr-rule linear` is the linear scaling rule
 * untuned; a grid of several values tunes around the rule at every B.
 */
import { batchLadder, startRung } from '../adaptive/goodput.js';
import { UserError } from '../errors.js';

export const LR_RULES = ['linear', 'sqrt', 'none'] as const;
export type LrRule = (typeof LR_RULES)[number];

export const RULE_POWER: Record<LrRule, number> = { linear: 1, sqrt: 0.5, none: 0 };

export interface SweepPlanSpec {
  /** Micro-batch sizes, or 'full' for the whole training split. */
  readonly batchSizes: readonly (number | 'full')[];
  /** Learning rates at the reference batch size. */
  readonly lrGrid: readonly number[];
  readonly lrRule: LrRule;
  readonly lrRefBatch: number;
  /** Seeds per (batch size, learning rate): the base seed, base+1, … */
  readonly seeds: number;
  readonly baseSeed: number;
  /** Examples in the training split, to resolve 'full' and check sizes. */
  readonly trainExamples: number;
  /** Auto trials (`--batch-sizes …,auto`): `--batch-size auto` from startBatch (else minBatch), between minBatch and maxBatch, after the grid. */
  readonly auto?: AutoPlan | undefined;
}

export interface AutoPlan {
  readonly minBatch: number;
  readonly maxBatch: number;
  /** The batch the trials start at, whose grid rates they take: a rung of the ladder (absent: minBatch). */
  readonly startBatch?: number | undefined;
}

export interface PlannedTrial {
  /** Stable identity in the store: a finished trial with this key is never run again. */
  readonly key: string;
  readonly batchSize: number;
  readonly batchLabel: number | 'full';
  readonly lr: number;
  /** The grid value this rate came from (at the reference batch). */
  readonly gridLr: number;
  readonly seed: number;
  /** Set for an auto trial: batchSize is then its starting batch, and lr the rate there. */
  readonly auto?: AutoPlan;
}

export function ruleLr(gridLr: number, batchSize: number, rule: LrRule, refBatch: number): number {
  return gridLr * Math.pow(batchSize / refBatch, RULE_POWER[rule]);
}

/** Rates round to 4 significant digits so that keys, tables and exports agree. */
export const round4 = (x: number) => Number(x.toPrecision(4));

export function trialKey(batchSize: number, lr: number, seed: number): string {
  return `b${batchSize}-lr${round4(lr)}-s${seed}`;
}

/**
 * Trials in run order: batch sizes as given; within one, the grid from its middle outwards, so the
 * likely-best rate runs first and sets the bar that prunes the rest; seeds innermost.
 */
export function planTrials(spec: SweepPlanSpec): PlannedTrial[] {
  if (spec.batchSizes.length === 0 && spec.auto === undefined) throw new UserError('--batch-sizes is empty; give at least one, e.g. --batch-sizes 32,128,512');
  if (spec.lrGrid.length === 0) throw new UserError('--lr-grid is empty; give at least one rate, e.g. --lr-grid 0.01,0.02,0.04');
  const seen = new Set<number>();
  const trials: PlannedTrial[] = [];
  for (const label of spec.batchSizes) {
    const batchSize = label === 'full' ? spec.trainExamples : label;
    if (batchSize > spec.trainExamples) {
      throw new UserError(`--batch-sizes: ${batchSize} is larger than the ${spec.trainExamples} training examples; use sizes ≤ ${spec.trainExamples} or full`);
    }
    if (seen.has(batchSize)) continue;
    seen.add(batchSize);
    for (const gridLr of middleOut(spec.lrGrid)) {
      const lr = round4(ruleLr(gridLr, batchSize, spec.lrRule, spec.lrRefBatch));
      for (let s = 0; s < spec.seeds; s++) {
        const seed = spec.baseSeed + s;
        trials.push({ key: trialKey(batchSize, lr, seed), batchSize, batchLabel: label, lr, gridLr, seed });
      }
    }
  }
  if (spec.auto !== undefined) trials.push(...autoTrials(spec, spec.auto));
  return trials;
}

/** Keys of auto trials start so; no fixed trial's does (trialKey). */
export const AUTO_KEY_PREFIX = 'auto-';
export const isAutoKey = (key: string | undefined): boolean => key !== undefined && key.startsWith(AUTO_KEY_PREFIX);

/**
 * The auto trials: one per grid rate carried to the starting batch by the rule (the rate the
 * grid gives a fixed trial at that batch), and per seed. The key holds both ends of the ladder,
 * which the sweep's identity leaves out (as it leaves out the batch sizes).
 */
export function autoTrials(spec: Omit<SweepPlanSpec, 'batchSizes' | 'auto'>, auto: AutoPlan): PlannedTrial[] {
  if (auto.minBatch > spec.trainExamples) throw new UserError(`--auto-min ${auto.minBatch} is larger than the ${spec.trainExamples} training examples; use a smaller one`);
  if (auto.maxBatch < auto.minBatch) throw new UserError(`--auto-max ${auto.maxBatch} is below the auto trials' smallest batch ${auto.minBatch}; raise --auto-max or lower --auto-min`);
  const start = auto.startBatch ?? auto.minBatch;
  if (start > spec.trainExamples) throw new UserError(`--auto-start ${start} is larger than the ${spec.trainExamples} training examples; use a smaller one`);
  startRung(batchLadder(auto.minBatch, auto.maxBatch), start);
  // Trials that start at their smallest batch keep the keys they had before a start could be above it.
  const ladder = start === auto.minBatch ? `b${start}-${auto.maxBatch}` : `b${start}-${auto.maxBatch}-min${auto.minBatch}`;
  const trials: PlannedTrial[] = [];
  for (const gridLr of middleOut(spec.lrGrid)) {
    const lr = round4(ruleLr(gridLr, start, spec.lrRule, spec.lrRefBatch));
    for (let s = 0; s < spec.seeds; s++) {
      const seed = spec.baseSeed + s;
      const key = `${AUTO_KEY_PREFIX}${ladder}-lr${lr}-s${seed}`;
      trials.push({ key, batchSize: start, batchLabel: start, lr, gridLr, seed, auto });
    }
  }
  return trials;
}

/**
 * The trials of one rate beyond the grid at one batch size (edges.ts): one per seed, keyed like
 * the grid's, with the grid value that the rule would carry to this rate.
 */
export function rateTrials(spec: Pick<SweepPlanSpec, 'lrRule' | 'lrRefBatch' | 'seeds' | 'baseSeed'>, batchSize: number, batchLabel: number | 'full', lr: number): PlannedTrial[] {
  const gridLr = round4(lr / ruleLr(1, batchSize, spec.lrRule, spec.lrRefBatch));
  return Array.from({ length: spec.seeds }, (_, s) => ({ key: trialKey(batchSize, lr, spec.baseSeed + s), batchSize, batchLabel, lr, gridLr, seed: spec.baseSeed + s }));
}

/** [a, b, c, d, e] → [c, b, d, a, e]: the middle value first, then alternately outwards. */
export function middleOut<T>(values: readonly T[]): T[] {
  const out: T[] = [];
  const mid = Math.floor((values.length - 1) / 2);
  for (let d = 0; out.length < values.length; d++) {
    if (mid - d >= 0 && d > 0) out.push(values[mid - d]!);
    if (d === 0) out.push(values[mid]!);
    else if (mid + d < values.length) out.push(values[mid + d]!);
  }
  return out;
}

/** Powers of two from 1 up to n, then n itself ('full'): the B = 2^k sweep of the article. */
export function powersOfTwoUpTo(n: number): (number | 'full')[] {
  const out: (number | 'full')[] = [];
  for (let b = 1; b < n; b *= 2) out.push(b);
  out.push('full');
  return out;
}
