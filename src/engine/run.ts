/**
 * One training run from a plain config: load the data, compile the model, train, report, keep
 * the result. This is the library's `train` entry; the CLI runs it in a worker thread.
 */
import { buildInferenceModel } from '../compile/inference-model.js';
import type { DataSplits } from '../data/dataset.js';
import { loadDataset } from '../data/load.js';
import { UserError } from '../errors.js';
import { paramCount, resolveModel } from '../model/model.js';
import type { Hyper } from '../optim/optimizer.js';
import { defaultHyperFor, makeOptimizer } from '../optim/registry.js';
import { completeSchedule, lrAt, type ScheduleSpec } from '../optim/schedule.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { RESUMED_RUN_KEYS, TRAJECTORY_KEYS, type GivenKey, type RunConfig } from './run-config.js';
import { trainLoop, type EvaluationEvent, type Progress, type TrainResult } from './train-loop.js';
import { Trainer, type TrainerConfig } from './trainer.js';

export interface RunHooks {
  readonly onStart?: (info: RunInfo) => void;
  readonly onProgress?: (p: Progress) => void;
  readonly onEvaluation?: (e: EvaluationEvent) => void;
  readonly shouldStop?: () => boolean;
}

export interface RunInfo {
  readonly config: RunConfig;
  readonly trainExamples: number;
  readonly validationExamples: number;
  readonly testExamples: number;
  readonly microBatch: number;
  readonly iterSize: number;
  readonly effectiveBatch: number;
  /** Examples each batch-norm layer normalises over in training; null when the model has no batch norm. */
  readonly normGroup: number | null;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly parameters: number;
  /** Training FLOPs per example: forward 2·MACs, backward about 4·MACs. */
  readonly flopsPerExample: number;
  readonly resumedFromStep: number;
  /** The learning-rate schedule the run follows, complete (cosine's length, a resume's re-plan). */
  readonly schedule: ScheduleSpec;
}

export interface RunOptions {
  /** Write a checkpoint and the inference model here at every evaluation and at the end. */
  readonly saveDir?: string | undefined;
  /** Continue the run stored here (its trajectory settings win; see TRAJECTORY_KEYS). */
  readonly resumeDir?: string | undefined;
}

export interface RunResult extends TrainResult {
  readonly info: RunInfo;
}

function refuseChange(what: string, stored: unknown, given: unknown): never {
  throw new UserError(
    `the checkpoint was trained with ${what} ${JSON.stringify(stored)}, not ${JSON.stringify(given)}; ` +
      `drop that flag to resume, or start a new run without --resume`,
  );
}

/**
 * The config a resumed run continues with: the checkpoint's trajectory, its length and stops
 * unless given again, the caller's the rest. A flag the user gave must agree with the checkpoint;
 * hyper-parameters are compared one by one, since the given `hyper` holds defaults for the flags
 * not given (the default --lr is not the run's) and the stored one leaves its defaults out.
 */
export function mergeResumeConfig(stored: RunConfig, given: RunConfig, explicitlyGiven: ReadonlySet<GivenKey>): RunConfig {
  for (const key of TRAJECTORY_KEYS) {
    if (explicitlyGiven.has(key) && JSON.stringify(given[key]) !== JSON.stringify(stored[key])) refuseChange(key, stored[key], given[key]);
  }
  const defaults = defaultHyperFor(stored.optimizer);
  for (const key of Object.keys(defaults) as (keyof Hyper)[]) {
    const was = stored.hyper[key] ?? defaults[key];
    if (explicitlyGiven.has(`hyper.${key}`) && given.hyper[key] !== was) refuseChange(key, was, given.hyper[key]);
  }
  const merged: Record<string, unknown> = { ...given };
  for (const key of TRAJECTORY_KEYS) merged[key] = stored[key];
  for (const key of RESUMED_RUN_KEYS) if (!explicitlyGiven.has(key) && stored[key] !== undefined) merged[key] = stored[key];
  return merged as unknown as RunConfig;
}

/** The data a run trains on: its dataset split by its seed, normalised on the training split. */
export function loadRunData(config: RunConfig): DataSplits {
  return loadDataset({
    dataset: config.dataset,
    validationFraction: config.validationFraction,
    testFraction: config.testFraction,
    seed: config.seed,
    imageShape: config.model.input === 'image',
    ...(config.labelColumn !== undefined ? { labelColumn: config.labelColumn } : {}),
    ...(config.testFile !== undefined ? { testFile: config.testFile } : {}),
  });
}

/** The schedule of `config` over `trainExamples`: cosine spans its epochs, from its restart if any. */
export function plannedSchedule(config: RunConfig, trainExamples: number): ScheduleSpec {
  const microBatch = config.batchSize === 'full' ? trainExamples : config.batchSize;
  const totalUpdates = Math.floor(trainExamples / (microBatch * config.iterSize)) * config.epochs;
  return completeSchedule(config.schedule, { totalUpdates, warmupSteps: config.warmupSteps, restart: config.cosineRestart });
}

/**
 * A resume that changes a cosine run's length re-plans the decay from where it is. Planning the
 * new length from the start instead would move the rate at once (from about η_min back to η/2
 * when 2 epochs become 4); so from update `step` the rate decays from the last update's, under
 * the old plan, to η_min at the new end. Within the warm-up nothing has decayed yet: the plan
 * over the new length is the same as a fresh run's.
 */
export function replanOnResume(stored: RunConfig, merged: RunConfig, step: number, trainExamples: number): RunConfig {
  if (merged.schedule.kind !== 'cosine' || merged.epochs === stored.epochs || step <= merged.warmupSteps) return merged;
  const baseLr = stored.hyper.lr ?? defaultHyperFor(stored.optimizer).lr;
  // Resumed again before an update since the last re-plan: the rate reached is that re-plan's.
  const earlier = stored.cosineRestart;
  const lr = earlier !== undefined && step <= earlier.step ? earlier.lr : lrAt(plannedSchedule(stored, trainExamples), baseLr, step - 1);
  return { ...merged, cosineRestart: { step, lr } };
}

export async function prepareTrainer(config: RunConfig, data?: DataSplits, session: Pick<TrainerConfig, 'profileFilePrefix' | 'noiseStats'> = {}): Promise<Trainer> {
  const splits = data ?? loadRunData(config);
  const model = resolveModel(config.model, splits.featureShape, splits.numClasses);
  const optimizer = makeOptimizer(config.optimizer, config.hyper);
  const microBatch = config.batchSize === 'full' ? splits.train.count : config.batchSize;
  const schedule = plannedSchedule(config, splits.train.count);
  return Trainer.create(model, optimizer, splits, {
    microBatch,
    iterSize: config.iterSize,
    seed: config.seed,
    threads: config.threads,
    schedule,
    ...session,
    bnBatch: config.bnBatch,
  });
}

export async function runTraining(given: RunConfig, opts: RunOptions = {}, hooks: RunHooks = {}, explicitlyGiven: ReadonlySet<GivenKey> = new Set()): Promise<RunResult> {
  const resumed = opts.resumeDir !== undefined ? loadCheckpoint(opts.resumeDir) : null;
  const merged = resumed ? mergeResumeConfig(resumed.meta.config, given, explicitlyGiven) : given;
  if (merged.adaptive !== undefined) throw new UserError('this run has --batch-size auto, whose loop is src/adaptive (runAdaptive); runTraining trains a fixed batch');
  const data = loadRunData(merged);
  const config = resumed ? replanOnResume(resumed.meta.config, merged, resumed.meta.step, data.train.count) : merged;
  const trainer = await prepareTrainer(config, data);
  try {
    if (resumed) trainer.restore(resumed.state);
    const info: RunInfo = {
      config,
      trainExamples: trainer.data.train.count,
      validationExamples: trainer.data.validation.count,
      testExamples: trainer.data.test.count,
      microBatch: trainer.config.microBatch,
      iterSize: trainer.config.iterSize,
      effectiveBatch: trainer.effectiveBatch,
      normGroup: trainer.model.buffers.length > 0 ? (config.bnBatch ?? trainer.config.microBatch) : null,
      stepsPerEpoch: trainer.stepsPerEpoch,
      totalSteps: trainer.stepsPerEpoch * config.epochs,
      parameters: paramCount(trainer.model),
      flopsPerExample: 6 * trainer.model.macsPerExample,
      resumedFromStep: trainer.state.step,
      schedule: trainer.config.schedule,
    };
    hooks.onStart?.(info);
    const save = () => {
      if (opts.saveDir === undefined) return;
      const inference = buildInferenceModel(trainer.model, trainer.state.params, trainer.data.normalization, trainer.state.buffers);
      saveCheckpoint(opts.saveDir, config, trainer.snapshot(), trainer.data.normalization, inference);
    };
    const result = await trainLoop(trainer, {
      epochs: config.epochs,
      targetAccuracy: config.targetAccuracy,
      evalEvery: config.evalEvery,
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      onEvaluation: (e) => {
        hooks.onEvaluation?.(e);
        save();
      },
    });
    // A diverged state is not worth keeping: the last good checkpoint stays.
    if (result.status !== 'diverged') save();
    return { ...result, info };
  } finally {
    await trainer.release();
  }
}
