/**
 * The pilot's learning rate: the rate rules (lr-rule.ts) carry a rate from B₀ to B only as well as
 * that rate suits B₀ and the target. A rate tuned for a short run can be several times too large
 * for a tighter target (on MNIST's mlp at batch 32, 0.02 reaches 97% fastest but 0.005 reaches
 * 97.5% in fewer steps), so the pilot first tries a small grid at B₀ — the one batch size where a
 * run to the target is cheap — and keeps the rate with the fewest steps to the target. A rate
 * already 1.25× behind the best is stopped (it cannot win), as in the sweep, and so is one that
 * learned nothing (stall.ts). As in the sweep, a best rate on the grid's edge, or a grid where
 * every rate failed, is followed past that edge (edges.ts).
 */
import type { DataSplits } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';
import { searchRates, type GridEdge } from '../sweep/edges.js';
import { middleOut } from '../sweep/plan.js';
import { STALL_RULE } from '../sweep/stall.js';
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
  /** Try rates past a grid edge that holds the best rate. */
  readonly extendGrid: boolean;
  readonly shouldStop?: () => boolean;
  readonly onTrial?: (t: LrTrial) => void;
  /** A rate's trial starts, and each of its evaluations (for a live view of the trial in progress). */
  readonly onTrialStart?: (lr: number) => void;
  readonly onMetric?: (m: TrialMetric) => void;
}

export interface PilotLrSearch {
  /** In the order run: the grid from its middle out, then any rates past its edge. */
  readonly trials: readonly LrTrial[];
  /** Where the best rate ended up among those tried: null when interior. */
  readonly edge: GridEdge | null;
  readonly below: number;
  readonly above: number;
}

/** Fewest steps to the target; if none reached it, the best validation accuracy; a failed rate (diverged or stalled) never. */
export function bestLrTrial(trials: readonly LrTrial[]): LrTrial | null {
  const score = (t: LrTrial) => (t.outcome.stepsToTarget !== null ? [0, t.outcome.stepsToTarget] : [1, -t.outcome.bestValAccuracy]);
  let best: LrTrial | null = null;
  for (const t of trials) {
    if ((t.outcome.status === 'diverged' || t.outcome.status === 'stalled') && t.outcome.stepsToTarget === null) continue;
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
export async function searchPilotLr(base: RunConfig, data: DataSplits, o: PilotLrOptions): Promise<PilotLrSearch | null> {
  const trials: LrTrial[] = [];
  const search = await searchRates<TrialOutcome>({
    grid: middleOut(o.grid),
    run: async (lr) => {
      // Steps and seconds are proportional at one batch size: the bar is 1.25× the best's seconds.
      const bar = bestLrTrial(trials)?.outcome.secondsToTarget ?? undefined;
      const config: RunConfig = { ...base, batchSize: o.batchSize, iterSize: 1, hyper: { ...base.hyper, lr }, targetAccuracy: o.targetAccuracy };
      o.onTrialStart?.(lr);
      const outcome = await runTrial(
        config,
        data,
        { maxEpochs: o.maxEpochs, maxSeconds: o.maxSeconds, evalsPerEpoch: o.evalsPerEpoch, untilBudget: false, stallAfter: STALL_RULE.share, ...(bar !== undefined ? { pruneSeconds: bar * 1.25 } : {}) },
        { ...(o.shouldStop ? { shouldStop: o.shouldStop } : {}), ...(o.onMetric ? { onMetric: o.onMetric } : {}) },
      );
      if (outcome === null) return null;
      const t = { lr, outcome };
      trials.push(t);
      o.onTrial?.(t);
      return outcome;
    },
    best: (tried) => bestLrTrial(tried.map((x) => ({ lr: x.lr, outcome: x.result })))?.lr ?? null,
    extend: o.extendGrid,
  });
  return search.interrupted ? null : { trials, edge: search.edge, below: search.below, above: search.above };
}
