/** The plan the export tests start from: micro-batch 64 × iter-size 4 on one worker, momentum, lr 0.1, MNIST-sized. */
import type { TrainingPlan } from '../recommend/export/export-plan.js';

export const MOMENTUM_PLAN: TrainingPlan = {
  modelName: 'mlp',
  optimizer: 'momentum',
  hyper: { lr: 0.1 },
  schedule: { kind: 'constant' },
  warmupSteps: 0,
  microBatch: 64,
  iterSize: 4,
  worldSize: 1,
  epochs: 10,
  trainExamples: 55000,
};
