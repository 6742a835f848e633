/**
 * What an adaptive run fixes at its start: the largest micro-batch the memory budget allows, and
 * the throughput curve its goodput weighs batches by. Both go into the checkpoint with the
 * schedule, so a resumed run decides with the same ones.
 */
import { measureConfigThroughput } from '../bench/throughput.js';
import type { DataSplits } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';
import { UserError } from '../errors.js';
import { formatBytes } from '../fit/bytes.js';
import { analyticActivationBytesPerSample, DEFAULT_MARGIN, largestBatchFor } from '../fit/memory-model.js';
import { paramCount, type ResolvedModel } from '../model/model.js';
import { splitMayPay, type ThroughputPoint } from './goodput.js';

const FLOAT_BYTES = 4;

/**
 * Largest micro-batch within `memoryBytes`, from the counted memory of training (parameters,
 * gradients and optimizer slots, float32) plus twice the analytic activations per example (the
 * layer outputs the forward pass keeps, and their gradients in the backward pass), with fit's
 * default 10% margin. Analytic, not probed: `batchwise fit` measures the real peak; this cap
 * costs nothing at the start of a run. Without a budget, the micro-batch is the whole batch.
 */
export function microBatchCap(model: ResolvedModel, optimizerSlots: number, memoryBytes: number | undefined, maxBatch: number): number {
  if (memoryBytes === undefined) return maxBatch;
  const fixedBytes = FLOAT_BYTES * paramCount(model) * (2 + optimizerSlots);
  const cap = largestBatchFor({ fixedBytes, perSampleBytes: 2 * analyticActivationBytesPerSample(model), r2: null }, memoryBytes, DEFAULT_MARGIN, maxBatch);
  if (cap < 1) throw new UserError(`--memory ${formatBytes(memoryBytes)} does not hold this model's training state (${formatBytes(fixedBytes)} for parameters, gradients and optimizer slots); raise --memory`);
  return cap;
}

/**
 * The micro-batches worth measuring for a ladder: every other rung and the last (the curve is
 * interpolated between), and half the first rung, so that autoSplit can weigh splitting it in two.
 */
export function curveBatches(ladder: readonly number[], microCap: number): number[] {
  const first = ladder[0]!;
  const micros = [...new Set([...(first % 2 === 0 ? [first / 2] : []), ...ladder.map((b) => Math.min(b, microCap))])].sort((a, b) => a - b);
  const picked = micros.filter((_, i) => i % 2 === 0);
  if (picked[picked.length - 1] !== micros[micros.length - 1]) picked.push(micros[micros.length - 1]!);
  return picked;
}

/** Seconds timed per point: short, since the run waits for it; the interpolation smooths. */
const POINT_SECONDS = 0.15;

/**
 * The throughput curve, measured now with the run's own model, optimizer and data: each point at
 * iter-size 1, then, where splitting could pay (splitMayPay), two micro-batches with noise
 * statistics (autoSplit). Only micro-batches that are half a batch the run may take (2·microBatch
 * ≤ maxBatch): on the cnn here the split at the top of the curve (2 × 4,096) took 27 s to time, and
 * no batch of the ladder halves to it.
 */
export async function measureCurve(config: RunConfig, data: DataSplits, microBatches: readonly number[], maxBatch: number): Promise<ThroughputPoint[]> {
  const at = (microBatch: number, iterSize: number, noiseStats: boolean) => {
    const c: RunConfig = { ...config, batchSize: microBatch, iterSize, schedule: { kind: 'constant' }, warmupSteps: 0, adaptive: undefined };
    return measureConfigThroughput(c, data, { seconds: POINT_SECONDS, runSeconds: 0.05, warmupSeconds: 0.05, noiseStats });
  };
  const plain: ThroughputPoint[] = [];
  for (const microBatch of microBatches) plain.push({ microBatch, samplesPerSec: (await at(microBatch, 1, false)).samplesPerSec });
  const out: ThroughputPoint[] = [];
  for (const p of plain) {
    const pays = 2 * p.microBatch <= Math.min(maxBatch, data.train.count) && splitMayPay(plain, p.microBatch);
    out.push(pays ? { ...p, inStepSamplesPerSec: (await at(p.microBatch, 2, true)).samplesPerSec } : p);
  }
  return out;
}
