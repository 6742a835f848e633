import assert from 'node:assert/strict';
import test from 'node:test';
import { Trainer } from '../../engine/trainer.js';
import { resolveModel, type ResolvedModel } from '../../model/model.js';
import { modelSpecSchema } from '../../model/spec.js';
import { makeOptimizer } from '../../optim/registry.js';
import { completeSchedule } from '../../optim/schedule.js';
import { Rng } from '../../rng.js';
import { blobs } from '../../testing/blobs.js';
import { fitBatches, loadSnippet, variables } from '../../testing/tfjs-snippet.js';
import { exportPlan, type TrainingPlan } from './export-plan.js';

const data = blobs(64, 6, 3, 5);
const mlp = resolveModel(modelSpecSchema.parse({ layers: [{ type: 'dense', units: 5 }, { type: 'relu' }, { type: 'dense', units: 3 }] }), data.featureShape, data.numClasses);
const linear = resolveModel(modelSpecSchema.parse({ layers: [{ type: 'dense', units: 3 }] }), data.featureShape, data.numClasses);
const SEED = 3;

/** micro-batch 4 × iter-size 2: 8 updates of 8 examples in the one epoch of 64. */
const plan = (p: Pick<TrainingPlan, 'optimizer' | 'hyper'> & Partial<TrainingPlan>): TrainingPlan => ({
  modelName: 'mlp',
  schedule: { kind: 'cosine', minLr: 0 },
  warmupSteps: 3,
  microBatch: 4,
  iterSize: 2,
  worldSize: 1,
  epochs: 1,
  trainExamples: 64,
  ...p,
});

/**
 * The same plan trained by batchwise and by the exported tfjs snippet on tfjs-core's CPU backend,
 * from the same initial weights over the same batches: the largest weight difference, relative to
 * how far batchwise moved the weights.
 */
async function compare(p: TrainingPlan, exported: TrainingPlan = p, model: ResolvedModel = mlp): Promise<{ gap: number; moved: number; smallestFirstSlot: number }> {
  const totalUpdates = Math.floor(p.trainExamples / (p.microBatch * p.iterSize));
  const t = await Trainer.create(model, makeOptimizer(p.optimizer, p.hyper), data, {
    microBatch: p.microBatch,
    iterSize: p.iterSize,
    seed: SEED,
    threads: 1,
    schedule: completeSchedule(p.schedule, { totalUpdates, warmupSteps: p.warmupSteps }),
  });
  const initial = t.state.params.map((x) => x.slice());
  await t.runUpdates(1);
  const smallestFirstSlot = Math.min(...t.state.slots.flatMap((ps) => (ps.length > 0 ? [...ps[0]!] : [Infinity])));
  await t.runUpdates(totalUpdates - 1);
  const ours = t.state.params;

  const snippet = await loadSnippet(exportPlan('tfjs', exported).text);
  const perm = Rng.derive(SEED, 2, 0).permutation(data.train.count);
  const batches = Array.from({ length: totalUpdates }, (_, u) => perm.subarray(u * snippet.batchSize, (u + 1) * snippet.batchSize));
  const vars = variables(initial, model.params.map((q) => q.shape));
  const theirs = await fitBatches(snippet, vars, data.train.x, data.train.y, data.featureShape[0]!, data.numClasses, batches);
  vars.forEach((v) => v.dispose());

  let gap = 0;
  let moved = 0;
  ours.forEach((w, i) =>
    w.forEach((v, j) => {
      gap = Math.max(gap, Math.abs(v - theirs[i]![j]!));
      moved = Math.max(moved, Math.abs(v - initial[i]![j]!));
    }),
  );
  return { gap: gap / moved, moved, smallestFirstSlot };
}

test('tfjs: the exported snippet trains to batchwise weights, per optimizer, schedule and weight decay', async () => {
  const cases: TrainingPlan[] = [
    plan({ optimizer: 'sgd', hyper: { lr: 0.2 } }),
    plan({ optimizer: 'momentum', hyper: { lr: 0.1, weightDecay: 0.01 } }),
    plan({ optimizer: 'nesterov', hyper: { lr: 0.1, momentum: 0.8 }, schedule: { kind: 'step', everySteps: 3, gamma: 0.5 }, warmupSteps: 0 }),
    plan({ optimizer: 'adam', hyper: { lr: 0.01 } }),
    plan({ optimizer: 'rmsprop', hyper: { lr: 0.01, weightDecay: 0.001 } }),
  ];
  for (const p of cases) {
    const { gap, moved } = await compare(p);
    assert.ok(moved > 0.01, `${p.optimizer}: the weights moved ${moved}`);
    assert.ok(gap <= 1e-4, `${p.optimizer}: largest weight gap ${gap} of the movement`);
  }
});

test("tfjs: AdaGrad trains to batchwise weights when the accumulator s ≫ tfjs's fixed 1e-7 from the first update, as its note says", async () => {
  const p = plan({ optimizer: 'adagrad', hyper: { lr: 0.05 } });
  // Softmax regression: every weight gets a gradient well above √1e-7 at once.
  const exact = await compare(p, p, linear);
  assert.ok(exact.smallestFirstSlot >= 1e-5, `smallest s after the first update ${exact.smallestFirstSlot}`);
  assert.ok(exact.moved > 0.01 && exact.gap <= 1e-4, `largest weight gap ${exact.gap} of the movement ${exact.moved}`);
  // The hidden layer's near-dead units start with s ≪ 1e-7, where tfjs steps less.
  const mixed = await compare(p);
  assert.ok(mixed.smallestFirstSlot < 1e-7 && mixed.gap > 1e-3, JSON.stringify(mixed));
});

test('tfjs: the comparison sees a snippet with another rate or schedule', async () => {
  const p = plan({ optimizer: 'momentum', hyper: { lr: 0.1 } });
  assert.ok((await compare(p, { ...p, hyper: { lr: 0.105 } })).gap > 1e-3);
  assert.ok((await compare(p, { ...p, schedule: { kind: 'constant' }, warmupSteps: 0 })).gap > 1e-2);
});
