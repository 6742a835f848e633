/**
 * The complete, plain-data description of a training run. It crosses the worker boundary and is
 * stored in checkpoints, so it holds only JSON values.
 */
import type { ModelSpec } from '../model/spec.js';
import type { Hyper } from '../optim/optimizer.js';
import type { OptimizerName, PartialHyper } from '../optim/registry.js';
import type { CosineRestart, ParsedSchedule } from '../optim/schedule.js';

export interface RunConfig {
  /** Preset name or the model file's path, for reports. */
  readonly modelName: string;
  readonly model: ModelSpec;
  /** `mnist`, or the path of a CSV or IDX file. */
  readonly dataset: string;
  readonly testFile?: string | undefined;
  readonly labelColumn?: string | number | undefined;
  readonly validationFraction: number;
  readonly testFraction: number;
  /** Micro-batch size in examples, or the whole training split. */
  readonly batchSize: number | 'full';
  /** Micro-batches whose gradients are averaged into one update (Caffe's iter_size). */
  readonly iterSize: number;
  /**
   * Examples per batch-norm group (ghost batch norm, Hoffer et al. 2017); absent: the micro-batch.
   * Fixed, it makes micro-batch × iter-size the same update as one batch of their product.
   */
  readonly bnBatch?: number | undefined;
  readonly optimizer: OptimizerName;
  readonly hyper: PartialHyper;
  readonly schedule: ParsedSchedule;
  /**
   * Set when a resume changed the length of a cosine run (`--epochs`): from that update on the
   * decay goes from the rate reached to its minimum at the new end. Kept by later resumes.
   */
  readonly cosineRestart?: CosineRestart | undefined;
  readonly warmupSteps: number;
  readonly epochs: number;
  readonly targetAccuracy?: number | undefined;
  readonly evalEvery?: number | undefined;
  readonly seed: number;
  readonly threads: number;
  /**
   * `--batch-size auto` (src/adaptive): the batch and rate change during training; batchSize is
   * then the starting batch (the one `hyper.lr` is for) and iterSize 1.
   */
  readonly adaptive?: AdaptiveSpec | undefined;
}

export interface AdaptiveSpec {
  /** Smallest and largest batch (examples per update) the run may use; the ladder doubles from the smallest. */
  readonly minBatch: number;
  readonly maxBatch: number;
  /** Memory budget (bytes) that caps the micro-batch; larger batches accumulate (iterSize > 1). */
  readonly memoryBytes?: number | undefined;
}

/** The settings that define the trajectory: a resumed run must keep every one of them. */
export const TRAJECTORY_KEYS = [
  'model',
  'dataset',
  'testFile',
  'labelColumn',
  'validationFraction',
  'testFraction',
  'batchSize',
  'iterSize',
  'bnBatch',
  'optimizer',
  'hyper',
  'schedule',
  'cosineRestart',
  'warmupSteps',
  'seed',
  'adaptive',
] as const satisfies readonly (keyof RunConfig)[];

/**
 * Not part of the trajectory but of the run: its planned length and stops. A resumed run keeps
 * the checkpoint's unless given again, so `--resume DIR` after Ctrl-C finishes the run that was
 * started (with its own --epochs, hence its own cosine schedule), not one of the default length.
 */
export const RESUMED_RUN_KEYS = ['epochs', 'targetAccuracy', 'evalEvery'] as const satisfies readonly (keyof RunConfig)[];

/**
 * What the user set by flag: a RunConfig key, or one hyper-parameter (`hyper.momentum`). A resumed
 * run compares only these with its checkpoint: the rest of the given config is defaults.
 */
export type GivenKey = keyof RunConfig | `hyper.${keyof Hyper}`;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The batch-norm group kept across splits: G itself whenever it divides the micro-batch (then
 * micro-batch × iter-size is the same update as one batch), else the largest group that tiles it.
 */
export function bnBatchFor(G: number, microBatch: number): number {
  return gcd(G, microBatch);
}

/** The configuration at another micro-batch (one update of it), its batch-norm group tiling it (measurements at 1, 4, 16, …). */
export function atMicroBatch(config: RunConfig, microBatch: number): RunConfig {
  return { ...config, batchSize: microBatch, iterSize: 1, ...(config.bnBatch !== undefined ? { bnBatch: bnBatchFor(config.bnBatch, microBatch) } : {}) };
}
