/**
 * The adaptive batch's schedule as plain data: the batch, its split and rate, the pooled noise
 * estimates and when the next noise round and decision fall due. Every transition is a pure
 * function of this state, the settings (fixed at the run's start and kept in the checkpoint with
 * it) and the noise rounds, which are deterministic for a seed; so a resumed run takes exactly the
 * decisions the uninterrupted one takes. Measured times never enter a decision.
 *
 * Pooling. Each round is big enough to resolve |G|² on its own (goodput.ts, noisePlan), and
 * rounds are rare, so the pool is short: rounds are weighted by their examples B_big and by
 * NOISE_DECAY per round of age. What is pooled is each round's |G|²/tr Σ, the inverse noise scale:
 * its |G|² part is unbiased and its tr Σ (k − 1 ≥ 7 degrees of freedom) precise, so the weighted
 * mean is nearly unbiased for 1/B_noise, and B_noise is its reciprocal (a weighted harmonic mean
 * of the rounds' B_noise; ∞ while the pooled |G|² is not positive). Pooling |G|² and tr Σ
 * themselves instead lets the early rounds, whose |G|² is ten times larger, dominate the sum and
 * pull the ratio towards their far smaller noise scale. A round whose tr Σ came out ≤ 0 carries no
 * scale and is skipped (the pool stays as it was).
 *
 * Decisions fall due every `decideEveryExamples` training examples (a fraction of an epoch) and
 * need a noise round since the last one. Rounds are rare (~0.35 epoch apart on MNIST's mlp) while
 * B_noise grows 5–18× from one to the next, so a decision moves straight to the rung of highest
 * goodput, as Pollux chooses its optimum directly (one rung per decision reached only 128 while
 * the optimum was far larger), but at most MAX_JUMP_RUNGS away and only for a goodput gain above
 * HYSTERESIS against the current batch, so one noisy round cannot make the batch swing. Changes
 * are therefore at least `decideEveryExamples` apart.
 *
 * In-step noise. Where the batch runs as micro-batches whose gradients the update accumulates
 * (goodput.ts autoSplit), every update brings its own |g_k|² against |ḡ|², and there are no
 * rounds but one at the start (initialSchedule). The updates since the last decision form a window: their per-update estimates of |G|²
 * and tr Σ (each unbiased, from one update's two batch sizes) are summed, and at the decision the
 * window's Σ|G|²/Σ tr Σ enters the pool as a round of its examples would. A window counts once it
 * is as precise as the round it replaces (windowExamples; a decision waits for it, as it waits
 * for a round). One update's |G|² estimate, for K = 2 the inner product g₁·g₂ of its micro-batch
 * gradients, is far noisier than a round's: the part of its variance that does not shrink with
 * the signal, 2 tr(Σ²)/(B(B − b)) for K micro-batches of b (a U-statistic's, as a round's with
 * B_big = T is 2 tr(Σ²)/(T(T − b))), falls only as 1/W over W updates. So a window needs
 * T²/(B − b) examples to match a round of T: T²/b at K = 2, about what the rounds' 3% budget
 * allows anyway (one round of T per T/0.03 examples at b = B/2 … B); in-step statistics save
 * that 3%, not decisions. Measured on a small problem with windows of only `noiseBigMin`
 * examples, B_noise read ∞ and 50 in turn and the batch swung between two rungs every decision.
 */
import type { NoiseEstimate } from '../noise/estimator.js';
import type { BatchChangeRow } from '../store/rows.js';
import { autoSplit, goodput, noisePlan, noiseRuleLr, roundExamples, splitOrNull, type ThroughputPoint } from './goodput.js';

/**
 * Weight of a round per later round: none. Rounds are ~0.3 epoch apart and on MNIST's mlp
 * B_noise grew 5–18× from one to the next (50, 892, 4,806 against `noise`'s 56, 996, 4,116 at the
 * same weights). Pooled as 1/B_noise, an older round's far larger inverse dominates even at small
 * weight: at 0.1 the pool read 353 and 2,134, at 0.25 a quarter of the latest round. One round
 * of B_big ≥ 1,024 is resolved on its own (±20–30%), so the latest round decides.
 */
export const NOISE_DECAY = 0;
/** Rounds before the first decision: one round resolves |G|² (noisePlan). */
export const MIN_ROUNDS = 1;
/** Relative goodput gain a move needs. */
export const HYSTERESIS = 0.05;
/**
 * Rungs a decision may move (×8 or ÷8). A round's estimate spreads ±20–30% and the optimum moves
 * less than B_noise does, so an ordinary round needs no bound; but a round whose pooled |G|² came
 * out ≤ 0 reads B_noise = ∞, where every batch is worth its samples/s, and an unbounded decision
 * would take the batch to --auto-max with the rate scaled linearly (×128 from 32 to 4,096) on one
 * unresolved round. Three rungs still follow the measured 5–18× growth between rounds within one
 * or two decisions, and the next round (B_big ≥ 8·B) corrects a wrong move.
 */
export const MAX_JUMP_RUNGS = 3;
/** Relative rate change (at an unchanged batch) worth a logged change. */
export const RATE_STEP = 0.1;

export interface AdaptiveSettings {
  /** The batch sizes allowed, doubling from the smallest, ladder[0]. */
  readonly ladder: readonly number[];
  /**
   * The batch the run starts at, the one lr0 is for: a rung of the ladder, so that the batch may
   * shrink below it as well as grow (`--auto-start`). Absent: ladder[0], as in checkpoints saved
   * before the batch could shrink below its start.
   */
  readonly startBatch?: number | undefined;
  /** Largest micro-batch the memory budget allows. */
  readonly microCap: number;
  /** The rate at the starting batch (startOf). */
  readonly lr0: number;
  readonly curve: readonly ThroughputPoint[];
  readonly decideEveryExamples: number;
  /** Fewest examples in a noise round (NOISE_BIG_MIN unless a small test problem sets fewer). */
  readonly noiseBigMin: number;
  /** `--bn-batch`: every micro-batch a multiple of it (absent: no constraint). */
  readonly normGroup?: number | undefined;
  /** Whether a batch may be halved for noise statistics (not where batch norm normalises over the micro-batch; absent: may). */
  readonly halveForNoise?: boolean | undefined;
}

/** The batch a run starts at and lr0 is for. */
export function startOf(s: Pick<AdaptiveSettings, 'ladder' | 'startBatch'>): number {
  return s.startBatch ?? s.ladder[0]!;
}

/** How batch b runs under these settings (goodput.ts autoSplit). */
function splitOf(b: number, s: AdaptiveSettings) {
  return autoSplit(b, s.microCap, s.curve, s.normGroup, s.halveForNoise ?? true);
}

/** The pool of rounds (see the header): 1/B_noise = inverse / weight. */
export interface NoiseEma {
  /** Σ w_r·|G|²_r/tr Σ_r. */
  readonly inverse: number;
  /** Σ w_r. */
  readonly weight: number;
  readonly rounds: number;
  /** Rounds at the last decision. */
  readonly roundsAtDecision: number;
}

/** In-step estimates since the last decision (see the header). */
export interface NoiseWindow {
  /** Σ over updates of each update's |G|² estimate. */
  readonly gradSq: number;
  /** Σ of their tr Σ estimates. */
  readonly traceSigma: number;
  readonly updates: number;
  readonly examples: number;
}

const EMPTY_WINDOW: NoiseWindow = { gradSq: 0, traceSigma: 0, updates: 0, examples: 0 };
/** nextRoundStep while the updates measure the noise themselves: never (finite, for the checkpoint's JSON). */
export const NO_ROUND = Number.MAX_SAFE_INTEGER;

export interface ScheduleState {
  readonly batch: number;
  readonly microBatch: number;
  readonly iterSize: number;
  /** The updates return noise statistics (micro-batch against accumulated), and there are no rounds. */
  readonly inStep: boolean;
  readonly lr: number;
  readonly noise: NoiseEma;
  readonly window: NoiseWindow;
  readonly nextRoundStep: number;
  readonly nextDecisionExamples: number;
}

/** B_noise of the pool: NaN before any usable round, ∞ while the pooled |G|² is ≤ 0. */
export function bNoiseOf(n: NoiseEma): number {
  if (n.weight === 0) return NaN;
  return n.inverse > 0 ? n.weight / n.inverse : Infinity;
}

export function initialSchedule(s: AdaptiveSettings): { state: ScheduleState; change: BatchChangeRow } {
  const batch = startOf(s);
  const { inStep, ...split } = splitOf(batch, s);
  const state: ScheduleState = {
    batch,
    ...split,
    inStep,
    lr: s.lr0,
    noise: { inverse: 0, weight: 0, rounds: 0, roundsAtDecision: 0 },
    window: EMPTY_WINDOW,
    // One round at the start even where the updates measure the noise themselves: a window counts
    // only once it holds windowExamples (65,536 on the cnn at 16 × 2, 1.2 epochs), and the first
    // decision, the one that corrects a start batch far from the optimum, should not wait for it.
    nextRoundStep: 0,
    nextDecisionExamples: s.decideEveryExamples,
  };
  return { state, change: { step: 0, examples: 0, ...split, lr: s.lr0, bNoise: NaN, reason: 'start' } };
}

/** The pool after one more round (or window) of `examples` that estimated |G|² and tr Σ. */
function pooled(n: NoiseEma, e: NoiseEstimate, examples: number): NoiseEma {
  if (!(e.traceSigma > 0)) return { ...n, rounds: n.rounds + 1 };
  return {
    inverse: NOISE_DECAY * n.inverse + (examples * e.gradSq) / e.traceSigma,
    weight: NOISE_DECAY * n.weight + examples,
    rounds: n.rounds + 1,
    roundsAtDecision: n.roundsAtDecision,
  };
}

/** Examples an in-step window needs to be as precise as a round of max(noiseBigMin, 8·B) examples (see the header). */
export function windowExamples(state: Pick<ScheduleState, 'batch' | 'microBatch'>, s: Pick<AdaptiveSettings, 'noiseBigMin'>): number {
  const round = roundExamples(state.batch, s.noiseBigMin);
  return Math.ceil((round * round) / (state.batch - state.microBatch));
}

/** The schedule after in-step updates whose summed estimates are `e`, of `examples` in all. */
export function addInStep(state: ScheduleState, e: NoiseEstimate, updates: number, examples: number): ScheduleState {
  const w = state.window;
  return { ...state, window: { gradSq: w.gradSq + e.gradSq, traceSigma: w.traceSigma + e.traceSigma, updates: w.updates + updates, examples: w.examples + examples } };
}

/** The schedule after a noise round taken before update `step`. */
export function addRound(state: ScheduleState, e: NoiseEstimate, step: number, s: AdaptiveSettings): ScheduleState {
  const plan = noisePlan(state.batch, state.microBatch, s.curve, s.microCap, s.noiseBigMin);
  return { ...state, noise: pooled(state.noise, e, plan.bSmall * plan.k), nextRoundStep: state.inStep ? NO_ROUND : step + plan.every };
}

/** The decision due at `examples` seen (`step` updates done): the new state, and the change to log if any. */
export function decide(state: ScheduleState, s: AdaptiveSettings, step: number, examples: number): { state: ScheduleState; change: BatchChangeRow | null } {
  const w = state.window;
  // A full window of in-step estimates is this decision's round.
  const full = state.inStep && w.updates > 0 && w.examples >= windowExamples(state, s);
  const n = full ? pooled(state.noise, { gradSq: w.gradSq / w.updates, traceSigma: w.traceSigma / w.updates }, w.examples) : state.noise;
  const waited = { ...state, noise: n, window: full ? EMPTY_WINDOW : w, nextDecisionExamples: examples + s.decideEveryExamples };
  if (n.rounds < MIN_ROUNDS || n.rounds === n.roundsAtDecision) return { state: waited, change: null };
  const bNoise = bNoiseOf(n);
  const decided = { ...waited, noise: { ...n, roundsAtDecision: n.rounds } };
  const at = s.ladder.indexOf(state.batch);
  const value = (b: number) => goodput(b, splitOf(b, s), s.curve, bNoise);
  // The highest goodput within reach; on a tie the smaller batch (the later `>` must be strict).
  let best = state.batch;
  let bestValue = -Infinity;
  for (const b of s.ladder.slice(Math.max(0, at - MAX_JUMP_RUNGS), at + MAX_JUMP_RUNGS + 1)) {
    // A rung whose micro-batches cannot hold whole batch-norm groups within the memory cap is out of reach.
    if (splitOrNull(b, s.microCap, s.normGroup) === null) continue;
    const v = value(b);
    if (v > bestValue) [best, bestValue] = [b, v];
  }
  if (!(bestValue > (1 + HYSTERESIS) * value(state.batch))) best = state.batch;
  const lr = noiseRuleLr(s.lr0, startOf(s), best, bNoise);
  if (best === state.batch && Math.abs(lr / state.lr - 1) <= RATE_STEP) return { state: decided, change: null };
  const { inStep, ...split } = splitOf(best, s);
  const reason = best > state.batch ? 'goodput: larger' : best < state.batch ? 'goodput: smaller' : 'rate';
  // Leaving in-step statistics, rounds start again one interval on; entering them, rounds stop.
  const nextRoundStep = !inStep ? (state.inStep ? step + noisePlan(best, split.microBatch, s.curve, s.microCap, s.noiseBigMin).every : state.nextRoundStep) : NO_ROUND;
  return {
    state: { ...decided, batch: best, ...split, inStep, lr, window: EMPTY_WINDOW, nextRoundStep },
    change: { step, examples, ...split, lr, bNoise, reason },
  };
}
