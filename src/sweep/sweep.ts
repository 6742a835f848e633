/**
 * A sweep: run every planned trial that the record does not already hold, one at a time on this
 * process's cores, and analyse them all. The record (the SQLite store, or memory in tests) keeps a
 * trial only once it has finished, in one transaction, so a sweep killed at any moment and run
 * again does every missing trial exactly once.
 *
 * Pruning: a trial still short of the target after `pruneFactor` × another rate's median time to
 * target at its batch size cannot be that batch size's tuned rate; it stops as 'pruned' (prune.ts). A trial that has learned nothing after a tenth of its budget stops as
 * 'stalled' (stall.ts).
 *
 * Grid edges: after a batch size's grid, while its best rate is the smallest or largest tried (or
 * every rate failed), the next rate beyond that edge is tried (edges.ts). Those trials are
 * ordinary trials with ordinary keys, and each choice follows from the results alone, so a
 * resumed sweep finds them in the record and reruns none.
 */
import type { ThroughputPoint } from '../adaptive/index.js';
import type { DataSplits } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';
import { UserError } from '../errors.js';
import type { BatchChangeRow } from '../store/rows.js';
import { analyseSweep, type SweepAnalysis, type TrialResult } from './analyse.js';
import { analyseAuto, type AutoAnalysis } from './auto-analyse.js';
import { runAutoTrial, type AutoFigures } from './auto-trial.js';
import { searchRates, type GridEdge } from './edges.js';
import { isAutoKey, planTrials, rateTrials, type PlannedTrial, type SweepPlanSpec } from './plan.js';
import { PruneBars } from './prune.js';
import { runTrial, type TrialHooks, type TrialLimits, type TrialMetric, type TrialOutcome } from './trial.js';

export interface SweepSpec {
  /** Everything but batch size, rate and seed; its targetAccuracy is the sweep's target. */
  readonly base: RunConfig;
  readonly plan: Omit<SweepPlanSpec, 'trainExamples'>;
  readonly limits: Omit<TrialLimits, 'pruneSeconds' | 'stallAfter'>;
  /** Stop a trial once it is this many times slower than the best other rate at its batch size; 0 = never. */
  readonly pruneFactor: number;
  /** Share of a trial's budget after which a trial that learned nothing stops as 'stalled' (stall.ts); 0 = never. */
  readonly stallAfter: number;
  /** While a batch size's best rate is on an edge of its grid, or all failed, try rates beyond it (edges.ts). */
  readonly extendGrid: boolean;
  /** The throughput curve auto trials weigh batches by, kept from an earlier run; measured by the first auto trial if absent. */
  readonly autoCurve?: readonly ThroughputPoint[] | undefined;
}

/** How a batch size's rate search ended. */
export interface BatchRates {
  readonly batchSize: number;
  /** Where the best rate sits among those tried; null when interior. */
  readonly edge: GridEdge | null;
  /** Rates tried beyond the grid's smallest and its largest. */
  readonly below: number;
  readonly above: number;
  readonly lowestLr: number;
  readonly highestLr: number;
  /** The sweep stopped before this batch size's search ended. */
  readonly interrupted: boolean;
}

export interface RecordedTrial extends TrialResult {
  readonly key: string;
  /** An auto trial's own figures (auto-trial.ts). */
  readonly auto?: AutoFigures;
}

/** Where finished trials go and come back from: one record per sweep identity (identity.ts), as trial keys hold only batch size, rate and seed. */
export interface SweepRecorder {
  finishedTrials(): RecordedTrial[];
  /** Keep a finished trial; false if one with this key is already kept (it is not counted twice). */
  record(trial: PlannedTrial, outcome: TrialOutcome): boolean;
}

export interface SweepHooks {
  readonly shouldStop?: () => boolean;
  readonly onTrialStart?: (t: PlannedTrial, index: number, total: number) => void;
  readonly onTrialEnd?: (t: PlannedTrial, outcome: TrialOutcome) => void;
  readonly onMetric?: (t: PlannedTrial, m: TrialMetric) => void;
}

/**
 * Where trials train: here, one at a time (the default), or elsewhere, several at once (a queue's
 * workers: src/queue). A parallel runner gets every trial whose choice does not wait on a result:
 * all batch sizes, and each one's grid rates and seeds, at once; rates past a grid edge still wait
 * for the grid (edges.ts). Its prune bar is the fastest time known when the trial is handed out.
 */
export interface TrialRunner {
  readonly parallel: boolean;
  /** The outcome, or null when interrupted (the user asked to stop). */
  run(t: PlannedTrial, config: RunConfig, data: DataSplits, limits: TrialLimits, hooks: TrialHooks): Promise<TrialOutcome | null>;
  /** The trial's outcome is recorded: what the runner kept for it may go (a queue's job). */
  committed?(t: PlannedTrial): void;
}

export const LOCAL_RUNNER: TrialRunner = { parallel: false, run: (_t, config, data, limits, hooks) => runTrial(config, data, limits, hooks) };

export interface SweepResult {
  readonly analysis: SweepAnalysis;
  readonly trials: readonly RecordedTrial[];
  /** Per batch size, in the plan's order. */
  readonly rates: readonly BatchRates[];
  /** Trials run by this call, and trials found already finished. */
  readonly ran: number;
  readonly skipped: number;
  readonly total: number;
  readonly interrupted: boolean;
  /** The auto trials (`--batch-sizes …,auto`), apart from the fixed grid, against its best. */
  readonly auto: AutoAnalysis;
  /** The throughput curve this call measured for its auto trials, to be kept; null when none was measured. */
  readonly autoCurve: { readonly curve: readonly ThroughputPoint[]; readonly seconds: number } | null;
}

export function trialConfig(base: RunConfig, t: PlannedTrial): RunConfig {
  // An auto trial: the rate rule replaces the schedule (src/adaptive), from the starting batch.
  if (t.auto !== undefined) {
    return { ...base, batchSize: t.batchSize, iterSize: 1, seed: t.seed, hyper: { ...base.hyper, lr: t.lr }, schedule: { kind: 'constant' }, warmupSteps: 0, adaptive: { minBatch: t.auto.minBatch, maxBatch: t.auto.maxBatch } };
  }
  return { ...base, batchSize: t.batchSize, iterSize: 1, seed: t.seed, hyper: { ...base.hyper, lr: t.lr } };
}

export async function runSweep(spec: SweepSpec, data: DataSplits, recorder: SweepRecorder, hooks: SweepHooks = {}, runner: TrialRunner = LOCAL_RUNNER): Promise<SweepResult> {
  if (spec.base.targetAccuracy === undefined) throw new UserError('a sweep needs --target-accuracy (e.g. 0.97): trials are compared by their time to it');
  const plan = planTrials({ ...spec.plan, trainExamples: data.train.count });
  if (runner.parallel && plan.some((t) => t.auto !== undefined)) throw new UserError('sweep --queue does not run auto trials; drop auto from --batch-sizes, or run the sweep without --queue');
  let autoCurve = spec.autoCurve;
  let measuredCurve: SweepResult['autoCurve'] = null;
  const done = new Map(recorder.finishedTrials().map((t) => [t.key, t]));
  const bars = new PruneBars();
  const groupOf = (t: { key: string; batchSize: number }) => (isAutoKey(t.key) ? 'auto' : t.batchSize);
  for (const t of done.values()) bars.note(groupOf(t), t.lr, t.secondsToTarget);

  const keys = new Set(plan.map((t) => t.key));
  let ran = 0;
  let skipped = 0;
  let total = plan.length;
  let interrupted = false;
  // Once interrupted, the loop goes on without training, to collect what the record already holds.
  const runOne = async (t: PlannedTrial): Promise<RecordedTrial | null> => {
    if (!keys.has(t.key)) {
      keys.add(t.key);
      total++;
    }
    const found = done.get(t.key);
    if (found !== undefined) {
      skipped++;
      return found;
    }
    if (interrupted || hooks.shouldStop?.()) {
      interrupted = true;
      return null;
    }
    const start = () => hooks.onTrialStart?.(t, skipped + ran, total);
    if (!runner.parallel) start();
    const bar = bars.bar(groupOf(t), t.lr);
    const limits: TrialLimits = { ...spec.limits, stallAfter: spec.stallAfter, ...(spec.pruneFactor > 0 && bar !== undefined ? { pruneSeconds: bar * spec.pruneFactor } : {}) };
    const trialHooks: TrialHooks = {
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
      ...(hooks.onMetric ? { onMetric: (m: TrialMetric) => hooks.onMetric!(t, m) } : {}),
      ...(runner.parallel ? { onStart: start } : {}),
    };
    let outcome: TrialOutcome | null;
    if (t.auto !== undefined) {
      // Auto trials train here (a queue refuses them above); the first measures the curve the rest reuse.
      const o = await runAutoTrial(trialConfig(spec.base, t), data, limits, trialHooks, autoCurve);
      if (o !== null && autoCurve === undefined) {
        autoCurve = o.curve;
        measuredCurve = { curve: o.curve, seconds: o.auto.curveSeconds };
      }
      outcome = o;
    } else outcome = await runner.run(t, trialConfig(spec.base, t), data, limits, trialHooks);
    if (outcome === null) {
      interrupted = true;
      return null;
    }
    recorder.record(t, outcome);
    runner.committed?.(t);
    const { metrics: _m, steps: _s, epochs: _e, trainSeconds: _t, divergedAtStep: _d, detail: _x, batchChanges: _c, ...rest } = outcome;
    const { curve: _curve, ...figures } = rest as typeof rest & { curve?: unknown };
    const r: RecordedTrial = { key: t.key, batchSize: t.batchSize, lr: t.lr, seed: t.seed, ...figures };
    done.set(t.key, r);
    bars.note(groupOf(t), t.lr, outcome.secondsToTarget);
    ran++;
    hooks.onTrialEnd?.(t, outcome);
    return r;
  };

  const searchBatch = async (batchTrials: PlannedTrial[]): Promise<BatchRates | null> => {
    const { batchSize, batchLabel } = batchTrials[0]!;
    const search = await searchRates<RecordedTrial[]>({
      grid: [...new Set(batchTrials.map((t) => t.lr))],
      run: async (lr) => {
        const planned = batchTrials.filter((t) => t.lr === lr);
        const seeds = planned.length > 0 ? planned : rateTrials(spec.plan, batchSize, batchLabel, lr);
        const out = runner.parallel ? await Promise.all(seeds.map(runOne)) : [];
        if (!runner.parallel) {
          for (const t of seeds) {
            const r = await runOne(t);
            if (r === null) return null;
            out.push(r);
          }
        }
        return out.some((r) => r === null) ? null : (out as RecordedTrial[]);
      },
      best: (tried) => {
        // A trial that failed on a worker is no result (analyse.ts leaves it out).
        const b = analyseSweep(tried.flatMap((x) => x.result)).batches[0];
        return b === undefined || b.edge === 'all-failed' ? null : b.bestLr;
      },
      extend: spec.extendGrid,
      parallel: runner.parallel,
    });
    const tried = search.tried.map((x) => x.lr);
    return tried.length === 0 ? null : { batchSize, edge: search.edge, below: search.below, above: search.above, lowestLr: Math.min(...tried), highestLr: Math.max(...tried), interrupted: search.interrupted };
  };
  const groups = groupByBatch(plan.filter((t) => t.auto === undefined));
  const searched: (BatchRates | null)[] = [];
  if (runner.parallel) searched.push(...(await Promise.all(groups.map(searchBatch))));
  else for (const g of groups) searched.push(await searchBatch(g));
  const rates = searched.filter((r): r is BatchRates => r !== null);
  // Auto trials after the grid, its rates from the middle out (plan.ts), so their prune bar is set early too.
  for (const t of plan.filter((x) => x.auto !== undefined)) await runOne(t);
  // Analyse what this sweep covers, from the record (which may hold trials of an earlier, larger plan).
  const trials = recorder.finishedTrials().filter((t) => keys.has(t.key));
  const analysis = analyseSweep(trials);
  return { analysis, trials, rates, ran, skipped, total, interrupted, auto: analyseAuto(trials, analysis.timeOptimal), autoCurve: measuredCurve };
}

/** The plan's trials per batch size, in the plan's order. */
function groupByBatch(plan: readonly PlannedTrial[]): PlannedTrial[][] {
  const groups = new Map<number, PlannedTrial[]>();
  for (const t of plan) groups.set(t.batchSize, [...(groups.get(t.batchSize) ?? []), t]);
  return [...groups.values()];
}

/** A recorder in memory, for tests and for library callers who keep their own records. */
export class MemoryRecorder implements SweepRecorder {
  readonly trials = new Map<string, RecordedTrial>();
  /** An auto trial's batch changes, by trial key. */
  readonly changes = new Map<string, readonly BatchChangeRow[]>();
  finishedTrials(): RecordedTrial[] {
    return [...this.trials.values()];
  }
  record(t: PlannedTrial, o: TrialOutcome): boolean {
    if (this.trials.has(t.key)) return false;
    const { batchChanges: _c, ...rest } = o;
    const { curve: _curve, ...figures } = rest as typeof rest & { curve?: unknown };
    this.trials.set(t.key, { key: t.key, batchSize: t.batchSize, lr: t.lr, seed: t.seed, ...figures });
    if (o.batchChanges !== undefined) this.changes.set(t.key, o.batchChanges);
    return true;
  }
}
