/**
 * The learning-rate range test (Smith, "Cyclical Learning Rates for Training Neural Networks",
 * WACV 2017; the fastai `lr_find`): one short run at the pilot batch whose rate grows
 * geometrically each update, from ε_lo to ε_hi over `steps` updates, recording the training
 * loss. The loss first hardly moves (the rate is too small to matter), then falls, then blows up
 * once the rate passes the edge of stability. The run stops once the smoothed loss exceeds
 * `blowUp` × its minimum.
 *
 * The rate chosen is the edge — the rate at which the test stopped — divided by `divisor` (10).
 * Not fastai's "the minimum ÷ 10": on MNIST's mlp at batch 32 the smoothed loss is flat within
 * noise from 0.004 to 0.08 because the net keeps learning while the rate grows, so where in that
 * valley the minimum falls is chance (0.013 in two runs here, ÷ 10 = 0.0013, eight times below
 * the rate tuned to the target), while the blow-up came at 0.19 and 0.20 in runs of 200 and 400
 * updates. It costs `steps` updates instead of several runs to the target, and it does not know
 * the target: a tight target wants a smaller rate than a loose one (pilot-lr.ts), which this rule
 * cannot see. That is its trade-off; the README measures it.
 */
import type { DataSplits } from '../../data/dataset.js';
import { prepareTrainer } from '../../engine/run.js';
import type { RunConfig } from '../../engine/run-config.js';

export interface RangeTestOptions {
  readonly batchSize: number;
  readonly lrLow: number;
  readonly lrHigh: number;
  /** Updates from lrLow to lrHigh (the run stops sooner once the loss blows up). */
  readonly steps: number;
  /** The smoothed loss above blowUp × its minimum ends the test. */
  readonly blowUp: number;
  /** The rate chosen is the edge (where the loss blew up) ÷ divisor. */
  readonly divisor: number;
  /** Exponential smoothing of the per-update loss (fastai: 0.98 over 100 updates). */
  readonly smoothing: number;
  readonly shouldStop?: () => boolean;
}

/** The ramp spans lr/below … lr·above around the given --lr: 1e-4 … 1 for momentum's 0.02. */
export const RANGE_TEST_DEFAULTS = { steps: 200, blowUp: 4, divisor: 10, smoothing: 0.9, below: 200, above: 50 } as const;

export interface RangePoint {
  readonly lr: number;
  readonly loss: number;
  /** Debiased exponential moving average of the loss up to this update. */
  readonly smoothed: number;
}

export interface RangeTestResult {
  readonly batchSize: number;
  readonly points: readonly RangePoint[];
  /** The rate where the smoothed loss was lowest. */
  readonly minLossLr: number;
  /** The rate at which the loss blew up; the last rate tried when it never did (then the edge lies beyond). */
  readonly edgeLr: number;
  /** edgeLr ÷ divisor: the pilot's rate. */
  readonly lr: number;
  /** Why it stopped: the loss blew up (or went non-finite), or the last rate was reached. */
  readonly stopped: 'blew-up' | 'end';
  readonly trainSeconds: number;
  readonly interrupted: boolean;
}

/** The rate of update i (0-based) of a test from lo to hi over `steps` updates. */
export function rangeLr(lo: number, hi: number, steps: number, i: number): number {
  return lo * Math.pow(hi / lo, i / Math.max(1, steps - 1));
}

/**
 * Smooths the losses and picks the rate: pure, so the choice can be tested on a made-up curve.
 * A non-finite loss counts as blown up there.
 */
export function analyseRange(lrs: readonly number[], losses: ArrayLike<number>, o: Pick<RangeTestOptions, 'blowUp' | 'divisor' | 'smoothing'>): { points: RangePoint[]; minLossLr: number; edgeLr: number; lr: number; stopped: 'blew-up' | 'end' } {
  const points: RangePoint[] = [];
  let avg = 0;
  let best = Infinity;
  let bestLr = lrs[0]!;
  let stopped: 'blew-up' | 'end' = 'end';
  let edgeLr = lrs[0]!;
  for (let i = 0; i < losses.length && i < lrs.length; i++) {
    const loss = losses[i]!;
    edgeLr = lrs[i]!;
    if (!Number.isFinite(loss)) {
      stopped = 'blew-up';
      break;
    }
    avg = o.smoothing * avg + (1 - o.smoothing) * loss;
    const smoothed = avg / (1 - Math.pow(o.smoothing, i + 1));
    points.push({ lr: lrs[i]!, loss, smoothed });
    if (smoothed < best) {
      best = smoothed;
      bestLr = lrs[i]!;
    }
    if (smoothed > o.blowUp * best) {
      stopped = 'blew-up';
      break;
    }
  }
  return { points, minLossLr: bestLr, edgeLr, lr: edgeLr / o.divisor, stopped };
}

export async function rangeTest(base: RunConfig, data: DataSplits, o: RangeTestOptions): Promise<RangeTestResult> {
  const gamma = Math.pow(o.lrHigh / o.lrLow, 1 / Math.max(1, o.steps - 1));
  // A step schedule with γ > 1 every update is exactly the geometric ramp; one epoch is plenty of room.
  const config: RunConfig = { ...base, batchSize: o.batchSize, iterSize: 1, hyper: { ...base.hyper, lr: o.lrLow }, schedule: { kind: 'step', everySteps: 1, gamma }, warmupSteps: 0, epochs: Math.max(1, Math.ceil((o.steps * o.batchSize) / data.train.count)) };
  const trainer = await prepareTrainer(config, data);
  try {
    const lrs = Array.from({ length: o.steps }, (_, i) => rangeLr(o.lrLow, o.lrHigh, o.steps, i));
    const losses: number[] = [];
    let interrupted = false;
    // Chunks of 10 updates: the blow-up is caught within ten updates of when it happens.
    while (trainer.state.step < o.steps) {
      if (o.shouldStop?.()) {
        interrupted = true;
        break;
      }
      const n = Math.min(10, o.steps - trainer.state.step, trainer.stepsLeftInEpoch);
      const r = await trainer.runUpdates(n);
      losses.push(...r.losses);
      if (r.divergedAtStep !== null || analyseRange(lrs, losses, o).stopped === 'blew-up') break;
    }
    return { batchSize: o.batchSize, ...analyseRange(lrs, losses, o), trainSeconds: trainer.state.trainSeconds, interrupted };
  } finally {
    await trainer.release();
  }
}
