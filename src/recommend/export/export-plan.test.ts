import assert from 'node:assert/strict';
import test from 'node:test';
import { UserError } from '../../errors.js';
import { EXPORT_FORMATS, exportPlan, type TrainingPlan } from './export-plan.js';

const plan: TrainingPlan = {
  modelName: 'cnn',
  optimizer: 'sgd',
  hyper: { lr: 0.05 },
  schedule: { kind: 'constant' },
  warmupSteps: 0,
  microBatch: 32,
  iterSize: 2,
  worldSize: 1,
  epochs: 3,
  trainExamples: 1000,
  targetAccuracy: 0.97,
};

test('every format exports a plain SGD plan, each to its own file', () => {
  assert.deepEqual([...EXPORT_FORMATS], ['caffe', 'lightning', 'deepspeed', 'hf', 'tfjs']);
  const files = new Set<string>();
  for (const format of EXPORT_FORMATS) {
    const e = exportPlan(format, plan);
    assert.equal(e.format, format);
    assert.ok(e.text.endsWith('\n') && e.text.length > 100, format);
    assert.ok(e.notes.every((n) => n.length > 0 && !n.includes('\n')), `${format}: notes are one line each`);
    files.add(e.fileName);
  }
  assert.equal(files.size, EXPORT_FORMATS.length);
  // ⌊1000 / 64⌋ = 15 updates per epoch, 45 in 3 epochs.
  assert.match(exportPlan('caffe', plan).text, /^max_iter: 45$/m);
  assert.match(exportPlan('caffe', plan).text, /aiming at 97% validation accuracy/);
});

test('a plan that is not a plan is a bug, not a user error', () => {
  for (const bad of [{ microBatch: 0 }, { iterSize: 1.5 }, { worldSize: -1 }, { epochs: 0 }, { trainExamples: 63 }]) {
    assert.throws(() => exportPlan('deepspeed', { ...plan, ...bad }), (e: unknown) => e instanceof Error && !(e instanceof UserError) && e.message.startsWith('internal error'));
  }
});

test('hyper-parameters are validated as for train', () => {
  assert.throws(() => exportPlan('lightning', { ...plan, hyper: { lr: -1 } }), (e: unknown) => e instanceof UserError && e.message === '--lr must be a finite number > 0, got -1');
});
