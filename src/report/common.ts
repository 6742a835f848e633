/** Pieces every spec builder shares: sizes, log axes, the legend-bound filter, trial rows as plot data. */
import type { TrialRow } from '../store/store.js';
import { at } from './fields.js';

export const WIDTH = 560;
export const HEIGHT = 300;

/** A log scale; html.ts offers a linear twin of any spec that has one (the log/linear toggle). */
export const LOG = { type: 'log', nice: false, padding: 10 } as const;

/** A point selection bound to the legend of `field`: clicking a legend entry shows only its marks (shift-click for more). */
export function legendFilter(name: string, field: string) {
  return { name, select: { type: 'point' as const, fields: [field] }, bind: 'legend' as const };
}

/** Marks outside the legend selection fade instead of vanishing, so the rest stays readable for comparison. */
export function fadeUnless(param: string, on = 0.9, off = 0.08) {
  return { condition: { param, value: on }, value: off };
}

/** A trial as the plots see it: every stored figure, plus the effective batch and the rate it was planned from. */
export interface TrialDatum {
  readonly key: string;
  /** Effective batch: micro-batch × iter-size. */
  readonly batch: number;
  readonly microBatch: number;
  readonly iterSize: number;
  readonly lr: number;
  /** The grid rate it was carried from (sweep), else its own rate, as a legend label. */
  readonly rate: string;
  readonly seed: number;
  readonly status: string;
  readonly steps: number | null;
  readonly examples: number | null;
  readonly epochs: number | null;
  readonly seconds: number | null;
  readonly samplesPerSec: number | null;
  readonly bestValAccuracy: number | null;
  readonly finalValAccuracy: number | null;
  readonly testAccuracy: number | null;
}

const finite = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);

export function trialDatum(t: TrialRow): TrialDatum {
  const gridLr = at(t.detail, 'gridLr');
  const batch = t.batchSize * t.iterSize;
  return {
    key: t.key,
    batch,
    microBatch: t.batchSize,
    iterSize: t.iterSize,
    lr: t.lr,
    rate: typeof gridLr === 'number' ? String(gridLr) : String(t.lr),
    seed: t.seed,
    status: t.status,
    steps: t.stepsToTarget,
    examples: t.stepsToTarget === null ? null : t.stepsToTarget * batch,
    epochs: t.epochsToTarget,
    seconds: t.secondsToTarget,
    samplesPerSec: finite(t.samplesPerSec),
    bestValAccuracy: finite(t.bestValAccuracy),
    finalValAccuracy: finite(t.finalValAccuracy),
    testAccuracy: t.testAccuracy,
  };
}

/** Tooltip fields of a trial: its exact stored figures. */
export const TRIAL_TOOLTIP = [
  { field: 'key', title: 'trial' },
  { field: 'batch', title: 'batch (effective)', type: 'quantitative' },
  { field: 'lr', title: 'learning rate', type: 'quantitative' },
  { field: 'seed', title: 'seed', type: 'quantitative' },
  { field: 'status', title: 'status' },
  { field: 'steps', title: 'steps to target', type: 'quantitative', format: ',' },
  { field: 'epochs', title: 'epochs to target', type: 'quantitative', format: '.3f' },
  { field: 'seconds', title: 'seconds to target', type: 'quantitative', format: '.3f' },
  { field: 'samplesPerSec', title: 'samples/s', type: 'quantitative', format: ',.0f' },
  { field: 'bestValAccuracy', title: 'best val. accuracy', type: 'quantitative', format: '.2%' },
  { field: 'testAccuracy', title: 'test accuracy', type: 'quantitative', format: '.2%' },
] as const;
