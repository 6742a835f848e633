import assert from 'node:assert/strict';
import test from 'node:test';
import { UserError } from '../../errors.js';
import { completeSchedule, lrAt } from '../../optim/schedule.js';
import { MOMENTUM_PLAN } from '../../testing/export-fixtures.js';
import { exportPlan, type TrainingPlan } from './export-plan.js';
import { device, learningRates, parseSolver } from '../../testing/caffe-solver.js';

const base: TrainingPlan = MOMENTUM_PLAN;

/** The solver as Caffe's text-format parser reads it: every field must be one of SolverParameter's, of its type. */
const fields = (text: string) => new Map([...parseSolver(text)].map(([k, v]) => [k, String(v[0])]));

test('caffe: iter_size, base_lr, type, max_iter in updates, and the net batch_size in a comment', () => {
  const e = exportPlan('caffe', base);
  assert.equal(e.fileName, 'solver.prototxt');
  const f = fields(e.text);
  assert.equal(f.get('type'), 'SGD');
  assert.equal(f.get('base_lr'), '0.1');
  assert.equal(f.get('momentum'), '0.9');
  assert.equal(f.get('iter_size'), '4');
  // ⌊55000 / (64·4)⌋ = 214 updates per epoch, 10 epochs.
  assert.equal(f.get('max_iter'), '2140');
  assert.equal(f.get('lr_policy'), 'fixed');
  assert.equal(f.get('weight_decay'), '0');
  // tools/caffe.cpp's choice of device, with and without the --gpu the comment gives.
  const solver = parseSolver(e.text);
  assert.equal(device(solver, 'caffe train --solver=solver.prototxt'), 'GPU 0');
  assert.match(e.text, /^# Run on one GPU: caffe train --solver=solver\.prototxt --gpu 0 /m);
  assert.equal(device(solver, /^# Run on one GPU: (.+?) {2}/m.exec(e.text)![1]!), 'GPU 0');
  assert.equal(f.get('net'), 'mlp_train.prototxt');
  assert.match(e.text, /^# Put {2}batch_size: 64 {2}in the TRAIN data layer of mlp_train\.prototxt/m);
  assert.match(e.text, /Caffe averages the accumulated gradient over iter_size/);
});

test('caffe: several devices run on GPUs and the effective batch counts them', () => {
  const e = exportPlan('caffe', { ...base, worldSize: 2 });
  const f = fields(e.text);
  assert.equal(f.get('solver_mode'), 'GPU');
  assert.equal(f.get('max_iter'), '1070');
  assert.match(e.text, /512 examples per update = batch_size 64 × iter_size 4 × 2 GPUs/);
  assert.match(e.text, /--gpu 0,1 /);
  assert.equal(device(parseSolver(e.text), /^# Run on 2 GPUs: (.+?) {2}/m.exec(e.text)![1]!), 'GPU 0,1');
});

test('caffe: each optimizer maps to its solver type and fields', () => {
  const nesterov = fields(exportPlan('caffe', { ...base, optimizer: 'nesterov', hyper: { lr: 0.05, momentum: 0.8 } }).text);
  assert.equal(nesterov.get('type'), 'Nesterov');
  assert.equal(nesterov.get('momentum'), '0.8');
  const sgd = fields(exportPlan('caffe', { ...base, optimizer: 'sgd', hyper: { lr: 0.05, weightDecay: 0.0005 } }).text);
  assert.equal(sgd.get('type'), 'SGD');
  assert.equal(sgd.get('momentum'), '0');
  assert.equal(sgd.get('weight_decay'), '0.0005');
  const adam = fields(exportPlan('caffe', { ...base, optimizer: 'adam', hyper: { lr: 0.001, beta1: 0.8, beta2: 0.99, eps: 1e-7 } }).text);
  assert.deepEqual([adam.get('type'), adam.get('momentum'), adam.get('momentum2'), adam.get('delta')], ['Adam', '0.8', '0.99', '1e-7']);
  // Caffe CHECKs that RMSProp and AdaGrad get no momentum.
  const rms = fields(exportPlan('caffe', { ...base, optimizer: 'rmsprop', hyper: { lr: 0.001 } }).text);
  assert.deepEqual([rms.get('type'), rms.get('rms_decay'), rms.get('delta'), rms.has('momentum')], ['RMSProp', '0.9', '1e-8', false]);
  const ada = fields(exportPlan('caffe', { ...base, optimizer: 'adagrad', hyper: { lr: 0.01 } }).text);
  assert.deepEqual([ada.get('type'), ada.get('delta'), ada.has('momentum')], ['AdaGrad', '1e-10', false]);
});

test('caffe: the step schedule is exact, warm-up is dropped with a note', () => {
  const e = exportPlan('caffe', { ...base, schedule: { kind: 'step', everySteps: 500, gamma: 0.5 }, warmupSteps: 20 });
  const f = fields(e.text);
  assert.deepEqual([f.get('lr_policy'), f.get('gamma'), f.get('stepsize')], ['step', '0.5', '500']);
  assert.ok(e.notes.some((n) => n.includes('no warm-up')));
  assert.ok(e.notes.some((n) => n.includes('20 updates earlier')));
});

/** The note's "within X% … except the last N updates … at most Y% of base_lr", as numbers. */
function ladderClaim(notes: string[]): { within: number; lag: number; lagBelow: number } {
  const note = notes.find((n) => n.includes('lr_policy "multistep"'));
  assert.ok(note, 'no multistep note');
  const within = /within ([0-9.]+)% of batchwise's rate/.exec(note)!;
  const lag = /except the last ([0-9]+) updates, .* at most ([0-9.e-]+)% of base_lr/.exec(note);
  return { within: Number(within[1]) / 100, lag: lag ? Number(lag[1]) : 0, lagBelow: lag ? Number(lag[2]) / 100 : 0 };
}

test('caffe: cosine runs as a multistep ladder Caffe accepts, within the relative error the note states', () => {
  for (const [schedule, warmupSteps] of [[{ kind: 'cosine', minLr: 0 }, 0], [{ kind: 'cosine', minLr: 0.001 }, 25]] as const) {
    const plan: TrainingPlan = { ...base, schedule, warmupSteps };
    const e = exportPlan('caffe', plan);
    const solver = parseSolver(e.text);
    assert.equal(solver.get('lr_policy')![0], 'multistep');
    // Caffe runs the rates, CHECKs included (a negative gamma aborts it at iteration 0).
    const caffe = learningRates(solver);
    const spec = completeSchedule(plan.schedule, { totalUpdates: 2140, warmupSteps });
    const claim = ladderClaim(e.notes);
    let worst = 0;
    const lagging: number[] = [];
    for (let it = warmupSteps; it < 2140; it++) {
      const ours = lrAt(spec, 0.1, it);
      const error = Math.abs(caffe[it]! - ours) / ours;
      if (error > 1 / 19 + 1e-6) lagging.push(ours);
      else worst = Math.max(worst, error);
    }
    assert.ok(worst <= claim.within, `${JSON.stringify(schedule)}: largest relative error ${worst}, note says ${claim.within}`);
    assert.ok(worst >= 0.05, `${JSON.stringify(schedule)}: ${worst}, the 1/19 bound should be tight`);
    assert.equal(lagging.length, claim.lag);
    assert.ok(lagging.every((x) => x <= claim.lagBelow * 0.1), 'lagging updates run at most at the stated rate');
    // Warm-up runs at base_lr, as the warm-up note says.
    for (let it = 0; it < warmupSteps; it++) assert.equal(caffe[it], Math.fround(0.1));
  }
  // A cosine to 0 falls faster than ×0.9 per update only over its last updates, at negligible rates.
  const claim = ladderClaim(exportPlan('caffe', { ...base, schedule: { kind: 'cosine', minLr: 0 } }).notes);
  assert.ok(claim.lag > 0 && claim.lag <= 20 && claim.lagBelow <= 0.001, JSON.stringify(claim));
  assert.equal(ladderClaim(exportPlan('caffe', { ...base, schedule: { kind: 'cosine', minLr: 0.001 }, warmupSteps: 25 }).notes).lag, 0);
  // One update: the cosine's first rate is base_lr, exactly.
  const single = exportPlan('caffe', { ...base, trainExamples: 300, epochs: 1, schedule: { kind: 'cosine', minLr: 0 } });
  assert.deepEqual([parseSolver(single.text).get('stepvalue'), ladderClaim(single.notes)], [undefined, { within: 0, lag: 0, lagBelow: 0 }]);
});

test('caffe: Rprop is refused with the format, the optimizer and the fix', () => {
  for (const optimizer of ['rprop', 'irprop+'] as const) {
    assert.throws(
      () => exportPlan('caffe', { ...base, optimizer }),
      (e: unknown) => e instanceof UserError && e.message.includes('--export caffe') && e.message.includes(`--optimizer ${optimizer}`) && e.message.includes('--export lightning or deepspeed, or another --optimizer'),
    );
  }
});
