/**
 * The arithmetic of an adaptive batch: which batch sizes a run may use, how fast each runs, how
 * much each example is worth at each, the rate each takes, and how a batch splits into
 * micro-batch × iter-size under a memory cap. Pure functions; no ORT.
 *
 * Statistical efficiency. McCandlish et al. (2018) find that the examples needed to reach a
 * given loss grow as E(B) = E_min·(1 + B/B_noise): below the noise scale an example is worth
 * nearly as much at any batch, above it a bigger batch wastes examples. So an example at batch B
 * is worth 1/(1 + B/B_noise) of one at B → 0, and the rate of progress, Pollux's goodput, is
 *   goodput(B) = samplesPerSec(B) / (1 + B/B_noise).
 * Its maximum moves to larger batches as B_noise grows during training.
 *
 * Rate. The noise rule ε(B) = ε_max/(1 + B_noise/B) (McCandlish's optimal SGD rate on a local
 * quadratic), with ε_max fixed by the one rate given, ε₀ at the starting batch B₀:
 *   ε(B) = ε₀·(1 + B_noise/B₀)/(1 + B_noise/B).
 * This ratio is also exactly AdaScale's gain ratio r = E|g_B₀|²/E|g_B|² = (|G|² + tr Σ/B₀)/(|G|² + tr Σ/B)
 * (Johnson et al. 2020), so the two rules agree here; the noise rule is the one written down because
 * its ε_max needs no second quantity: linear scaling well below B_noise, no gain above it.
 */
import { assert, UserError } from '../errors.js';

/** Training speed at one micro-batch (iter-size 1): the curve the bench measures. */
export interface ThroughputPoint {
  readonly microBatch: number;
  readonly samplesPerSec: number;
  /**
   * samples/s of updates of two such micro-batches that return noise statistics (autoSplit),
   * where splitting could pay (samplesPerSec within NOISE_OVERHEAD of twice the micro-batch's,
   * since the statistics only add to what the split costs): samplesPerSec less the statistics'
   * share, timed once (adaptive/setup.ts measureCurve).
   */
  readonly inStepSamplesPerSec?: number;
}

/** The batch sizes a run may take: minBatch·2^i up to maxBatch. */
export function batchLadder(minBatch: number, maxBatch: number): number[] {
  if (!(Number.isInteger(minBatch) && minBatch >= 1)) throw new UserError(`--auto-min must be a whole number ≥ 1, got ${minBatch}`);
  if (!(Number.isInteger(maxBatch) && maxBatch >= minBatch)) throw new UserError(`--auto-max ${maxBatch} is below --auto-min ${minBatch}; raise --auto-max or lower --auto-min`);
  const out: number[] = [];
  for (let b = minBatch; b <= maxBatch; b *= 2) out.push(b);
  return out;
}

/** The starting batch's place on the ladder: it must be a rung (minBatch·2^k ≤ maxBatch). */
export function startRung(ladder: readonly number[], startBatch: number): number {
  const at = ladder.indexOf(startBatch);
  const last = ladder[ladder.length - 1]!;
  if (startBatch < ladder[0]!) throw new UserError(`--auto-start ${startBatch} is below --auto-min ${ladder[0]}; lower --auto-min to ${startBatch} or raise --auto-start`);
  if (startBatch > last) throw new UserError(`--auto-start ${startBatch} is above the largest batch ${last} (--auto-max); raise --auto-max or lower --auto-start`);
  if (at < 0) {
    const rungs = ladder.length > 4 ? `${ladder.slice(0, 4).join(', ')}, …, ${last}` : ladder.join(', ');
    throw new UserError(`--auto-start ${startBatch} is not a batch the run may take (--auto-min doubled up to --auto-max: ${rungs}); use one of them`);
  }
  return at;
}

/**
 * samples/s at a micro-batch, interpolated linearly in log B between measured points (the curve is
 * smooth and roughly log-shaped), and held flat beyond the ends rather than extrapolated.
 */
export function samplesPerSecAt(curve: readonly ThroughputPoint[], microBatch: number): number {
  assert(curve.length > 0, 'an empty throughput curve');
  const pts = [...curve].sort((a, b) => a.microBatch - b.microBatch);
  if (microBatch <= pts[0]!.microBatch) return pts[0]!.samplesPerSec;
  const last = pts[pts.length - 1]!;
  if (microBatch >= last.microBatch) return last.samplesPerSec;
  const i = pts.findIndex((p) => p.microBatch >= microBatch);
  const a = pts[i - 1]!;
  const b = pts[i]!;
  const f = Math.log(microBatch / a.microBatch) / Math.log(b.microBatch / a.microBatch);
  return a.samplesPerSec + f * (b.samplesPerSec - a.samplesPerSec);
}

/**
 * Worth of an example at batch B relative to B → 0: 1/(1 + B/B_noise). 1 when no noise scale is
 * known yet (NaN) or the gradient is lost in the noise (∞); a negative estimate counts as 0.
 */
export function statisticalEfficiency(batch: number, bNoise: number): number {
  if (Number.isNaN(bNoise) || bNoise === Infinity) return 1;
  return 1 / (1 + batch / Math.max(bNoise, 1e-12));
}

/** Goodput of batch B run as `split` (its samples/s as splitSamplesPerSec says) at noise scale B_noise. */
export function goodput(batch: number, split: BatchRun, curve: readonly ThroughputPoint[], bNoise: number): number {
  return splitSamplesPerSec(batch, split, curve) * statisticalEfficiency(batch, bNoise);
}

/** How a batch runs: its micro-batch, and (autoSplit) whether it was split in two for noise statistics. */
export interface BatchRun {
  readonly microBatch: number;
  readonly iterSize?: number;
  readonly inStep?: boolean;
}

/** ε(B) = ε₀·(1 + B_noise/B₀)/(1 + B_noise/B): see the header. B_noise = ∞ gives linear scaling; unknown (NaN) keeps ε₀. */
export function noiseRuleLr(lr0: number, batch0: number, batch: number, bNoise: number): number {
  if (Number.isNaN(bNoise)) return lr0;
  if (bNoise === Infinity) return (lr0 * batch) / batch0;
  const b = Math.max(0, bNoise);
  return (lr0 * (1 + b / batch0)) / (1 + b / batch);
}

/**
 * micro-batch × iter-size = batch with the micro-batch at most `microCap`: the fewest micro-batches
 * (a power of two, so the split stays exact on the doubling ladder). With `--bn-batch G` each
 * micro-batch must hold whole batch-norm groups, so it is a multiple of G.
 */
export function splitBatch(batch: number, microCap: number, normGroup = 1): { microBatch: number; iterSize: number } {
  const split = splitOrNull(batch, microCap, normGroup);
  if (split !== null) return split;
  if (batch % normGroup !== 0) throw new UserError(`batch ${batch} is not a multiple of --bn-batch ${normGroup}, so its micro-batches cannot hold whole batch-norm groups; use a --bn-batch that divides ${batch} or an --auto-min that is a multiple of ${normGroup}`);
  if (normGroup > 1) throw new UserError(`batch ${batch} cannot be split into micro-batches of at most ${microCap} examples that hold whole batch-norm groups of --bn-batch ${normGroup}; raise --memory or lower --bn-batch`);
  throw new UserError(`batch ${batch} cannot be split into micro-batches of at most ${microCap} examples; raise --memory or lower --auto-min`);
}

/** splitBatch, or null where no split fits (a rung a decision cannot take). */
export function splitOrNull(batch: number, microCap: number, normGroup = 1): { microBatch: number; iterSize: number } | null {
  for (let k = 1; k <= batch; k *= 2) {
    if (batch % k === 0 && batch / k <= microCap && (batch / k) % normGroup === 0) return { microBatch: batch / k, iterSize: k };
  }
  return null;
}

/**
 * How batch B runs: micro-batch × iter-size, and whether its updates measure the noise themselves
 * (`inStep`: McCandlish's micro-batch against accumulated gradient, from the gradients the step
 * computes anyway; compile/train-model.ts) or separate noise rounds do (noisePlan).
 *
 * Where the memory cap already splits B into K ≥ 2 micro-batches, only the statistics cost
 * anything (two sums of squares and an add over the parameters per micro-batch), and they are
 * taken. Where B fits one micro-batch, two of B/2 with statistics are taken when the curve's
 * in-step samples/s at B/2 are at least (1 − NOISE_OVERHEAD) of B's: no more than rounds cost.
 * Measured on this VM (one thread): the statistics cost the mlp 13.8% at 16 × 2 and 2.1% at
 * 256 × 2 (the parameters' passes against the micro-batch's GEMMs), the cnn about 2%. Only
 * points the curve weighed count: beyond them it is unknown, and a half where the plain curve
 * itself says splitting does not pay is not taken even between two that were weighed. With
 * `--bn-batch G` a half that is not a multiple of G is not taken (its batch-norm groups would
 * straddle micro-batches); `halve` false (batch norm over the micro-batch) takes none.
 */
export function autoSplit(batch: number, microCap: number, curve: readonly ThroughputPoint[], normGroup = 1, halve = true): { microBatch: number; iterSize: number; inStep: boolean } {
  const split = splitBatch(batch, microCap, normGroup);
  if (split.iterSize > 1) return { ...split, inStep: true };
  const half = batch / 2;
  if (!halve || half % normGroup !== 0 || !splitMayPay(curve, half)) return { ...split, inStep: false };
  const inStep = inStepSamplesPerSecAt(curve, half);
  if (inStep !== null && inStep >= (1 - NOISE_OVERHEAD) * samplesPerSecAt(curve, batch)) return { microBatch: half, iterSize: 2, inStep: true };
  return { ...split, inStep: false };
}

/** samples/s of two micro-batches of `microBatch` with noise statistics, interpolated between the curve's in-step points; null outside them. */
export function inStepSamplesPerSecAt(curve: readonly ThroughputPoint[], microBatch: number): number | null {
  const measured = curve.filter((p) => p.inStepSamplesPerSec !== undefined).map((p) => ({ microBatch: p.microBatch, samplesPerSec: p.inStepSamplesPerSec! }));
  const within = measured.length > 0 && Math.min(...measured.map((p) => p.microBatch)) <= microBatch && microBatch <= Math.max(...measured.map((p) => p.microBatch));
  return within ? samplesPerSecAt(measured, microBatch) : null;
}

/** samples/s of batch B as autoSplit runs it: a split taken for noise statistics at the curve's in-step figure, any other at its micro-batch's. */
export function splitSamplesPerSec(batch: number, split: BatchRun, curve: readonly ThroughputPoint[]): number {
  const voluntary = split.inStep === true && split.iterSize === 2 && split.microBatch * 2 === batch;
  return (voluntary ? inStepSamplesPerSecAt(curve, split.microBatch) : null) ?? samplesPerSecAt(curve, split.microBatch);
}

/** Whether splitting into two micro-batches of `microBatch` could pay, from the plain curve (autoSplit): worth measuring with statistics. */
export function splitMayPay(curve: readonly ThroughputPoint[], microBatch: number): boolean {
  return samplesPerSecAt(curve, microBatch) >= (1 - NOISE_OVERHEAD) * samplesPerSecAt(curve, 2 * microBatch);
}

/**
 * Share of training time noise rounds may cost: the brief's ceiling is 5%; aim below it. 0.04
 * measured 4.1% and 5.6% on two MNIST mlp runs of ~2 epochs (the round at step 0 comes on top of
 * the budget's intervals, and a loaded machine adds its jitter), so 3%.
 */
export const NOISE_OVERHEAD = 0.03;
/** Fewest examples in a noise round's big batch (see noisePlan). */
export const NOISE_BIG_MIN = 1024;
/** Micro-batches per round at least: tr Σ's estimate then has k − 1 ≥ 7 degrees of freedom. */
const NOISE_MIN_K = 8;

/** Examples in a noise round at batch B: at least `bigMin` and 8·B (see noisePlan). */
export function roundExamples(batch: number, bigMin = NOISE_BIG_MIN): number {
  return Math.max(bigMin, 8 * batch);
}

/**
 * The noise estimate's two batch sizes and how often it runs, at batch B = micro × K.
 *
 * Big batch: at least NOISE_BIG_MIN and 8·B examples. |G|²'s estimate is a small difference of
 * large numbers whose noise per round is ~ tr Σ/B_big, so B_big must be well above B_noise to
 * resolve it. Measured on MNIST's mlp at fixed weights (B = 32, lr 0.01 momentum): the per-round
 * sd of |G|² was 1.3–5.5× |G|² itself at B_big = 32 (the update's own size, the plan before) and
 * 0.2–0.3× at 1,024; per example spent the big round's variance is 2–28× smaller (it falls as
 * 1/B_big² per round, only 1/rounds over rounds). The batch follows B_noise, so 8·B keeps B_big
 * above it as both grow.
 *
 * Small batch: the micro-batch (McCandlish's micro-batch against accumulated gradient), doubled
 * while it stays within the memory cap and at most B_big/8: larger micro-batches run faster per
 * example, and 8 of them still leave tr Σ well resolved.
 *
 * A round computes B_big examples' gradients at the small batch's speed; one every `every`
 * updates of B examples at the micro-batch's speed costs B_big·sps(micro)/(every·B·sps(small))
 * of training time, which NOISE_OVERHEAD bounds. The rounds are therefore rare (at B = 32 about
 * one per 1,024/0.03 ≈ 34,000 examples, less where the small batch runs faster) and big.
 */
export function noisePlan(batch: number, microBatch: number, curve: readonly ThroughputPoint[], microCap = microBatch, bigMin = NOISE_BIG_MIN): { bSmall: number; k: number; every: number } {
  const target = roundExamples(batch, bigMin);
  let bSmall = microBatch;
  while (bSmall * 2 <= microCap && bSmall * 2 * NOISE_MIN_K <= target) bSmall *= 2;
  let k = NOISE_MIN_K;
  while (bSmall * k < target) k *= 2;
  const ratio = samplesPerSecAt(curve, microBatch) / samplesPerSecAt(curve, bSmall);
  return { bSmall, k, every: Math.max(1, Math.ceil((bSmall * k * ratio) / (NOISE_OVERHEAD * batch))) };
}
