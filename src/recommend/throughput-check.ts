/**
 * A kept throughput curve carries the machine's speed when it was measured. On a shared or
 * throttled machine that speed drifts: on this project's 2-core VM a curve kept at 5,926 samples/s
 * at micro-batch 64 was followed, tens of minutes later, by verifications that ran at 6,529–8,256,
 * and the predicted seconds were off by as much. So before a reused curve is predicted from, one of
 * its points is timed again (about a second) and, where the two disagree by more than
 * CHECK_TOLERANCE, the whole curve is scaled by their ratio.
 *
 * One factor for every point: what drifts here is the machine's speed (its clock, its neighbours),
 * which slows a small and a large micro-batch alike. It scales every candidate's update seconds
 * alike, so it moves the seconds the advice predicts, which is what the check is for, and hardly
 * the choice: only the terms it leaves alone (the run's warm-up, the all-reduce across workers)
 * can tip candidates within a few % of each other, and the choice is made again from the scaled
 * curve. The point timed is the measured one nearest, in log B, to the micro-batch the advice
 * chose first, where the predicted seconds come from.
 */
import type { ThroughputPoint } from './predict.js';

/**
 * Relative disagreement the kept curve is allowed before it is scaled: a curve that still matches is
 * left alone. It is no measure of the check's own noise: eleven 1 s checks back to back on this VM,
 * within two minutes, read 6,455–8,634 samples/s at one micro-batch, as the machine's speed moved.
 */
export const CHECK_TOLERANCE = 0.05;
/** Seconds timed by the check (the curve's points were timed 0.3 s each; longer is steadier). */
export const CHECK_SECONDS = 1;

export interface ThroughputCheck {
  /** The curve's measured point that was timed again. */
  readonly microBatch: number;
  readonly keptSamplesPerSec: number;
  readonly nowSamplesPerSec: number;
  /** The factor the curve was scaled by: now ÷ kept, or 1 where they agree within CHECK_TOLERANCE or the check measured nothing. */
  readonly scale: number;
}

/** The curve's measured point nearest to `microBatch` in log B (the smaller on a tie). */
export function nearestPoint(curve: readonly ThroughputPoint[], microBatch: number): ThroughputPoint {
  let best = curve[0]!;
  for (const p of curve) {
    const d = Math.abs(Math.log(p.microBatch / microBatch));
    const bestD = Math.abs(Math.log(best.microBatch / microBatch));
    if (d < bestD - 1e-12 || (Math.abs(d - bestD) <= 1e-12 && p.microBatch < best.microBatch)) best = p;
  }
  return best;
}

/** A timing that measured something: positive and finite. */
const measured = (samplesPerSec: number) => Number.isFinite(samplesPerSec) && samplesPerSec > 0;

/** The factor a check sets: now ÷ kept, or 1 within the tolerance (or where either measured nothing). */
export function checkScale(keptSamplesPerSec: number, nowSamplesPerSec: number, tolerance = CHECK_TOLERANCE): number {
  if (!measured(keptSamplesPerSec) || !measured(nowSamplesPerSec)) return 1;
  const ratio = nowSamplesPerSec / keptSamplesPerSec;
  return Math.abs(ratio - 1) > tolerance ? ratio : 1;
}

/** Every point's samples/s (and GFLOP/s, where kept) times `scale`. */
export function scaleCurve(curve: readonly ThroughputPoint[], scale: number): ThroughputPoint[] {
  if (scale === 1) return [...curve];
  return curve.map((p) => ({ ...p, samplesPerSec: p.samplesPerSec * scale, ...(p.gflops !== undefined ? { gflops: p.gflops * scale } : {}) }));
}

/** Times the kept curve's point nearest `microBatch` now (`measure`) and scales the curve by what it finds. */
export async function checkKeptCurve(
  curve: readonly ThroughputPoint[],
  microBatch: number,
  measure: (microBatch: number) => Promise<number>,
): Promise<{ curve: ThroughputPoint[]; check: ThroughputCheck }> {
  const point = nearestPoint(curve, microBatch);
  const now = await measure(point.microBatch);
  const scale = checkScale(point.samplesPerSec, now);
  return { curve: scaleCurve(curve, scale), check: { microBatch: point.microBatch, keptSamplesPerSec: point.samplesPerSec, nowSamplesPerSec: now, scale } };
}

/** "checked at micro-batch 64: 7,102 samples/s now against 5,926 kept: the prediction scales the curve ×1.20" */
export function describeCheck(c: ThroughputCheck, fmt: (x: number) => string): string {
  if (!measured(c.nowSamplesPerSec)) return `checked at micro-batch ${fmt(c.microBatch)}: the check measured nothing, so the prediction uses the kept curve`;
  const head = `checked at micro-batch ${fmt(c.microBatch)}: ${fmt(c.nowSamplesPerSec)} samples/s now against ${fmt(c.keptSamplesPerSec)} kept`;
  return c.scale === 1 ? `${head}, within ${Math.round(CHECK_TOLERANCE * 100)}%: the prediction uses the kept curve` : `${head}: the prediction scales the curve ×${c.scale.toFixed(2)}`;
}
