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
import { batchNormNotes } from './batch-norm.js';

export { EXPORT_FORMATS, type ExportedConfig, type ExportFormat, type TrainingPlan } from './plan.js';

const EXPORTERS: Record<ExportFormat, (r: ResolvedPlan) => ExportedConfig> = {
  caffe: exportCaffe,
  lightning: exportLightning,
  deepspeed: exportDeepSpeed,
  hf: exportHf,
  tfjs: exportTfjs,
};

export function exportPlan(format: ExportFormat, plan: TrainingPlan): ExportedConfig {
  const e = EXPORTERS[format](resolvePlan(plan));
  return { ...e, notes: [...e.notes, ...batchNormNotes(format, plan)] };
}
