/**
 * What an adaptive run fixes at its start: the largest micro-batch the memory budget allows, and
 * the throughput curve its goodput weighs batches by. Both go into the checkpoint with the
 * schedule, so a resumed run decides with the same ones.
 */
import { measureConfigThroughput, timedRuns } from '../bench/throughput.js';
import { prepareTrainer } from '../engine/run.js';
import type { DataSplits } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';
import { UserError } from '../errors.js';
import { formatBytes } from '../fit/bytes.js';
import { analyticActivationBytesPerSample, DEFAULT_MARGIN, largestBatchFor } from '../fit/memory-model.js';
import { paramCount, type ResolvedModel } from '../model/model.js';
import { splitMayPay, splitOrNull, type ThroughputPoint } from './goodput.js';

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
 * interpolated between), and half the first rung, so that autoSplit can weigh splitting it in two;
 * with `--bn-batch G` only multiples of G, the micro-batches the run can take.
 */
export function curveBatches(ladder: readonly number[], microCap: number, normGroup = 1): number[] {
  const first = ladder[0]!;
  // Each rung's own micro-batch (within the cap, whole groups), and half the first where that could run unsplit.
  const half = first % 2 === 0 && first / 2 <= microCap && (first / 2) % normGroup === 0 ? [first / 2] : [];
  const own = ladder.map((b) => splitOrNull(b, microCap, normGroup)?.microBatch).filter((m): m is number => m !== undefined);
  const micros = [...new Set([...half, ...own])].sort((a, b) => a - b);
  const picked = micros.filter((_, i) => i % 2 === 0);
  if (picked[picked.length - 1] !== micros[micros.length - 1]) picked.push(micros[micros.length - 1]!);
  return picked;
}

/** Seconds timed per point: short, since the run waits for it; the interpolation smooths. */
const POINT_SECONDS = 0.15;

/**
 * The throughput curve, measured now with the run's own model, optimizer and data, each point at
 * iter-size 1, the best of two timings. Where splitting a batch in two could pay (splitMayPay, at
 * micro-batches that are half a batch the run may take), each point also gets the split's
 * samples/s with noise statistics (autoSplit): its own samples/s times (1 − o·√(b₀/b)), o the
 * statistics' share of an update measured once at the smallest such micro-batch b₀
 * (statisticsOverhead). They are a few passes over the parameters per micro-batch against the
 * micro-batch's GEMMs, so their share falls with b: on the mlp here 13.8%, 7.2%, 3.1% and 2.1% at
 * 16, 64, 128 and 256, about as b^−0.7; √ errs on the side of rounds. Timing the split itself at
 * every point took the cnn's curve 72 s against 25.6 s for one pass with the paired ratio, and on
 * a loaded machine its 0.15 s timings spread by more than the 3% the choice turns on; the paired
 * ratio does not.
 */
export async function measureCurve(config: RunConfig, data: DataSplits, microBatches: readonly number[], maxBatch: number): Promise<ThroughputPoint[]> {
  const best = new Map<number, number>();
  // Two passes, the second in reverse, the best of the two per point: a single 0.15 s timing of
  // the cnn's 16 read 400 samples/s on a loaded machine where the others read 900, and the goodput
  // then took 64 for twice as fast as 16.
  for (const pass of [microBatches, [...microBatches].reverse()]) {
    for (const microBatch of pass) {
      const c: RunConfig = { ...config, batchSize: microBatch, iterSize: 1, schedule: { kind: 'constant' }, warmupSteps: 0, adaptive: undefined };
      const r = await measureConfigThroughput(c, data, { seconds: POINT_SECONDS, runSeconds: 0.05, warmupSeconds: 0.05 });
      best.set(microBatch, Math.max(best.get(microBatch) ?? 0, r.samplesPerSec));
    }
  }
  const plain = microBatches.map((microBatch) => ({ microBatch, samplesPerSec: best.get(microBatch)! }));
  const candidates = splitCandidates(plain, Math.min(maxBatch, data.train.count));
  if (candidates.length === 0) return plain;
  return withInStep(plain, candidates, await statisticsOverhead(config, data, candidates[0]!));
}

/** The micro-batches of a plain curve worth splitting a batch into two of (see measureCurve), smallest first. */
export function splitCandidates(plain: readonly ThroughputPoint[], largestBatch: number): number[] {
  return plain.filter((p) => 2 * p.microBatch <= largestBatch && splitMayPay(plain, p.microBatch)).map((p) => p.microBatch).sort((a, b) => a - b);
}

/** The curve with the split's samples/s at each candidate: samples/s × (1 − overhead·√(b₀/b)), b₀ the smallest candidate, where `overhead` was measured. */
export function withInStep(plain: readonly ThroughputPoint[], candidates: readonly number[], overhead: number): ThroughputPoint[] {
  const b0 = Math.min(...candidates);
  return plain.map((p) => (candidates.includes(p.microBatch) ? { ...p, inStepSamplesPerSec: p.samplesPerSec * (1 - overhead * Math.sqrt(b0 / p.microBatch)) } : p));
}

/** Timed runs per trainer in statisticsOverhead, alternating; the best of each counts. */
const PAIRED_RUNS = 3;

/**
 * The share of an update's time the noise statistics add, at two micro-batches of `microBatch`:
 * the same split with and without them, timed in turn (pairedTimings), so that both see the same
 * machine. At least 0.
 */
export async function statisticsOverhead(config: RunConfig, data: DataSplits, microBatch: number): Promise<number> {
  const t = await pairedTimings(config, data, microBatch, PAIRED_RUNS, POINT_SECONDS / 2);
  return Math.max(0, 1 - t.plain / t.statistics);
}

/**
 * Seconds per update of two micro-batches of `microBatch` without and with the noise statistics:
 * the best of `runs` timed runs of about `seconds` each, the two trainers alternating after one
 * untimed run each (`bench:noise-stats` times more and longer runs than statisticsOverhead).
 */
export async function pairedTimings(config: RunConfig, data: DataSplits, microBatch: number, runs: number, seconds: number): Promise<{ plain: number; statistics: number }> {
  const c: RunConfig = { ...config, batchSize: microBatch, iterSize: 2, schedule: { kind: 'constant' }, warmupSteps: 0, adaptive: undefined };
  const trainers = [await prepareTrainer(c, data), await prepareTrainer(c, data, { noiseStats: true })];
  try {
    const timed = trainers.map(timedRuns);
    const best = [Infinity, Infinity];
    for (const run of timed) await run(0);
    for (let k = 0; k < runs; k++) {
      for (const i of [0, 1]) {
        const r = await timed[i]!(seconds);
        best[i] = Math.min(best[i]!, r.seconds / r.updates);
      }
    }
    return { plain: best[0]!, statistics: best[1]! };
  } finally {
    await Promise.all(trainers.map((t) => t.release()));
  }
}
