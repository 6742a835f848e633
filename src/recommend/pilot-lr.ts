/**
 * The pilot's learning rate: the rate rules (lr-rule.ts) carry a rate from B₀ to B only as well as
 * that rate suits B₀ and the target. A rate tuned for a short run can be several times too large
 * for a tighter target (on MNIST's mlp at batch 32, 0.02 reaches 97% fastest but 0.005 reaches
 * 97.5% in fewer steps), so the pilot first tries a small grid at B₀ — the one batch size where a
 * run to the target is cheap — and keeps the rate with the fewest steps to the target. A rate
 * already 1.25× behind the best is stopped (it cannot win), as in the sweep.
 */
import type { DataSplits } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';
import { middleOut } from '../sweep/plan.js';
import { runTrial, type TrialMetric, type TrialOutcome } from '../sweep/trial.js';

export interface LrTrial {
  readonly lr: number;
  readonly outcome: TrialOutcome;
}

export interface PilotLrOptions {
  readonly batchSize: number;
  readonly grid: readonly number[];
  readonly targetAccuracy: number;
  readonly maxEpochs: number;
  readonly maxSeconds: number;
  readonly evalsPerEpoch: number;
  readonly shouldStop?: () => boolean;
  readonly onTrial?: (t: LrTrial) => void;
  /** A rate's trial starts, and each of its evaluations (for a live view of the trial in progress). */
  readonly onTrialStart?: (lr: number) => void;
  readonly onMetric?: (m: TrialMetric) => void;
}

/** Fewest steps to the target; if none reached it, the best validation accuracy. */
export function bestLrTrial(trials: readonly LrTrial[]): LrTrial | null {
  const score = (t: LrTrial) => (t.outcome.stepsToTarget !== null ? [0, t.outcome.stepsToTarget] : [1, -t.outcome.bestValAccuracy]);
  let best: LrTrial | null = null;
  for (const t of trials) {
    if (t.outcome.status === 'diverged' && t.outcome.stepsToTarget === null) continue;
    const [a, b] = score(t);
    if (best === null) best = t;
    else {
      const [c, d] = score(best);
      if (a! < c! || (a === c && b! < d!)) best = t;
    }
  }
  return best;
}

/** Null when interrupted. */
export async function searchPilotLr(base: RunConfig, data: DataSplits, o: PilotLrOptions): Promise<LrTrial[] | null> {
  const trials: LrTrial[] = [];
  for (const lr of middleOut(o.grid)) {
    const best = bestLrTrial(trials);
    // Steps and seconds are proportional at one batch size: the bar is 1.25× the best's seconds.
    const bar = best?.outcome.secondsToTarget ?? undefined;
    const config: RunConfig = { ...base, batchSize: o.batchSize, iterSize: 1, hyper: { ...base.hyper, lr }, targetAccuracy: o.targetAccuracy };
    o.onTrialStart?.(lr);
    const outcome = await runTrial(
      config,
      data,
      { maxEpochs: o.maxEpochs, maxSeconds: o.maxSeconds, evalsPerEpoch: o.evalsPerEpoch, untilBudget: false, ...(bar !== undefined ? { pruneSeconds: bar * 1.25 } : {}) },
      { ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}), ...(o.onMetric ? { onMetric: o.onMetric } : {}) },
    );
    if (outcome === null) return null;
    const t = { lr, outcome };
    trials.push(t);
    o.onTrial?.(t);
  }
  return trials;
}
