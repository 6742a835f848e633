/**
 * batchwise as a library. The layers depend one way: graph → model/optim → compile → engine.
 */
export { GraphBuilder, encodeModel, DType } from './graph/builder.js';
export type { ModelSpec, LayerSpec } from './model/spec.js';
export { modelSpecSchema, layerSpecSchema } from './model/spec.js';
export { PRESETS } from './model/presets.js';
export { resolveModel, initParams, paramCount, type ResolvedModel } from './model/model.js';
export { OPTIMIZER_NAMES, makeOptimizer, defaultHyper, type OptimizerName, type PartialHyper } from './optim/registry.js';
export type { Optimizer, Hyper } from './optim/optimizer.js';
export { parseSchedule, lrAt, type ScheduleSpec, type ParsedSchedule } from './optim/schedule.js';
export { buildTrainModel } from './compile/train-model.js';
export { buildEvalModel } from './compile/eval-model.js';
export { buildGradModel } from './compile/grad-model.js';
export { buildInferenceModel } from './compile/inference-model.js';
export { loadDataset, type LoadOptions } from './data/load.js';
export type { DataSplits, Examples, Normalization } from './data/dataset.js';
export { Trainer, type TrainerConfig, type TrainState, type Evaluation } from './engine/trainer.js';
export { trainLoop, type TrainResult, type TrainStatus, type EvaluationEvent, type Progress } from './engine/train-loop.js';
export { runTraining, prepareTrainer, type RunResult, type RunInfo, type RunOptions, type RunHooks } from './engine/run.js';
export type { RunConfig } from './engine/run-config.js';
export { saveCheckpoint, loadCheckpoint } from './engine/checkpoint.js';
export { UserError } from './errors.js';
