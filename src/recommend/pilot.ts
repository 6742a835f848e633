/**
 * The pilot: one short run at a small batch B₀ with a rate known to work there, to the target,
 * measuring the gradient noise scale along the way. It gives the examples the target takes at
 * B₀, and how the noise scale grew over them: the two things the prediction scales to other
 * batch sizes (see predict.ts). Its cost is one small-batch run, a fraction of one sweep trial's
 * worth of tuning.
 */
import type { DataSplits } from '../data/dataset.js';
import { prepareTrainer } from '../engine/run.js';
import type { RunConfig } from '../engine/run-config.js';
import { trainLoop } from '../engine/train-loop.js';
import { NoiseMeter, type NoiseMeasurement, type NoiseOptions } from '../noise/measure.js';
import type { NoiseSegment } from './predict.js';

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
  readonly onMeasurement?: (m: NoiseMeasurement) => void;
  readonly shouldStop?: () => boolean;
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

/** Segments between consecutive measurements, each with the mean of its ends' noise scales. */
export function segmentsOf(measurements: readonly NoiseMeasurement[], batchSize: number, lastStep: number): NoiseSegment[] {
  const pts = measurements.flatMap((m) => {
    const bNoise = usableNoiseScale(m);
    return bNoise === null ? [] : [{ step: m.step, bNoise }];
  });
  const out: NoiseSegment[] = [];
  for (let i = 0; i < pts.length; i++) {
    const a = pts[i]!;
    const b = pts[i + 1];
    const end = b ? b.step : lastStep;
    if (end <= a.step) continue;
    out.push({ examples: (end - a.step) * batchSize, bNoise: b ? (a.bNoise + b.bNoise) / 2 : a.bNoise });
  }
  return out;
}

export async function runPilot(base: RunConfig, data: DataSplits, o: PilotOptions): Promise<PilotResult> {
  const config: RunConfig = { ...base, batchSize: o.batchSize, iterSize: 1, hyper: { ...base.hyper, lr: o.lr }, epochs: o.maxEpochs, targetAccuracy: o.targetAccuracy };
  const trainer = await prepareTrainer(config, data);
  const meter = await NoiseMeter.create(trainer, o.noise).catch(async (e: unknown) => {
    await trainer.release();
    throw e;
  });
  try {
    const measurements: NoiseMeasurement[] = [];
    const measure = async () => {
      const m = await meter.measure();
      measurements.push(m);
      o.onMeasurement?.(m);
    };
    await measure();
    let evaluations = 0;
    let interrupted = false;
    const result = await trainLoop(trainer, {
      epochs: o.maxEpochs,
      targetAccuracy: o.targetAccuracy,
      evalEvery: Math.max(1, Math.round(trainer.stepsPerEpoch / o.evalsPerEpoch)),
      shouldStop: () => (o.shouldStop?.() ? (interrupted = true) : trainer.state.trainSeconds > o.maxSeconds),
      onEvaluation: async (e) => {
        evaluations++;
        const reached = e.validation.accuracy >= o.targetAccuracy;
        if (reached || evaluations % o.noiseEvery === 0) await measure();
      },
    });
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
    };
  } finally {
    await Promise.all([trainer.release(), meter.release()]);
  }
}
