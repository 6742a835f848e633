/**
 * A recommendation as a training plan for the exports (src/recommend/export). Other frameworks
 * stop by epochs, not at a target: the plan runs the predicted epochs with a quarter more for
 * safety. Epochs here are the trainer's and the exports' (⌊N/B⌋ updates each, see
 * export/plan.ts), the same as the prediction's, so the plan runs at least 1.25× the predicted
 * updates at every batch size, up to B = N.
 */
import type { RunConfig } from '../engine/run-config.js';
import type { TrainingPlan } from './export/export-plan.js';
import type { Candidate } from './predict.js';
import { bnBatchFor } from './verify.js';
import { recommendedWarmup } from './warmup.js';

/** Epochs beyond the predicted ones, for safety. */
export const PLAN_MARGIN = 1.25;

export function recommendedPlan(base: RunConfig, c: Candidate, targetAccuracy: number, trainExamples: number): TrainingPlan {
  return {
    modelName: base.modelName,
    optimizer: base.optimizer,
    hyper: { ...base.hyper, lr: Number(c.lr.toPrecision(4)) },
    schedule: base.schedule,
    warmupSteps: recommendedWarmup(base.warmupSteps, c),
    microBatch: c.microBatch,
    iterSize: c.iterSize,
    worldSize: c.worldSize,
    epochs: Math.max(1, Math.ceil(c.epochs * PLAN_MARGIN)),
    trainExamples,
    targetAccuracy,
    ...(base.bnBatch !== undefined ? { bnBatch: bnBatchFor(base.bnBatch, c.microBatch) } : {}),
  };
}
