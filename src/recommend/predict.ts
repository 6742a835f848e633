/**
 * Predicted time to target for each candidate effective batch B, from three measurements:
 *  - the pilot: at batch B₀ it needed ΔE_i examples in segment i of its run, where the gradient
 *    noise scale was B_i (it grows as the loss falls);
 *  - the throughput curve: samples/s against micro-batch on this machine;
 *  - the memory fit: the largest micro-batch, so larger B are accumulated (iterSize).
 * Statistical efficiency (McCandlish et al. 2018, eq. 2.11; Pollux's E(B)): an example at batch B
 * does (B_i + B₀)/(B_i + B) of the work of an example at B₀, so B needs
 *   E(B) = Σ_i ΔE_i · (B_i + B) / (B_i + B₀)   examples, and
 *   T(B) = E(B) / (W · samples/s(micro-batch of B)) + E(B)/B · A(W)   seconds,
 * where A(W) is one ring all-reduce of the gradients over W workers (comm/allreduce.ts), paid
 * once per update. Throughput with accumulation is taken as the micro-batch's (the update is the
 * only extra work), and W workers' compute as W times one: both are stated with the result.
 * With communication, W is the fastest number of workers up to --world-size (split.ts).
 *
 * A run is more than its updates at the steady rate (RunOverhead, measured by the pilot): the
 * target is seen only at a validation, so a trial's steps are the first validation step at or
 * past the predicted steps; its first session.run is slower than the rest (allocation, caches);
 * and its wall time adds building the sessions and every validation pass. `seconds` is what a
 * trial measures (training seconds to target: the first two included), `wallSeconds` what the
 * clock does (all of it).
 */
import type { OptimizerName } from '../optim/registry.js';
import { scaleLr, type RecommendLrRule } from './lr-rule.js';
import { ringAllReduceSeconds } from './comm/allreduce.js';
import type { Interconnect } from './comm/interconnect.js';
import { fastestSplit, splitBatch, type BatchSplit } from './split.js';
import { noiseWarmupSteps, type NoisePointAt } from './warmup.js';

export interface NoiseSegment {
  /** Examples the pilot trained on in this segment. */
  readonly examples: number;
  /** Gradient noise scale B_simple during the segment. */
  readonly bNoise: number;
}

export interface ThroughputPoint {
  readonly microBatch: number;
  readonly samplesPerSec: number;
  /** Training GFLOP/s at that rate (6 × multiply-adds per example), to set beside the MatMul rate. */
  readonly gflops?: number;
}

export interface PredictInput {
  readonly pilotBatch: number;
  readonly pilotLr: number;
  readonly segments: readonly NoiseSegment[];
  readonly throughput: readonly ThroughputPoint[];
  readonly maxMicroBatch: number;
  readonly worldSize: number;
  readonly candidates: readonly number[];
  readonly lrRule: RecommendLrRule;
  /** Adaptive optimizers get the rule capped at ε₀·√(B/B₀) (see lr-rule.ts). */
  readonly optimizer: OptimizerName;
  readonly trainExamples: number;
  /** The all-reduce each update pays over more than one worker; absent, workers are free to talk. */
  readonly communication?: Communication;
  /** Per-run costs beyond the updates; absent, none (seconds are updates at the steady rate). */
  readonly overhead?: RunOverhead;
  /** The pilot's measured noise scales, for each candidate's warm-up (warmup.ts); absent, none. */
  readonly noisePoints?: readonly NoisePointAt[];
}

export interface RunOverhead {
  /** Wall seconds to build a run's ONNX sessions. */
  readonly sessionSeconds: number;
  /** Extra training seconds of a run's first session.run over the steady rate. */
  readonly warmupSeconds: number;
  /** Wall seconds of one validation pass. */
  readonly validationSeconds: number;
  /** Validations per epoch, as the trials and --verify run them. */
  readonly evalsPerEpoch: number;
}

export interface Communication {
  readonly interconnect: Interconnect;
  /** Bytes all-reduced per update: the gradients, 4 per parameter. */
  readonly gradientBytes: number;
}

export interface Candidate extends BatchSplit {
  /** The workers' compute rate, W × one worker's at the micro-batch; communication comes on top. */
  readonly samplesPerSec: number;
  /** Seconds of one all-reduce, paid per update (0 for one worker). */
  readonly allReduceSeconds: number;
  /** Of `seconds`, those spent in all-reduce: steps × allReduceSeconds. */
  readonly commSeconds: number;
  /** Examples to target at B₀ ÷ examples to target at B (1 at B₀, falling as B grows past B_noise). */
  readonly efficiency: number;
  readonly examples: number;
  readonly steps: number;
  /**
   * Epochs as the trainer counts them: steps ÷ ⌊N/B⌋, an epoch being the ⌊N/B⌋ updates of one
   * shuffled pass (its last N mod B examples unused). Not examples ÷ N: at N = 55,000 and
   * B = 32,768 an epoch is one update of 32,768 examples, so examples ÷ N would be 0.6 of it.
   */
  readonly epochs: number;
  /**
   * Training seconds to target as a trial measures them: the updates up to the first validation
   * at or past `steps` at samplesPerSec, the first run's warm-up, and commSeconds.
   */
  readonly seconds: number;
  /** Validations up to and including the one that sees the target. */
  readonly validations: number;
  /** Wall seconds to target: `seconds` plus building the sessions and the validation passes. */
  readonly wallSeconds: number;
  readonly lr: number;
  /** Updates over which the rate ramps up from 0 (warmup.ts). */
  readonly warmupSteps: number;
}

/**
 * The step at which a run of `steps` updates is first validated, and how many validations it
 * has had by then: every `evalEvery` updates and at each epoch's end (train-loop.ts).
 */
export function validationsTo(steps: number, perEpoch: number, evalEvery: number): { step: number; validations: number } {
  const s = Math.max(1, Math.ceil(steps - 1e-9));
  const step = Math.min(Math.ceil(s / evalEvery) * evalEvery, Math.ceil(s / perEpoch) * perEpoch);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const lcm = (evalEvery / gcd(evalEvery, perEpoch)) * perEpoch;
  return { step, validations: Math.floor(step / evalEvery) + Math.floor(step / perEpoch) - Math.floor(step / lcm) };
}

/** Samples/s at a micro-batch, interpolated linearly in log-log between measured points, flat beyond them. */
export function throughputAt(points: readonly ThroughputPoint[], microBatch: number): number {
  const ps = [...points].sort((a, b) => a.microBatch - b.microBatch);
  if (ps.length === 0) throw new Error('internal error: no throughput points');
  if (microBatch <= ps[0]!.microBatch) return ps[0]!.samplesPerSec;
  for (let i = 1; i < ps.length; i++) {
    const a = ps[i - 1]!;
    const b = ps[i]!;
    if (microBatch <= b.microBatch) {
      const t = Math.log(microBatch / a.microBatch) / Math.log(b.microBatch / a.microBatch);
      return Math.exp(Math.log(a.samplesPerSec) + t * Math.log(b.samplesPerSec / a.samplesPerSec));
    }
  }
  return ps[ps.length - 1]!.samplesPerSec;
}

/** Updates in one epoch at effective batch B, as the trainer runs them: ⌊N/B⌋. */
export function updatesPerEpoch(trainExamples: number, effectiveBatch: number): number {
  return Math.max(1, Math.floor(trainExamples / effectiveBatch));
}

/** The noise scale weighted by where the pilot spent its examples: the one figure for the rate rule. */
export function effectiveNoiseScale(segments: readonly NoiseSegment[]): number {
  const total = segments.reduce((s, g) => s + g.examples, 0);
  return total > 0 ? segments.reduce((s, g) => s + g.examples * g.bNoise, 0) / total : 0;
}

export function predictCandidates(p: PredictInput): Candidate[] {
  const pilotExamples = p.segments.reduce((s, g) => s + g.examples, 0);
  const bNoise = effectiveNoiseScale(p.segments);
  return p.candidates.map((batch) => {
    const comm = p.communication;
    const allReduce = (workers: number) => (comm ? ringAllReduceSeconds(workers, comm.gradientBytes, comm.interconnect) : 0);
    const split = comm
      ? fastestSplit(batch, p.maxMicroBatch, p.worldSize, (s) => (s.microBatch * s.iterSize) / throughputAt(p.throughput, s.microBatch) + allReduce(s.worldSize))
      : splitBatch(batch, p.maxMicroBatch, p.worldSize);
    const examples = p.segments.reduce((s, g) => s + (g.examples * (g.bNoise + batch)) / (g.bNoise + p.pilotBatch), 0);
    const samplesPerSec = split.worldSize * throughputAt(p.throughput, split.microBatch);
    const steps = examples / batch;
    const allReduceSeconds = allReduce(split.worldSize);
    const commSeconds = steps * allReduceSeconds;
    const o = p.overhead;
    const perEpoch = updatesPerEpoch(p.trainExamples, batch);
    const seen = o ? validationsTo(steps, perEpoch, Math.max(1, Math.round(perEpoch / o.evalsPerEpoch))) : { step: steps, validations: 0 };
    const seconds = (seen.step * batch) / samplesPerSec + (o?.warmupSeconds ?? 0) + commSeconds;
    return {
      ...split,
      samplesPerSec,
      allReduceSeconds,
      commSeconds,
      efficiency: pilotExamples / examples,
      examples,
      steps,
      epochs: steps / updatesPerEpoch(p.trainExamples, batch),
      seconds,
      validations: seen.validations,
      wallSeconds: seconds + (o ? o.sessionSeconds + seen.validations * o.validationSeconds : 0),
      lr: scaleLr(p.lrRule, p.optimizer, p.pilotLr, p.pilotBatch, batch, bNoise),
      warmupSteps: noiseWarmupSteps(p.noisePoints ?? [], p.pilotBatch, batch, steps),
    };
  });
}

/** The fastest candidate; within 2% of it, the smaller batch (fewer examples, same time). */
export function chooseCandidate(cands: readonly Candidate[]): Candidate {
  const best = Math.min(...cands.map((c) => c.seconds));
  return [...cands].sort((a, b) => a.effectiveBatch - b.effectiveBatch).find((c) => c.seconds <= best * 1.02)!;
}
