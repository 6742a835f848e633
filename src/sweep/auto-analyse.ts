/**
 * What a sweep's auto trials say: per starting rate, the median time to target over seeds with its
 * range (as analyse.ts gives a batch size's), and how the fastest compares with the best fixed
 * trial. Auto trials are no point on the B axis (their batch moves), so they stay out of the fixed
 * analysis (analyse.ts leaves out their keys) and of its fit of steps against B.
 *
 * The comparison follows the seeds rule of analyse.ts: "faster" or "slower" only where the two
 * seconds ranges do not overlap; otherwise they cannot be told apart.
 */
import { median, type BatchSummary } from './analyse.js';
import type { AutoFigures } from './auto-trial.js';
import type { TrialResult } from './analyse.js';

export interface AutoTrialResult extends TrialResult {
  readonly auto?: AutoFigures;
}

export interface AutoSummary {
  readonly startBatch: number;
  /** The smallest batch the trials could shrink to (startBatch where they could not). */
  readonly minBatch: number;
  readonly maxBatch: number;
  /** The rate at the starting batch. */
  readonly lr: number;
  readonly seeds: number;
  readonly reached: number;
  /** Medians over the seeds, when all of them reached the target. */
  readonly secondsToTarget: number | null;
  readonly secondsRange: readonly [number, number] | null;
  readonly stepsToTarget: number | null;
  readonly examplesToTarget: number | null;
  readonly epochsToTarget: number | null;
  readonly bestValAccuracy: number;
  readonly testAccuracy: number | null;
  /** Where the seeds' batches ended (min–max), and their changes (median, the start included). */
  readonly finalBatch: readonly [number, number];
  readonly changes: number;
  readonly diverged: number;
  readonly stalled: number;
}

export type AutoVerdict = 'faster' | 'slower' | 'within the spread';

export interface AutoAnalysis {
  /** Per starting rate, smallest first. */
  readonly runs: readonly AutoSummary[];
  /** The fastest median time to target among them. */
  readonly best: AutoSummary | null;
  /** The fixed grid's time optimum it is set against. */
  readonly bestFixed: { readonly batchSize: number; readonly lr: number; readonly secondsToTarget: number; readonly secondsRange: readonly [number, number] } | null;
  /** Auto's median seconds ÷ the best fixed's; null unless both reached the target. */
  readonly ratio: number | null;
  readonly verdict: AutoVerdict | null;
}

export function analyseAuto(all: readonly AutoTrialResult[], timeOptimal: BatchSummary | null): AutoAnalysis {
  const trials = all.filter((t) => t.status !== 'failed' && t.auto !== undefined);
  const groups = new Map<string, AutoTrialResult[]>();
  for (const t of trials) {
    const k = `${t.auto!.startBatch}-${t.auto!.minBatch ?? t.auto!.startBatch}-${t.auto!.maxBatch}-${t.lr}`;
    groups.set(k, [...(groups.get(k) ?? []), t]);
  }
  const runs = [...groups.values()].map(summarise).sort((a, b) => a.lr - b.lr || a.startBatch - b.startBatch);
  const reached = runs.filter((r) => r.secondsToTarget !== null);
  const best = reached.reduce<AutoSummary | null>((a, b) => (a === null || b.secondsToTarget! < a.secondsToTarget! ? b : a), null);
  const t = timeOptimal;
  const bestFixed = t === null || t.secondsToTarget === null ? null : { batchSize: t.batchSize, lr: t.bestLr, secondsToTarget: t.secondsToTarget, secondsRange: t.secondsRange ?? ([t.secondsToTarget, t.secondsToTarget] as const) };
  if (best === null || bestFixed === null) return { runs, best, bestFixed, ratio: null, verdict: null };
  const a = best.secondsRange!;
  const f = bestFixed.secondsRange;
  const verdict: AutoVerdict = a[1] < f[0] ? 'faster' : a[0] > f[1] ? 'slower' : 'within the spread';
  return { runs, best, bestFixed, ratio: best.secondsToTarget! / bestFixed.secondsToTarget, verdict };
}

function summarise(ts: readonly AutoTrialResult[]): AutoSummary {
  const a = ts[0]!.auto!;
  const hit = ts.filter((t) => t.secondsToTarget !== null);
  const all = hit.length === ts.length;
  const med = (f: (t: AutoTrialResult) => number | null) => (all ? median(hit.map((t) => f(t)!)) : null);
  const seconds = hit.map((t) => t.secondsToTarget!);
  const tests = ts.map((t) => t.testAccuracy).filter((x): x is number => x !== null);
  const finals = ts.map((t) => t.auto!.finalBatch);
  return {
    startBatch: a.startBatch,
    minBatch: a.minBatch ?? a.startBatch,
    maxBatch: a.maxBatch,
    lr: ts[0]!.lr,
    seeds: ts.length,
    reached: hit.length,
    secondsToTarget: med((t) => t.secondsToTarget),
    secondsRange: all ? [Math.min(...seconds), Math.max(...seconds)] : null,
    stepsToTarget: med((t) => t.stepsToTarget),
    examplesToTarget: med((t) => t.auto!.examplesToTarget),
    epochsToTarget: med((t) => t.epochsToTarget),
    bestValAccuracy: Math.max(...ts.map((t) => t.bestValAccuracy)),
    testAccuracy: tests.length > 0 ? tests.reduce((x, y) => x + y, 0) / tests.length : null,
    finalBatch: [Math.min(...finals), Math.max(...finals)],
    changes: median(ts.map((t) => t.auto!.changes)),
    diverged: ts.filter((t) => t.status === 'diverged').length,
    stalled: ts.filter((t) => t.status === 'stalled').length,
  };
}
