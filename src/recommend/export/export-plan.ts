/**
 * Exports of a recommended training plan to other frameworks' configs (`batchwise recommend
 * --export FORMAT`). Pure: the caller writes `text` to `fileName` and shows `notes`.
 * A plan a format cannot express (an optimizer it lacks, a schedule it has no form for) throws a
 * UserError naming the format, the value and the fix; what it can only approximate is said in
 * `notes`.
 */
import { exportCaffe } from './caffe.js';
import { exportDeepSpeed } from './deepspeed.js';
import { exportHf } from './hf.js';
import { exportLightning } from './lightning.js';
import { resolvePlan, type ExportedConfig, type ExportFormat, type ResolvedPlan, type TrainingPlan } from './plan.js';
import { exportTfjs } from './tfjs.js';
import type { RunConfig } from '../../engine/run-config.js';
import type { Candidate } from '../predict.js';

export { EXPORT_FORMATS, type ExportedConfig, type ExportFormat, type TrainingPlan } from './plan.js';

const EXPORTERS: Record<ExportFormat, (r: ResolvedPlan) => ExportedConfig> = {
  caffe: exportCaffe,
  lightning: exportLightning,
  deepspeed: exportDeepSpeed,
  hf: exportHf,
  tfjs: exportTfjs,
};

export function exportPlan(format: ExportFormat, plan: TrainingPlan): ExportedConfig {
  return EXPORTERS[format](resolvePlan(plan));
}

/** A recommendation as a plan to export: its rate to 4 significant digits, and a quarter more epochs than predicted, since other frameworks stop by epochs. */
export function trainingPlanFor(base: RunConfig, c: Candidate, targetAccuracy: number, trainExamples: number): TrainingPlan {
  return {
    modelName: base.modelName,
    optimizer: base.optimizer,
    hyper: { ...base.hyper, lr: Number(c.lr.toPrecision(4)) },
    schedule: base.schedule,
    warmupSteps: base.warmupSteps,
    microBatch: c.microBatch,
    iterSize: c.iterSize,
    worldSize: c.worldSize,
    epochs: Math.max(1, Math.ceil(c.epochs * 1.25)),
    trainExamples,
    targetAccuracy,
  };
}
