/**
 * Every optimizer's updates as the training graph runs them (Loop, gradients from the backward
 * pass, weight decay, slots and globals carried from step to step), against the same rule applied
 * tensor by tensor: gradients from the separately built gradient graph, the update from the
 * optimizer harness, parameter by parameter.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { buildGradModel } from '../compile/grad-model.js';
import type { DataSplits } from '../data/dataset.js';
import { resolveModel } from '../model/model.js';
import { modelSpecSchema } from '../model/spec.js';
import { makeOptimizer, type OptimizerName } from '../optim/registry.js';
import { Rng } from '../rng.js';
import { blobs } from '../testing/blobs.js';
import { UpdateRunner, type OptState } from '../testing/optimizer-harness.js';
import { createSession, floatTensor, int64Tensor, runFloat } from './ort.js';
import { Trainer } from './trainer.js';

// Two dense layers with biases: four tensors of different sizes.
const spec = modelSpecSchema.parse({ layers: [{ type: 'dense', units: 7 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
const constant = { kind: 'constant', warmupSteps: 0 } as const;
const STEPS = 4;

async function expectedState(data: DataSplits, name: OptimizerName, hyper: { lr: number; weightDecay?: number }, batch: number) {
  const model = resolveModel(spec, data.featureShape, data.numClasses);
  const trainer = await Trainer.create(model, makeOptimizer(name, hyper), data, { microBatch: batch, iterSize: 1, seed: 3, threads: 1, schedule: constant });
  const opt = trainer.optimizer;
  const runners = await Promise.all(model.params.map((p) => UpdateRunner.create(opt, p.shape.reduce((a, b) => a * b, 1))));
  let states: OptState[] = runners.map((r, i) => r.init(trainer.state.params[i]!));
  const session = await createSession(buildGradModel(model, batch), { threads: 1 });
  const f = data.featureShape[0]!;
  for (let step = 0; step < STEPS; step++) {
    const epoch = Math.floor(step / trainer.stepsPerEpoch);
    const first = (step % trainer.stepsPerEpoch) * batch;
    const ids = Rng.derive(3, 2, epoch).permutation(data.train.count).subarray(first, first + batch);
    const x = new Float32Array(batch * f);
    const y = new BigInt64Array(batch);
    ids.forEach((id, i) => {
      x.set(data.train.x.subarray(id * f, (id + 1) * f), i * f);
      y[i] = BigInt(data.train.y[id]!);
    });
    const feeds = { x: floatTensor(x, [batch, f]), y: int64Tensor(y, [batch]), ...Object.fromEntries(model.params.map((p, i) => [p.id, floatTensor(states[i]!.param, p.shape)])) };
    const out = await runFloat(session, feeds);
    const loss = out['loss']![0]!;
    const wd = opt.hyper.weightDecay;
    states = await Promise.all(
      runners.map((r, i) => {
        const grad = out[`grad_${model.params[i]!.id}`]!.map((gv, j) => Math.fround(gv + Math.fround(states[i]!.param[j]! * wd)));
        // A global (iRprop+'s last loss) is one value for all tensors: every runner sees the same.
        return r.step({ ...states[i]!, globals: states[0]!.globals }, { grad, t: step + 1, loss });
      }),
    );
  }
  while (trainer.state.step < STEPS) await trainer.runUpdates(Math.min(STEPS - trainer.state.step, trainer.stepsLeftInEpoch));
  await Promise.all([session.release(), ...runners.map((r) => r.release())]);
  await trainer.release();
  return { trainer, states };
}

/** Within 1e-4 relative, or 1e-7 absolute for a weight near 0 (the steps are ≥ 1e-3 here). */
function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, j) => {
    const e = expected[j]!;
    assert.ok(Math.abs(a - e) <= 1e-4 * Math.abs(e) + 1e-7, `${what}[${j}]: ${a}, expected ${e}`);
  });
}

const cases: { name: OptimizerName; lr: number; weightDecay?: number; batch?: number }[] = [
  { name: 'adam', lr: 0.05 },
  { name: 'rmsprop', lr: 0.02 },
  { name: 'adagrad', lr: 0.1 },
  { name: 'nesterov', lr: 0.1 },
  // Weight decay takes momentum off its fused path (the backward Gemm) and through `update`.
  { name: 'momentum', lr: 0.1, weightDecay: 0.01 },
  { name: 'adam', lr: 0.05, weightDecay: 0.01 },
  { name: 'rprop', lr: 0.01 },
  { name: 'irprop+', lr: 0.01, batch: 40 },
];

for (const c of cases) {
  test(`${c.name}${c.weightDecay ? ' with weight decay' : ''}: ${STEPS} training-graph updates equal the rule applied tensor by tensor`, async () => {
    const data = blobs(40);
    const { trainer, states } = await expectedState(data, c.name, { lr: c.lr, ...(c.weightDecay ? { weightDecay: c.weightDecay } : {}) }, c.batch ?? 8);
    assert.equal(trainer.state.step, STEPS);
    trainer.model.params.forEach((p, i) => {
      assertClose(trainer.state.params[i]!, states[i]!.param, `${p.id}`);
      trainer.optimizer.slots.forEach((s, j) => assertClose(trainer.state.slots[i]![j]!, states[i]!.slots[j]!, `${p.id} slot ${s}`));
    });
    trainer.state.globals.forEach((gv, j) => assert.equal(gv[0], states[0]!.globals[j]));
    // The updates moved every tensor, so equal results are not equal starting points.
    const initial = await Trainer.create(trainer.model, trainer.optimizer, data, trainer.config);
    trainer.model.params.forEach((p, i) => assert.ok(initial.state.params[i]!.some((v, j) => v !== trainer.state.params[i]![j]), `${p.id} moved`));
    await initial.release();
  });
}
