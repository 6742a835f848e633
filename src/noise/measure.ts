/**
 * The gradient noise scale of a trainer's current parameters, and its course along a run.
 *
 * A measurement is `rounds` independent rounds at fixed parameters (see gradient-sampler.ts),
 * each giving unbiased |G|² and tr(Σ); their plain means (decay 1) give B_simple and the
 * rounds' spread its interval (see estimator.ts). The trainer is never advanced or changed.
 *
 * Defaults. B_small = 32 is the default training batch and cheap: one gradient at 32 examples
 * costs about as much as one training update. B_big = 512 (k = 16 micro-batches) spends
 * 512 examples per round; its ratio to B_small puts the gap |G_small|² − |G_big|² =
 * tr(Σ)(1/32 − 1/512) at ~3% of tr(Σ), i.e. B_simple·|G|²/34 — orders of magnitude above the
 * ~1e-7 relative rounding of float32 gradients summed in float64 — and gives each round 15
 * degrees of freedom for tr(Σ). B_big also sets how well |G|² is resolved: its per-round
 * estimate has noise ~ tr(Σ)/B_big, so B_big of the order of B_simple (hundreds to thousands
 * on MNIST) keeps it resolved; more rounds narrow the interval as 1/√rounds.
 */
import type { DataSplits } from '../data/dataset.js';
import { prepareTrainer } from '../engine/run.js';
import type { RunConfig } from '../engine/run-config.js';
import type { Trainer } from '../engine/trainer.js';
import { UserError } from '../errors.js';
import { Rng } from '../rng.js';
import { checkBatchPair, estimateFromPair, NoiseSmoother, type NoiseSummary } from './estimator.js';
import { GradientSampler } from './gradient-sampler.js';

export interface NoiseOptions {
  /** Examples per small batch (default 32). */
  readonly bSmall?: number;
  /** Examples per big batch, a multiple of bSmall (default 512). */
  readonly bBig?: number;
  /** Rounds of B_big examples per measurement (default 8). */
  readonly rounds?: number;
  /** Seed of the examples drawn (default: the trainer's seed). */
  readonly seed?: number;
  /** EMA decay over rounds (default 1, the plain mean: rounds at fixed parameters are i.i.d.). */
  readonly decay?: number;
}

export const NOISE_DEFAULTS = { bSmall: 32, bBig: 512, rounds: 8 } as const;

/** One measurement: the store's NoiseRow, plus rounds and seconds. */
export interface NoiseMeasurement extends NoiseSummary {
  /** Updates done when measured. */
  readonly step: number;
  /** step / stepsPerEpoch. */
  readonly epochs: number;
  /** Mean training loss over the examples drawn (rounds·B_big of them), at these parameters. */
  readonly trainLoss: number;
  readonly bSmall: number;
  readonly bBig: number;
  /** Wall-clock seconds of the measurement. */
  readonly seconds: number;
}

interface Resolved {
  readonly bSmall: number;
  readonly bBig: number;
  readonly rounds: number;
  readonly seed: number;
  readonly decay: number;
}

function resolve(opts: NoiseOptions, defaultSeed: number): Resolved {
  const r = { ...NOISE_DEFAULTS, seed: defaultSeed, decay: 1, ...opts };
  checkBatchPair(r.bSmall, r.bBig);
  if (!Number.isInteger(r.rounds) || r.rounds < 2) throw new UserError(`noise-scale rounds must be a whole number ≥ 2 (the interval needs a spread), got ${r.rounds}`);
  return r;
}

/** Where a measurement is taken: parameters and the updates done to reach them. */
export interface NoisePoint {
  readonly params: readonly Float32Array[];
  readonly step: number;
}

async function measureWith(sampler: GradientSampler, at: NoisePoint, stepsPerEpoch: number, o: Resolved): Promise<NoiseMeasurement> {
  const started = performance.now();
  const { step } = at;
  const k = o.bBig / o.bSmall;
  const smoother = new NoiseSmoother(o.decay);
  let lossSum = 0;
  for (let r = 0; r < o.rounds; r++) {
    const round = await sampler.round(at.params, k, Rng.derive(o.seed, 0x6e6f, step, r));
    smoother.add(estimateFromPair(round));
    lossSum += round.loss;
  }
  const s = smoother.summary();
  return {
    step,
    epochs: step / stepsPerEpoch,
    trainLoss: lossSum / o.rounds,
    bSmall: o.bSmall,
    bBig: o.bBig,
    gradSq: s.gradSq,
    traceSigma: s.traceSigma,
    bSimple: s.bSimple,
    bSimpleLow: s.bSimpleLow,
    bSimpleHigh: s.bSimpleHigh,
    rounds: s.rounds,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Measurements of one trainer's noise scale with one gradient session, for callers that measure
 * many times along a run (a session per measurement would rebuild the same graph each time).
 */
export class NoiseMeter {
  private constructor(
    private readonly trainer: Trainer,
    private readonly sampler: GradientSampler,
    private readonly o: Resolved,
  ) {}

  static async create(trainer: Trainer, opts: NoiseOptions = {}): Promise<NoiseMeter> {
    const o = resolve(opts, trainer.config.seed);
    return new NoiseMeter(trainer, await GradientSampler.create(trainer.model, trainer.data.train, o.bSmall, trainer.config.threads, trainer.optimizer.hyper.weightDecay), o);
  }

  /**
   * B_simple at the trainer's current parameters, or at a point of its run kept earlier: the
   * examples drawn depend on the seed and the step only, so a kept point measures as it would have
   * then.
   */
  measure(at: NoisePoint = this.trainer.state): Promise<NoiseMeasurement> {
    return measureWith(this.sampler, at, this.trainer.stepsPerEpoch, this.o);
  }

  release(): Promise<void> {
    return this.sampler.release();
  }
}

/** B_simple of the training loss at `trainer.state.params`, drawn from the training split. */
export async function measureNoiseScale(trainer: Trainer, opts: NoiseOptions = {}): Promise<NoiseMeasurement> {
  const meter = await NoiseMeter.create(trainer, opts);
  try {
    return await meter.measure();
  } finally {
    await meter.release();
  }
}

export interface AlongTrainingOptions extends NoiseOptions {
  /** Updates between measurements. */
  readonly every: number;
  /** Stop training after this many updates in all (default: the config's epochs). */
  readonly maxSteps?: number;
  /** Data to use instead of loading config.dataset. */
  readonly data?: DataSplits;
  readonly onMeasurement?: (m: NoiseMeasurement) => void;
}

export interface AlongTraining {
  /** At step 0, every `every` updates, and at the last step. */
  readonly measurements: NoiseMeasurement[];
  /** Set when training diverged (loss not finite) at this step; measuring stopped before it. */
  readonly divergedAtStep: number | null;
}

/**
 * Train `config` (as `batchwise train` would, without evaluations) and measure the noise scale
 * every `every` updates. The measurements draw their own examples; training's order is unchanged.
 */
export async function noiseAlongTraining(config: RunConfig, opts: AlongTrainingOptions): Promise<AlongTraining> {
  if (!Number.isInteger(opts.every) || opts.every < 1) throw new UserError(`noise-scale every must be a whole number of updates ≥ 1, got ${opts.every}`);
  if (opts.maxSteps !== undefined && !(Number.isInteger(opts.maxSteps) && opts.maxSteps >= 0)) {
    throw new UserError(`noise-scale maxSteps must be a whole number of updates ≥ 0, got ${opts.maxSteps}`);
  }
  resolve(opts, config.seed); // bad sizes fail before any data is loaded
  const trainer = await prepareTrainer(config, opts.data);
  let meter: NoiseMeter | null = null;
  try {
    const maxSteps = opts.maxSteps ?? config.epochs * trainer.stepsPerEpoch;
    meter = await NoiseMeter.create(trainer, opts);
    const measurements: NoiseMeasurement[] = [];
    const measure = async () => {
      const m = await meter!.measure();
      measurements.push(m);
      opts.onMeasurement?.(m);
    };
    await measure();
    while (trainer.state.step < maxSteps) {
      const next = Math.min(maxSteps, (Math.floor(trainer.state.step / opts.every) + 1) * opts.every);
      while (trainer.state.step < next) {
        const r = await trainer.runUpdates(Math.min(next - trainer.state.step, trainer.stepsLeftInEpoch));
        if (r.divergedAtStep !== null) return { measurements, divergedAtStep: r.divergedAtStep };
      }
      await measure();
    }
    return { measurements, divergedAtStep: null };
  } finally {
    await Promise.all([trainer.release(), meter?.release()]);
  }
}
