import assert from 'node:assert/strict';
import test from 'node:test';
import { bnBatchFor } from '../verify.js';
import { batchNormNotes } from './batch-norm.js';
import { exportPlan, type TrainingPlan } from './export-plan.js';

const plan: TrainingPlan = {
  modelName: 'resnet',
  optimizer: 'momentum',
  hyper: { lr: 0.05 },
  schedule: { kind: 'constant' },
  warmupSteps: 0,
  microBatch: 32,
  iterSize: 1,
  worldSize: 4,
  epochs: 3,
  trainExamples: 55000,
  bnBatch: 32,
};

test('the batch-norm batch a split keeps: G when it divides the micro-batch, else the largest group tiling it', () => {
  assert.deepEqual([bnBatchFor(32, 64), bnBatchFor(32, 32), bnBatchFor(32, 8), bnBatchFor(8, 12)], [32, 32, 8, 4]);
});

test('exports say what they keep of batch norm: per-device BatchNorm without sync when G is the micro-batch, and what they cannot express', () => {
  const { bnBatch: _g, ...withoutBatchNorm } = plan;
  assert.deepEqual(batchNormNotes('lightning', withoutBatchNorm), []);
  assert.deepEqual(batchNormNotes('lightning', plan), [
    'batch norm: batchwise normalises over groups of 32 examples, the micro-batch, as each device\'s BatchNorm does here; with 4 devices keep Trainer(sync_batchnorm=False), the default, since SyncBatchNorm would normalise over 128',
  ]);
  const ghost = batchNormNotes('caffe', { ...plan, worldSize: 1, bnBatch: 8, iterSize: 2 });
  assert.match(ghost[0]!, /^batch norm: batchwise normalises over groups of 8 examples \(ghost batch norm\) within each micro-batch of 32; caffe's BatchNorm cannot express that .*micro-batch 8 with 8 accumulation steps/);
  assert.match(ghost[1]!, /running statistics move at every forward call there, several times per update/);
  assert.ok(exportPlan('lightning', plan).notes.some((n) => n.includes('sync_batchnorm=False')));
});
