import assert from 'node:assert/strict';
import test from 'node:test';
import { UserError } from '../../errors.js';
import { completeSchedule, lrAt, type ParsedSchedule } from '../../optim/schedule.js';
import { MOMENTUM_PLAN } from '../../testing/export-fixtures.js';
import { exportPlan, type TrainingPlan } from './export-plan.js';
import { makeOptimizer } from '../../optim/registry.js';
import { UpdateRunner } from '../../testing/optimizer-harness.js';
import { loadSnippet, tf } from '../../testing/tfjs-snippet.js';

const base: TrainingPlan = MOMENTUM_PLAN;

/** The snippet's `const lrAt = …;` line, evaluated. */
function snippetLrAt(text: string): (i: number) => number {
  const m = /^const lrAt = (.+);$/m.exec(text);
  assert.ok(m, 'no lrAt line');
  return new Function(`return ${m[1]};`)() as (i: number) => number;
}

test('tfjs: batchSize is micro × iterSize (no accumulation), with the compile and fit calls', () => {
  const e = exportPlan('tfjs', base);
  assert.equal(e.fileName, 'train-tfjs.js');
  assert.match(e.text, /^const optimizer = tf\.train\.momentum\(0\.1, 0\.9, false\);$/m);
  assert.match(e.text, /^model\.compile\(\{ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: \['accuracy'\] \}\);$/m);
  assert.match(e.text, /^await model\.fit\(xs, ys, \{\n {2}batchSize: 256,\n {2}epochs: 10,\n {2}shuffle: true,\n\}\);$/m);
  assert.ok(!e.text.includes('lrAt'), 'a constant schedule needs no callback');
  assert.ok(e.notes.some((n) => n.startsWith('tfjs has no gradient accumulation: batchSize 256 = micro-batch 64 × iterSize 4 in one batch')));
  assert.ok(e.notes.some((n) => n.includes('⌈55000 / 256⌉ = 215 updates per epoch where batchwise runs 214')));
  const two = exportPlan('tfjs', { ...base, worldSize: 2 });
  assert.match(two.text, /batchSize: 512,/);
});

test('tfjs: optimizer constructors', () => {
  const call = (plan: TrainingPlan) => /^const optimizer = (.+);$/m.exec(exportPlan('tfjs', plan).text)![1];
  assert.equal(call({ ...base, optimizer: 'sgd' }), 'tf.train.sgd(0.1)');
  assert.equal(call({ ...base, optimizer: 'nesterov', hyper: { lr: 0.02, momentum: 0.95 } }), 'tf.train.momentum(0.02, 0.95, true)');
  assert.equal(call({ ...base, optimizer: 'adam', hyper: { lr: 0.001 } }), 'tf.train.adam(0.001, 0.9, 0.999, 1e-8)');
  assert.equal(call({ ...base, optimizer: 'rmsprop', hyper: { lr: 0.001, rho: 0.95 } }), 'tf.train.rmsprop(0.001, 0.95, 0, 1e-16)');
  assert.equal(call({ ...base, optimizer: 'adagrad', hyper: { lr: 0.02 } }), 'tf.train.adagrad(0.02, 1e-20)');
});

test("tfjs: the snippet's lrAt is batchwise's schedule, number for number", () => {
  const cases: Array<[ParsedSchedule, number]> = [
    [{ kind: 'cosine', minLr: 0 }, 0],
    [{ kind: 'cosine', minLr: 0.001 }, 25],
    [{ kind: 'step', everySteps: 300, gamma: 0.5 }, 0],
    [{ kind: 'step', everySteps: 300, gamma: 0.5 }, 10],
    [{ kind: 'constant' }, 40],
  ];
  for (const [schedule, warmupSteps] of cases) {
    const text = exportPlan('tfjs', { ...base, schedule, warmupSteps }).text;
    const f = snippetLrAt(text);
    const spec = completeSchedule(schedule, { totalUpdates: 2140, warmupSteps });
    for (let i = 0; i < 2160; i++) assert.equal(f(i), lrAt(spec, 0.1, i), `${JSON.stringify(schedule)} W=${warmupSteps} update ${i}`);
    assert.match(text, /callbacks: \{ onBatchBegin: async \(\) => \{ optimizer\.setLearningRate\(lrAt\(update\+\+\)\); \} \},/);
  }
  const adam = exportPlan('tfjs', { ...base, optimizer: 'adam', schedule: { kind: 'cosine', minLr: 0 } }).text;
  assert.match(adam, /onBatchBegin: async \(\) => \{ optimizer\.learningRate = lrAt\(update\+\+\); \}/);
});

test('tfjs: weight decay as layer L2 regularizers, and Rprop refused', () => {
  const e = exportPlan('tfjs', { ...base, hyper: { lr: 0.1, weightDecay: 0.0005 } });
  assert.match(e.text, /tf\.regularizers\.l2\(\{ l2: 0\.00025 \}\)/);
  for (const optimizer of ['rprop', 'irprop+'] as const) {
    assert.throws(() => exportPlan('tfjs', { ...base, optimizer }), (err: unknown) => err instanceof UserError && err.message.includes('--export tfjs cannot express --optimizer') && err.message.includes('--export lightning or deepspeed, or another --optimizer'));
  }
});

/** Three updates of one optimizer on gradients from 1 down to 1e-10: batchwise's steps and the exported tfjs optimizer's. */
async function stepsBoth(plan: TrainingPlan): Promise<Array<[number, number, number]>> {
  const grads = [1, -0.1, 1e-2, 3e-3, 1e-3, 1e-4, 1e-5, 1e-6, -1e-7, 1e-8, 3e-9, 1e-9, 1e-10];
  const n = grads.length;
  const runner = await UpdateRunner.create(makeOptimizer(plan.optimizer, plan.hyper), n);
  let ours = runner.init(new Float32Array(n));
  const snippet = await loadSnippet(exportPlan('tfjs', plan).text);
  const w = tf.variable(tf.zeros([n]), true);
  for (let t = 1; t <= 3; t++) {
    ours = await runner.step(ours, { grad: grads, t });
    snippet.optimizer.applyGradients({ [w.name]: tf.tensor1d(grads) });
  }
  await runner.release();
  const theirs = w.dataSync();
  w.dispose();
  return grads.map((g, i) => [g, ours.param[i]!, theirs[i]!]);
}

test("tfjs: RMSProp's epsilon is ε², so each step is between 1 and √2 times batchwise's at every gradient scale", async () => {
  const plan: TrainingPlan = { ...base, optimizer: 'rmsprop', hyper: { lr: 0.01 } };
  for (const [g, ours, theirs] of await stepsBoth(plan)) {
    const ratio = theirs / ours;
    assert.ok(ratio >= 1 - 1e-5 && ratio <= Math.SQRT2 * (1 + 1e-5), `g = ${g}: tfjs step / batchwise step = ${ratio}`);
  }
  assert.ok(exportPlan('tfjs', plan).notes.some((n) => n.includes('ε² = 1e-16') && n.includes('within a factor √2')));
});

test("tfjs: AdaGrad matches once s ≫ the backend's 1e-7, as its note says, and steps less before", async () => {
  const plan: TrainingPlan = { ...base, optimizer: 'adagrad', hyper: { lr: 0.01 } };
  assert.ok(exportPlan('tfjs', plan).notes.some((n) => n.includes('√(s + 1e-7)') && n.includes('from s₀ = 1e-20') && n.includes('the same once s ≫ 1e-7')));
  for (const [g, ours, theirs] of await stepsBoth(plan)) {
    const ratio = theirs / ours;
    const s = 3 * g * g;
    assert.ok(ratio <= 1 + 1e-5, `g = ${g}: tfjs step / batchwise step = ${ratio}`);
    if (s >= 100 * 1e-7) assert.ok(ratio >= 0.995, `g = ${g}, s = ${s}: ${ratio}`);
  }
});
