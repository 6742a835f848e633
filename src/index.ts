/**
 * batchwise as a library. The layers depend one way: graph → model/optim → compile → engine →
 * bench/store/fit/noise → sweep/recommend.
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
export { runTraining, prepareTrainer, loadRunData, type RunResult, type RunInfo, type RunOptions, type RunHooks } from './engine/run.js';
export type { RunConfig } from './engine/run-config.js';
export { saveCheckpoint, loadCheckpoint } from './engine/checkpoint.js';
export { UserError } from './errors.js';
export { measureConfigThroughput, type ThroughputDetail } from './bench/throughput.js';
export { measureMatmul, type MatmulResult } from './bench/matmul.js';
export { Store, type RunRow, type TrialRow, type EpochMetricRow, type ProbeRow, type NoiseRow, type RunKind } from './store/store.js';
export { exportTable, type ExportTable } from './store/export.js';
export { fitMemory, type FitResult } from './fit/fit.js';
export { largestBatchFor, type MemoryModel, type MemoryComponents } from './fit/memory-model.js';
export { searchLargestBatch, type ProbeOutcome, type ProbeRecord } from './fit/search.js';
export { parseBytes, formatBytes } from './fit/bytes.js';
export { measureNoiseScale, noiseAlongTraining, NOISE_DEFAULTS, type NoiseMeasurement, type NoiseOptions } from './noise/measure.js';
export { estimateFromPair, NoiseSmoother, summarize, INTERVAL_LEVEL } from './noise/estimator.js';
export { runSweep, MemoryRecorder, type SweepSpec, type SweepResult, type SweepRecorder } from './sweep/sweep.js';
export { analyseSweep, type SweepAnalysis, type BatchSummary } from './sweep/analyse.js';
export { planTrials, powersOfTwoUpTo, type LrRule } from './sweep/plan.js';
export { runTrial, type TrialOutcome, type TrialLimits } from './sweep/trial.js';
export { sweepIdentity, dataFingerprint } from './sweep/identity.js';
export { recommend, type Recommendation, type RecommendSpec } from './recommend/recommend.js';
export { predictCandidates, chooseCandidate, type Candidate, type Communication } from './recommend/predict.js';
export { splitBatch, fastestSplit, type BatchSplit } from './recommend/split.js';
export { ringAllReduceSeconds, GRADIENT_BYTES_PER_PARAMETER } from './recommend/comm/allreduce.js';
export { parseInterconnect, formatInterconnect, INTERCONNECT_PRESETS, DEFAULT_INTERCONNECT, type Interconnect } from './recommend/comm/interconnect.js';
export { scaleLr, type RecommendLrRule } from './recommend/lr-rule.js';
export { verify, recommendedConfig, type Verification } from './recommend/verify.js';
export { exportPlan, EXPORT_FORMATS, type ExportFormat, type ExportedConfig, type TrainingPlan } from './recommend/export/export-plan.js';
