/**
 * The pilot: one short run at a small batch B₀ with a rate known to work there, to the target,
 * measuring the gradient noise scale along the way. It gives the examples the target takes at
 * B₀, and how the noise scale grew over them: the two things the prediction scales to other
 * batch sizes (see predict.ts). Its cost is one small-batch run, a fraction of one sweep trial's
 * worth of tuning.
 */
import type { DataSplits } from '../data/dataset.js';
import { Interrupted } from '../errors.js';
import { prepareTrainer } from '../engine/run.js';
import type { RunConfig } from '../engine/run-config.js';
import { trainLoop } from '../engine/train-loop.js';
import { NoiseMeter, type NoiseMeasurement, type NoiseOptions, type NoisePoint } from '../noise/measure.js';
import type { NoiseSegment, RunOverhead } from './predict.js';
import type { NoisePointAt } from './warmup.js';

export interface PilotOptions {
  readonly batchSize: number;
  readonly lr: number;
  readonly targetAccuracy: number;
  readonly maxEpochs: number;
  readonly maxSeconds: number;
  readonly evalsPerEpoch: number;
  /** Validations between noise measurements. */
  readonly noiseEvery: number;
  readonly noise: NoiseOptions;
  /** Updates after which the pilot stops short of the target (a bounded pilot, bounded/). */
  readonly maxSteps?: number;
  readonly onMeasurement?: (m: NoiseMeasurement) => void;
  readonly shouldStop?: () => boolean;
  /**
   * Where the pilot would measure the noise scale, it hands over a copy of its parameters instead
   * (`measureKeptPoints` measures them later, if this run is the one predicted from) and returns no
   * measurements. The run itself is the same: a measurement draws its own examples and leaves the
   * parameters as they were. Ignored where those copies would pass DEFERRED_NOISE_BYTES.
   */
  readonly deferNoise?: (at: NoisePoint) => void;
}

/** The most memory one pilot's kept parameter copies may take; beyond it, the pilot measures as it goes. */
export const DEFERRED_NOISE_BYTES = 512 * 2 ** 20;

/** Whether a pilot's noise scale was measured: a pilot that measures does so at step 0 whatever else happens. */
export function noiseMeasured(p: Pick<PilotResult, 'measurements'>): boolean {
  return p.measurements.length > 0;
}

export interface PilotResult {
  readonly batchSize: number;
  readonly lr: number;
  readonly reached: boolean;
  /** Updates and examples to the target, or to where the pilot stopped. */
  readonly steps: number;
  readonly examples: number;
  /** steps ÷ ⌊N/B₀⌋: epochs as the trainer and the prediction count them. */
  readonly epochs: number;
  readonly trainSeconds: number;
  readonly finalValAccuracy: number;
  readonly measurements: readonly NoiseMeasurement[];
  readonly segments: readonly NoiseSegment[];
  readonly diverged: boolean;
  readonly interrupted: boolean;
  /** Each validation: examples seen and validation accuracy (what a bounded pilot extrapolates). */
  readonly evaluations: readonly { readonly examples: number; readonly valAccuracy: number }[];
  /** Wall seconds to build the sessions: paid once per run. */
  readonly setupSeconds: number;
  /** Training seconds of the first run beyond the steady rate of the rest (warm-up): paid once per run. */
  readonly warmupSeconds: number;
  /** Wall seconds per validation pass, what every trial pays evalsPerEpoch times an epoch. */
  readonly validationSeconds: number;
  /** Set when the pilot stopped at its bound and the rest of its run was extrapolated. */
  readonly extrapolation: Extrapolation | null;
}

export interface Extrapolation {
  /** Examples and epochs the pilot trained on before its bound. */
  readonly seenExamples: number;
  readonly seenEpochs: number;
  readonly seenValAccuracy: number;
  /** Fitted err = 1 − accuracy ≈ a·examples^errExponent through its later validations. */
  readonly errExponent: number;
  readonly errPoints: number;
  /** Fitted B_noise ≈ c·examples^noiseExponent; null: too few measurements, the last one kept. */
  readonly noiseExponent: number | null;
  /** Examples to the target at the pilot batch, extrapolated. */
  readonly examplesToTarget: number;
}

/**
 * The noise scale a measurement gives the prediction. B_simple = ∞ means the gradient is lost in
 * the noise at these batch sizes: the noise scale is large, at least the interval's lower bound,
 * which is used (dropping the point would leave its stretch to smaller neighbours and bias E(B)
 * against large batches). An interval [0, ∞] says nothing: that point is skipped.
 */
export function usableNoiseScale(m: Pick<NoiseMeasurement, 'bSimple' | 'bSimpleLow'>): number | null {
  const b = Number.isFinite(m.bSimple) ? m.bSimple : m.bSimpleLow;
  return Number.isFinite(b) && b > 0 ? b : null;
}

/** The pilot's usable noise scales at the examples it had seen (its segments, its extrapolation, warmup.ts). */
export function noisePointsOf(p: Pick<PilotResult, 'measurements' | 'batchSize'>): NoisePointAt[] {
  return p.measurements.flatMap((m) => {
    const b = usableNoiseScale(m);
    return b === null ? [] : [{ examples: m.step * p.batchSize, bNoise: b }];
  });
}

/** Segments between consecutive measurements, each with the mean of its ends' noise scales. */
export function segmentsOf(measurements: readonly NoiseMeasurement[], batchSize: number, lastStep: number): NoiseSegment[] {
  const pts = noisePointsOf({ measurements, batchSize });
  const out: NoiseSegment[] = [];
  for (let i = 0; i < pts.length; i++) {
    const a = pts[i]!;
    const b = pts[i + 1];
    const end = b ? b.examples : lastStep * batchSize;
    if (end <= a.examples) continue;
    out.push({ examples: end - a.examples, bNoise: b ? (a.bNoise + b.bNoise) / 2 : a.bNoise });
  }
  return out;
}

function pilotConfig(base: RunConfig, o: Pick<PilotOptions, 'batchSize' | 'lr' | 'maxEpochs' | 'targetAccuracy'>): RunConfig {
  return { ...base, batchSize: o.batchSize, iterSize: 1, hyper: { ...base.hyper, lr: o.lr }, epochs: o.maxEpochs, targetAccuracy: o.targetAccuracy };
}

/**
 * Most points a pilot measures at: step 0, every noiseEvery-th validation (one each evalEvery
 * updates and one at each epoch's end), and the one that reaches the target.
 */
export function pointsAtMost(stepsPerEpoch: number, o: Pick<PilotOptions, 'evalsPerEpoch' | 'maxSteps' | 'maxEpochs' | 'noiseEvery'>): number {
  const evalEvery = Math.max(1, Math.round(stepsPerEpoch / o.evalsPerEpoch));
  const steps = Math.min(o.maxSteps ?? Infinity, Math.ceil(o.maxEpochs * stepsPerEpoch));
  const validations = Math.floor(steps / evalEvery) + Math.ceil(steps / stepsPerEpoch);
  return 2 + Math.floor(validations / o.noiseEvery);
}

export async function runPilot(base: RunConfig, data: DataSplits, o: PilotOptions): Promise<PilotResult> {
  const t0 = performance.now();
  const trainer = await prepareTrainer(pilotConfig(base, o), data);
  const sessionSeconds = (performance.now() - t0) / 1000;
  const paramBytes = trainer.state.params.reduce((sum, p) => sum + p.byteLength, 0);
  const defer = o.deferNoise !== undefined && pointsAtMost(trainer.stepsPerEpoch, o) * paramBytes <= DEFERRED_NOISE_BYTES ? o.deferNoise : null;
  const meter = defer !== null ? null : await NoiseMeter.create(trainer, o.noise).catch(async (e: unknown) => {
    await trainer.release();
    throw e;
  });
  try {
    const measurements: NoiseMeasurement[] = [];
    const measure = async () => {
      if (meter === null) {
        defer!({ params: trainer.state.params.map((p) => p.slice()), step: trainer.state.step });
        return;
      }
      const m = await meter.measure();
      measurements.push(m);
      o.onMeasurement?.(m);
    };
    await measure();
    let evaluations = 0;
    let interrupted = false;
    const evaluated: { examples: number; valAccuracy: number }[] = [];
    // Wall time of the loop less training and noise measurement is what the validations cost.
    let noiseSeconds = 0;
    let firstRun: { seconds: number; examples: number } | null = null;
    const loopStarted = performance.now();
    const result = await trainLoop(trainer, {
      epochs: o.maxEpochs,
      targetAccuracy: o.targetAccuracy,
      evalEvery: Math.max(1, Math.round(trainer.stepsPerEpoch / o.evalsPerEpoch)),
      // Nothing the pilot gives reads the test split: on the cnn that pass cost about 3.5 s a pilot.
      test: false,
      shouldStop: () => (o.shouldStop?.() ? (interrupted = true) : trainer.state.trainSeconds > o.maxSeconds || (o.maxSteps !== undefined && trainer.state.step >= o.maxSteps)),
      onProgress: (p) => {
        firstRun ??= { seconds: trainer.state.trainSeconds, examples: p.step * o.batchSize };
      },
      onEvaluation: async (e) => {
        evaluations++;
        evaluated.push({ examples: e.step * o.batchSize, valAccuracy: e.validation.accuracy });
        const reached = e.validation.accuracy >= o.targetAccuracy;
        if (reached || evaluations % o.noiseEvery === 0) {
          const n0 = performance.now();
          await measure();
          noiseSeconds += (performance.now() - n0) / 1000;
        }
      },
    });
    const loopSeconds = (performance.now() - loopStarted) / 1000;
    const validationSeconds = evaluations > 0 ? Math.max(0, loopSeconds - result.trainSeconds - noiseSeconds) / evaluations : 0;
    // The first run warms the session up (allocations, caches): its excess over the steady rate of the rest.
    const first = firstRun as { seconds: number; examples: number } | null;
    const restRate = first !== null && result.trainSeconds > first.seconds ? (result.steps * o.batchSize - first.examples) / (result.trainSeconds - first.seconds) : 0;
    const warmup = first !== null && restRate > 0 ? Math.max(0, first.seconds - first.examples / restRate) : 0;
    const steps = result.target?.steps ?? result.steps;
    return {
      batchSize: o.batchSize,
      lr: o.lr,
      reached: result.target !== null,
      steps,
      examples: steps * o.batchSize,
      epochs: steps / trainer.stepsPerEpoch,
      trainSeconds: result.target?.trainSeconds ?? result.trainSeconds,
      finalValAccuracy: result.validation?.accuracy ?? 0,
      measurements,
      segments: segmentsOf(measurements, o.batchSize, steps),
      diverged: result.status === 'diverged',
      interrupted,
      evaluations: evaluated,
      setupSeconds: sessionSeconds,
      warmupSeconds: warmup,
      validationSeconds,
      extrapolation: null,
    };
  } finally {
    await Promise.all([trainer.release(), meter?.release()]);
  }
}

/**
 * A pilot run with deferred noise (`deferNoise`) completed with its measurements, taken now at
 * the points it kept: the same measurements, at the same steps, as it would have taken as it went.
 */
export async function measureKeptPoints(
  base: RunConfig,
  data: DataSplits,
  p: PilotResult,
  points: readonly NoisePoint[],
  o: Pick<PilotOptions, 'targetAccuracy' | 'maxEpochs' | 'noise' | 'onMeasurement' | 'shouldStop'>,
): Promise<PilotResult> {
  const trainer = await prepareTrainer(pilotConfig(base, { ...o, batchSize: p.batchSize, lr: p.lr }), data);
  try {
    const meter = await NoiseMeter.create(trainer, o.noise);
    try {
      const measurements: NoiseMeasurement[] = [];
      for (const at of points) {
        if (o.shouldStop?.() === true) throw new Interrupted('while measuring the pilot\'s noise scale');
        const m = await meter.measure(at);
        measurements.push(m);
        o.onMeasurement?.(m);
      }
      return { ...p, measurements, segments: segmentsOf(measurements, p.batchSize, p.steps) };
    } finally {
      await meter.release();
    }
  } finally {
    await trainer.release();
  }
}

/**
 * The per-run costs the pilot measured: building its sessions and its first run's warm-up
 * (paid by every run, whatever its batch), and one validation pass (paid per validation).
 */
export function runOverhead(pilot: Pick<PilotResult, 'setupSeconds' | 'warmupSeconds' | 'validationSeconds'>, evalsPerEpoch: number): RunOverhead {
  return { sessionSeconds: pilot.setupSeconds, warmupSeconds: pilot.warmupSeconds, validationSeconds: pilot.validationSeconds, evalsPerEpoch };
}
