/**
 * Training throughput per batch size: full SGD updates (gather the batch, forward, backward,
 * update) on MNIST, timed inside `session.run` only, with many updates per run so the per-run cost
 * is amortised the way real training amortises it.
 *
 * FLOP convention: a training step costs 6·MACs per example (forward 2·MACs, backward 4·MACs:
 * one product for the input gradient, one for the weight gradient). The optimizer's update
 * is not counted; for SGD it is one multiply-add per parameter per update.
 */
import type { DataSplits } from '../data/dataset.js';
import { loadDataset } from '../data/load.js';
import { UserError } from '../errors.js';
import type { RunConfig } from '../engine/run-config.js';
import { prepareTrainer } from '../engine/run.js';
import type { Trainer } from '../engine/trainer.js';
import { PRESETS } from '../model/presets.js';
import type { OptimizerName } from '../optim/registry.js';

export const BENCH_MODELS = ['mlp', 'cnn', 'resnet'] as const;
export type BenchModel = (typeof BENCH_MODELS)[number];
/** The models the PyTorch script has a twin of (torch.ts). */
export const TORCH_TWINS: readonly BenchModel[] = ['mlp', 'cnn'];
/** The optimizer timed unless `bench --optimizer` names another. */
export const BENCH_OPTIMIZER: OptimizerName = 'sgd';
export const FLOPS_PER_MAC_TRAINING = 6;

export interface ThroughputRow {
  readonly batchSize: number;
  readonly samplesPerSec: number;
  readonly gflops: number;
}

export interface ThroughputDetail extends ThroughputRow {
  /** Updates and seconds that were timed (after warm-up). */
  readonly updates: number;
  readonly seconds: number;
  readonly runs: number;
  readonly macsPerExample: number;
}

/** GFLOP/s of training at `samplesPerSec`, by the 6·MACs convention. */
export function trainingGflops(samplesPerSec: number, macsPerExample: number): number {
  return (samplesPerSec * FLOPS_PER_MAC_TRAINING * macsPerExample) / 1e9;
}

/** MNIST as every bench run sees it: loaded once, shared by all batch sizes. */
export function loadBenchData(model: BenchModel): DataSplits {
  return loadDataset({ dataset: 'mnist', validationFraction: 1 / 12, testFraction: 0.1, seed: 1, imageShape: model !== 'mlp' });
}

/** Throws a UserError naming the first batch size that the training split cannot fill. */
export function checkBatchSizes(batchSizes: readonly number[], trainCount: number): void {
  const tooBig = batchSizes.find((b) => b > trainCount);
  if (tooBig !== undefined) {
    throw new UserError(`--batch-sizes: ${tooBig} is larger than the ${trainCount} MNIST training examples; use batch sizes ≤ ${trainCount}`);
  }
}

export function benchRunConfig(model: BenchModel, batchSize: number, threads: number, optimizer: OptimizerName = BENCH_OPTIMIZER): RunConfig {
  return {
    modelName: model,
    model: PRESETS[model]!,
    dataset: 'mnist',
    validationFraction: 1 / 12,
    testFraction: 0.1,
    batchSize,
    iterSize: 1,
    optimizer,
    hyper: {},
    schedule: { kind: 'constant' },
    warmupSteps: 0,
    epochs: 1,
    seed: 1,
    threads,
  };
}

export interface ThroughputOptions {
  readonly model: BenchModel;
  readonly batchSize: number;
  readonly threads: number;
  /** Defaults to BENCH_OPTIMIZER (SGD). */
  readonly optimizer?: OptimizerName;
  /** Timed seconds inside runs, after warm-up. */
  readonly seconds: number;
  readonly data: DataSplits;
  /** Target length of one run; long enough that per-run overhead is noise, short enough to stop near `seconds`. */
  readonly runSeconds?: number;
}

/** Measure one batch size. The trainer is released before returning. */
export async function measureThroughput(opts: ThroughputOptions): Promise<ThroughputDetail> {
  checkBatchSizes([opts.batchSize], opts.data.train.count);
  return measureConfigThroughput(benchRunConfig(opts.model, opts.batchSize, opts.threads, opts.optimizer), opts.data, opts);
}

/**
 * Timed runs of a trainer, each of about `target` seconds (sized by the last run's seconds per
 * update; the first is one update), never across an epoch end (the next starts the next epoch's
 * permutation). NaN weights would end every later run after one update, so a run that diverges
 * puts the initial weights back.
 */
export function timedRuns(trainer: Trainer): (target: number) => Promise<{ updates: number; seconds: number }> {
  const initial = trainer.snapshot();
  let perUpdate = Infinity;
  return async (target) => {
    const count = Math.max(1, Math.min(trainer.stepsLeftInEpoch, Number.isFinite(perUpdate) ? Math.round(target / perUpdate) : 1));
    const r = await trainer.runUpdates(count);
    if (r.divergedAtStep !== null) trainer.restore(initial);
    perUpdate = r.seconds / r.losses.length;
    return { updates: r.losses.length, seconds: r.seconds };
  };
}

/**
 * Steady-state training samples/s of any run configuration (its model, optimizer, micro-batch and
 * iter size) on `data`: warm-up excluded, then `seconds` of timed updates.
 */
export async function measureConfigThroughput(config: RunConfig, data: DataSplits, opts: { seconds: number; runSeconds?: number; warmupSeconds?: number }): Promise<ThroughputDetail> {
  const runSeconds = opts.runSeconds ?? 0.35;
  const warmupSeconds = opts.warmupSeconds ?? 0.3;
  const trainer = await prepareTrainer(config, data);
  try {
    const run = timedRuns(trainer);
    // Warm-up: the first run allocates buffers and wakes the thread pool; then at least one run
    // of ≥ warmupSeconds (0.3 s) brings caches and the allocator to their steady state.
    await run(0);
    // Bounded: a run cut short by the epoch end may be under warmupSeconds; the next one is not.
    for (let i = 0; i < 20; i++) if ((await run(Math.max(warmupSeconds, runSeconds))).seconds >= warmupSeconds) break;
    let updates = 0;
    let seconds = 0;
    let runs = 0;
    while (seconds < opts.seconds) {
      const r = await run(Math.min(runSeconds, Math.max(opts.seconds - seconds, runSeconds / 4)));
      updates += r.updates;
      seconds += r.seconds;
      runs++;
    }
    const samplesPerSec = (updates * trainer.effectiveBatch) / seconds;
    const macs = trainer.model.macsPerExample;
    return { batchSize: trainer.effectiveBatch, samplesPerSec, gflops: trainingGflops(samplesPerSec, macs), updates, seconds, runs, macsPerExample: macs };
  } finally {
    await trainer.release();
  }
}

