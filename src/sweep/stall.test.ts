import assert from 'node:assert/strict';
import test from 'node:test';
import type { RunConfig } from '../engine/run-config.js';
import { modelSpecSchema } from '../model/spec.js';
import { blobs } from '../testing/blobs.js';
import { chanceLevels, isStalled, STALL_RULE } from './stall.js';
import { runTrial } from './trial.js';

const chance = { accuracy: 0.1, loss: 2.3 };
const m = (valAccuracy: number, trainLoss: number) => ({ valAccuracy, trainLoss });

test('chance levels: the validation split’s majority-class rate and the entropy of the training labels', () => {
  const c = chanceLevels(blobs(240));
  // Blobs cycle through 3 classes: 20 of 60 validation examples per class, a uniform prior.
  assert.equal(c.accuracy, 20 / 60);
  assert.ok(Math.abs(c.loss - Math.log(3)) < 1e-12);
  const skewed = { ...blobs(4), train: { ...blobs(4).train, y: Int32Array.of(0, 0, 0, 1), count: 4 } };
  assert.ok(Math.abs(chanceLevels(skewed).loss - -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))) < 1e-12);
});

test('a dead run (chance accuracy, loss at the input-blind level after a blow-up) is stalled once past the grace share', () => {
  const dead = [m(0.11, 1e6), m(0.1, 40), m(0.11, 2.31), m(0.09, 2.35), m(0.112, 2.3)];
  assert.equal(isStalled(dead, chance, 0.1), true);
  // Before a tenth of the budget, or before five validations: no verdict.
  assert.equal(isStalled(dead, chance, 0.099), false);
  assert.equal(isStalled(dead.slice(0, 4), chance, 0.5), false);
  // One validation of the last three above chance + 2 points: it is learning.
  assert.equal(isStalled([...dead.slice(0, 4), m(0.13, 2.3)], chance, 0.5), false);
  // A run that learned, then died, is stalled by its last three validations.
  assert.equal(isStalled([m(0.5, 2), m(0.9, 0.4), m(0.11, 2.4), m(0.1, 2.3), m(0.11, 2.32)], chance, 0.2), true);
});

test('a slow run is never stalled while either signal moves: accuracy above chance, or loss below its start', () => {
  // Accuracy at chance but the loss falling below the input-blind loss: live.
  assert.equal(isStalled([m(0.1, 2.3), m(0.1, 2.29), m(0.1, 2.2), m(0.11, 2.1), m(0.1, 2.0)], chance, 0.3), false);
  // Loss above the input-blind loss (a large initial loss coming down) but accuracy above chance: live.
  assert.equal(isStalled([m(0.4, 5), m(0.43, 4), m(0.45, 3.5), m(0.48, 3.1), m(0.5, 2.9)], chance, 0.3), false);
  // Within 1% under the floor still counts as no lower; NaN gives no verdict.
  assert.equal(isStalled([m(0.1, 2.3), m(0.1, 2.3), m(0.1, 2.28), m(0.1, 2.28), m(0.1, 2.28)], chance, 0.3), true);
  assert.equal(isStalled([m(0.1, 2.3), m(0.1, 2.3), m(0.1, 2.3), m(0.1, NaN), m(0.1, 2.3)], chance, 0.3), false);
  assert.equal(isStalled([m(0.1, 2.3), m(0.1, 2.3), m(0.1, 2.3), m(0.1, 2.3), m(0.1, 2.3)], { accuracy: NaN, loss: 2.3 }, 1), false);
});

// Two hidden layers: a rate far too large kills every ReLU without a NaN (measured: accuracy stays
// at 1/3 with the loss around ln 3 from the second validation on).
const data = blobs(240);
const deep: RunConfig = {
  modelName: 'deep',
  model: modelSpecSchema.parse({ layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] }),
  dataset: 'blobs',
  validationFraction: 0,
  testFraction: 0,
  batchSize: 8,
  iterSize: 1,
  optimizer: 'momentum',
  hyper: { lr: 0.6 },
  schedule: { kind: 'constant' },
  warmupSteps: 0,
  epochs: 1,
  targetAccuracy: 0.99,
  seed: 1,
  threads: 1,
};
const limits = { maxEpochs: 20, maxSeconds: 600, evalsPerEpoch: 2, untilBudget: false, stallAfter: STALL_RULE.share };

test('a dead run at a huge rate stops as stalled after a tenth of its epochs, not at its budget', async () => {
  const o = (await runTrial(deep, data, limits))!;
  assert.equal(o.status, 'stalled');
  assert.equal(o.divergedAtStep, null);
  // 20 epochs of 30 steps: the verdict comes at 2 epochs (4 validations) or a little after, never near 600.
  assert.ok(o.steps >= 60 && o.steps <= 150, `stopped after ${o.steps} steps`);
  assert.ok(o.bestValAccuracy <= 1 / 3 + 0.02, `best ${o.bestValAccuracy}`);
  const off = (await runTrial(deep, data, { ...limits, stallAfter: 0 }))!;
  assert.deepEqual([off.status, off.steps], ['completed', 600]);
});

test('a live run at a small rate that starts slowly is not stopped, though its loss stays above the input-blind loss past the grace share', async () => {
  const o = (await runTrial({ ...deep, hyper: { lr: 1e-4 }, targetAccuracy: 0.8 }, data, limits))!;
  assert.equal(o.status, 'target-reached');
  const floor = chanceLevels(data).loss;
  // At 2 epochs (the grace share) its loss was still above ln 3: a loss-only rule would have stopped it.
  const atGrace = o.metrics.find((x) => x.epochs >= 2)!;
  assert.ok(atGrace.trainLoss > floor, `loss ${atGrace.trainLoss} at ${atGrace.epochs} epochs`);
  assert.ok(o.metrics[0]!.valAccuracy > 1 / 3 + 0.02);
});
