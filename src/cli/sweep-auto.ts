/**
 * `sweep --batch-sizes …,auto`: what the auto trials start from (the plan), and what the sweep
 * says about them, apart from the fixed grid's table (they are no batch size on its B axis).
 */
import type { RunConfig } from '../engine/run-config.js';
import { UserError } from '../errors.js';
import type { AutoAnalysis } from '../sweep/auto-analyse.js';
import type { AutoPlan } from '../sweep/plan.js';
import type { SweepOptions } from './sweep-options.js';
import { fmt, formatTable, pct } from './table.js';

/** The auto trials' ladder, or undefined without auto; refuses what an auto trial cannot honour. */
export function autoPlan(o: SweepOptions, base: RunConfig, fixedSizes: readonly number[]): AutoPlan | undefined {
  if (!o.batchSizes.auto) {
    if (o.autoMin !== undefined || o.autoStart !== undefined || o.autoMax !== undefined) throw new UserError('--auto-min, --auto-start and --auto-max apply to auto trials; add auto to --batch-sizes (e.g. --batch-sizes 16,64,256,auto), or drop them');
    return undefined;
  }
  if (o.queue !== undefined) throw new UserError('sweep --queue does not run auto trials; drop auto from --batch-sizes, or run the sweep without --queue');
  if (base.schedule.kind !== 'constant' || base.warmupSteps > 0) {
    throw new UserError(`auto trials choose their rate as the batch grows; drop --${base.schedule.kind !== 'constant' ? 'schedule' : 'warmup-steps'}, or drop auto from --batch-sizes`);
  }
  const minBatch = o.autoMin ?? (fixedSizes.length > 0 ? Math.min(...fixedSizes) : 32);
  const maxBatch = o.autoMax ?? (fixedSizes.length > 0 ? Math.max(...fixedSizes, minBatch) : 4096);
  const startBatch = o.autoStart ?? minBatch;
  // planTrials checks the ladder and the start, before the store is touched.
  return { minBatch, maxBatch, ...(startBatch !== minBatch ? { startBatch } : {}) };
}

/** The auto trials' table and how the fastest compares with the best fixed trial. */
export function autoLines(a: AutoAnalysis, curve: { readonly seconds: number } | null, fixedInSweep = true): string[] {
  if (a.runs.length === 0) return [];
  const spread = (r: readonly [number, number] | null, f: (x: number) => string) => (r === null || r[0] === r[1] ? '' : ` (${f(r[0])}–${f(r[1])})`);
  const first = a.runs[0]!;
  const rows = a.runs.map((r) => [
    r.minBatch < r.startBatch ? `auto ${r.minBatch}←${r.startBatch}→${r.maxBatch}` : `auto ${r.startBatch}→${r.maxBatch}`,
    String(r.lr),
    r.secondsToTarget === null ? (r.reached > 0 ? `${r.reached}/${r.seeds} reached` : 'not reached') : r.secondsToTarget.toFixed(2) + spread(r.secondsRange, (x) => x.toFixed(2)),
    r.examplesToTarget === null ? '–' : fmt(r.examplesToTarget),
    r.stepsToTarget === null ? '–' : fmt(r.stepsToTarget),
    r.epochsToTarget === null ? '–' : r.epochsToTarget.toFixed(2),
    pct(r.bestValAccuracy),
    pct(r.testAccuracy),
    r.finalBatch[0] === r.finalBatch[1] ? fmt(r.finalBatch[0]) : `${fmt(r.finalBatch[0])}–${fmt(r.finalBatch[1])}`,
    fmt(r.changes),
    `${r.seeds}${r.diverged ? ` (${r.diverged} diverged)` : ''}${r.stalled ? ` (${r.stalled} stalled)` : ''}`,
  ]);
  const lines = [
    '',
    `auto trials (--batch-size auto from ${first.startBatch}, the batch and rate following the noise scale ${first.minBatch < first.startBatch ? `down to ${first.minBatch} and ` : ''}up to ${first.maxBatch}; steps are updates of varying batch, so examples compare):`,
    ...formatTable(['batch', 'start lr', 'seconds', 'examples', 'steps', 'epochs', 'best val', 'test', 'ended at B', 'changes', 'trials'], rows),
  ];
  if (curve !== null) lines.push(`  their throughput curve was measured in ${curve.seconds.toFixed(1)} s before the first, outside its seconds to target`);
  const b = a.best;
  const f = a.bestFixed;
  if (b === null) lines.push('auto against the best fixed trial: no auto trial reached the target');
  else if (f === null) lines.push(`auto against the best fixed trial: ${fixedInSweep ? 'no fixed trial reached the target' : 'no fixed batch size in this sweep to compare with (add some to --batch-sizes)'}; auto did in ${b.secondsToTarget!.toFixed(2)} s`);
  else {
    const med = b.seeds > 1 ? `median of ${b.seeds} seeds ` : '';
    const verdict = a.verdict === 'within the spread' ? 'the two cannot be told apart within the seeds’ spread' : `auto is ${a.verdict}`;
    lines.push(
      `auto against the best fixed trial: auto from lr ${b.lr} ${med}${b.secondsToTarget!.toFixed(2)} s${spread(b.secondsRange, (x) => x.toFixed(2))}, ` +
        `batch ${f.batchSize} (lr ${f.lr}) ${f.secondsToTarget.toFixed(2)} s${spread(f.secondsRange, (x) => x.toFixed(2))}: ${a.ratio!.toFixed(2)}×; ${verdict}`,
    );
  }
  return lines;
}
