import assert from 'node:assert/strict';
import test from 'node:test';
import { UserError } from '../../errors.js';
import { completeSchedule, lrAt } from '../../optim/schedule.js';
import { MOMENTUM_PLAN } from '../../testing/export-fixtures.js';
import { exportPlan, type TrainingPlan } from './export-plan.js';

const base: TrainingPlan = MOMENTUM_PLAN;

/** The solver's `key: value` lines (comments skipped); a repeated key fails the test. */
function fields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-z_0-9]+): (.+)$/.exec(line);
    assert.ok(m, `not a key: value line: ${line}`);
    assert.ok(!out.has(m[1]!), `repeated key ${m[1]}`);
    out.set(m[1]!, m[2]!);
  }
  return out;
}

test('caffe: iter_size, base_lr, type, max_iter in updates, and the net batch_size in a comment', () => {
  const e = exportPlan('caffe', base);
  assert.equal(e.fileName, 'solver.prototxt');
  const f = fields(e.text);
  assert.equal(f.get('type'), '"SGD"');
  assert.equal(f.get('base_lr'), '0.1');
  assert.equal(f.get('momentum'), '0.9');
  assert.equal(f.get('iter_size'), '4');
  // ⌊55000 / (64·4)⌋ = 214 updates per epoch, 10 epochs.
  assert.equal(f.get('max_iter'), '2140');
  assert.equal(f.get('lr_policy'), '"fixed"');
  assert.equal(f.get('weight_decay'), '0');
  assert.equal(f.get('solver_mode'), 'CPU');
  assert.equal(f.get('net'), '"mlp_train.prototxt"');
  assert.match(e.text, /^# Put {2}batch_size: 64 {2}in the TRAIN data layer of mlp_train\.prototxt/m);
  assert.match(e.text, /Caffe averages the accumulated gradient over iter_size/);
  assert.ok(!e.text.includes('--gpu'));
});

test('caffe: several devices run on GPUs and the effective batch counts them', () => {
  const e = exportPlan('caffe', { ...base, worldSize: 2 });
  const f = fields(e.text);
  assert.equal(f.get('solver_mode'), 'GPU');
  assert.equal(f.get('max_iter'), '1070');
  assert.match(e.text, /512 examples per update = batch_size 64 × iter_size 4 × 2 GPUs/);
  assert.match(e.text, /--gpu 0,1 /);
});

test('caffe: each optimizer maps to its solver type and fields', () => {
  const nesterov = fields(exportPlan('caffe', { ...base, optimizer: 'nesterov', hyper: { lr: 0.05, momentum: 0.8 } }).text);
  assert.equal(nesterov.get('type'), '"Nesterov"');
  assert.equal(nesterov.get('momentum'), '0.8');
  const sgd = fields(exportPlan('caffe', { ...base, optimizer: 'sgd', hyper: { lr: 0.05, weightDecay: 0.0005 } }).text);
  assert.equal(sgd.get('type'), '"SGD"');
  assert.equal(sgd.get('momentum'), '0');
  assert.equal(sgd.get('weight_decay'), '0.0005');
  const adam = fields(exportPlan('caffe', { ...base, optimizer: 'adam', hyper: { lr: 0.001, beta1: 0.8, beta2: 0.99, eps: 1e-7 } }).text);
  assert.deepEqual([adam.get('type'), adam.get('momentum'), adam.get('momentum2'), adam.get('delta')], ['"Adam"', '0.8', '0.99', '1e-7']);
  // Caffe CHECKs that RMSProp and AdaGrad get no momentum.
  const rms = fields(exportPlan('caffe', { ...base, optimizer: 'rmsprop', hyper: { lr: 0.001 } }).text);
  assert.deepEqual([rms.get('type'), rms.get('rms_decay'), rms.get('delta'), rms.has('momentum')], ['"RMSProp"', '0.9', '1e-8', false]);
  const ada = fields(exportPlan('caffe', { ...base, optimizer: 'adagrad', hyper: { lr: 0.01 } }).text);
  assert.deepEqual([ada.get('type'), ada.get('delta'), ada.has('momentum')], ['"AdaGrad"', '1e-10', false]);
});

test('caffe: the step schedule is exact, warm-up is dropped with a note', () => {
  const e = exportPlan('caffe', { ...base, schedule: { kind: 'step', everySteps: 500, gamma: 0.5 }, warmupSteps: 20 });
  const f = fields(e.text);
  assert.deepEqual([f.get('lr_policy'), f.get('gamma'), f.get('stepsize')], ['"step"', '0.5', '500']);
  assert.ok(e.notes.some((n) => n.includes('no warm-up')));
  assert.ok(e.notes.some((n) => n.includes('20 updates earlier')));
});

test('caffe: cosine becomes a sigmoid within 2.8% of base_lr at every iteration', () => {
  const plan: TrainingPlan = { ...base, schedule: { kind: 'cosine', minLr: 0 } };
  const f = fields(exportPlan('caffe', plan).text);
  assert.equal(f.get('lr_policy'), '"sigmoid"');
  const gamma = Number(f.get('gamma'));
  const stepsize = Number(f.get('stepsize'));
  const maxIter = Number(f.get('max_iter'));
  assert.equal(stepsize, 1070);
  assert.ok(gamma < 0, 'a decaying sigmoid needs gamma < 0');
  const spec = completeSchedule(plan.schedule, { totalUpdates: maxIter, warmupSteps: 0 });
  let worst = 0;
  for (let it = 0; it < maxIter; it++) {
    // SGDSolver::GetLearningRate, lr_policy "sigmoid".
    const caffe = 0.1 / (1 + Math.exp(-gamma * (it - stepsize)));
    worst = Math.max(worst, Math.abs(caffe - lrAt(spec, 0.1, it)));
  }
  assert.ok(worst <= 0.028 * 0.1, `largest gap ${worst}`);
  assert.ok(worst >= 0.02 * 0.1, `largest gap ${worst}: the note's 2.7% should be tight`);
});

test('caffe: Rprop is refused with the format, the optimizer and the fix', () => {
  for (const optimizer of ['rprop', 'irprop+'] as const) {
    assert.throws(
      () => exportPlan('caffe', { ...base, optimizer }),
      (e: unknown) => e instanceof UserError && e.message.includes('--export caffe') && e.message.includes(`--optimizer ${optimizer}`) && e.message.includes('--export lightning or deepspeed, or another --optimizer'),
    );
  }
});
