import assert from 'node:assert/strict';
import test from 'node:test';
import type { RunConfig } from '../engine/run-config.js';
import { modelSpecSchema } from '../model/spec.js';
import { blobs } from '../testing/blobs.js';
import { chanceAccuracy, isStalled, STALL_RULE } from './stall.js';
import { runTrial } from './trial.js';
import { blobsRunConfig, DEEP_BLOBS_MODEL } from '../testing/run-config-fixtures.js';

const chance = 0.1;
const m = (valAccuracy: number, valLoss: number, step = 1000) => ({ step, valAccuracy, valLoss });

test('chance accuracy is the validation split’s majority-class rate', () => {
  // Blobs cycle through 3 classes: 20 of 60 validation examples per class.
  assert.equal(chanceAccuracy(blobs(240)), 20 / 60);
  const b = blobs(4);
  assert.equal(chanceAccuracy({ ...b, validation: { ...b.validation, y: Int32Array.of(0, 2, 2, 2), count: 4 } }), 0.75);
  assert.ok(Number.isNaN(chanceAccuracy({ ...b, validation: { ...b.validation, y: new Int32Array(0), count: 0 } })));
});

test('a dead run (chance accuracy, its loss settled after a blow-up) is stalled once past the grace share', () => {
  const dead = [m(0.11, 1e6), m(0.1, 40), m(0.11, 2.31), m(0.09, 2.35), m(0.112, 2.3), m(0.1, 2.32)];
  assert.equal(isStalled(dead, chance, 0.1), true);
  // Before a tenth of the budget: no verdict; one validation earlier, the loss was still falling.
  assert.equal(isStalled(dead, chance, 0.099), false);
  assert.equal(isStalled(dead.slice(0, 5), chance, 0.5), false);
  // One validation of the last three above chance + 2 points: it is learning.
  assert.equal(isStalled([...dead.slice(0, 5), m(0.13, 2.3)], chance, 0.5), false);
  // A run that learned, then died, is stalled by its last three validations.
  assert.equal(isStalled([m(0.5, 2), m(0.9, 0.4), m(0.11, 2.4), m(0.1, 2.3), m(0.11, 2.32)], chance, 0.2), true);
});

test('no verdict before 50 updates, however many validations: a large batch validates every few updates', () => {
  // B = 1,024 on MNIST validates every 2.7 updates at 1/20 epoch: six validations at chance with a
  // flat loss are 16 updates, too few to tell a slow start from a dead net.
  const flat = (steps: number[]) => steps.map((s) => m(0.11, 2.302, s));
  assert.equal(isStalled(flat([3, 5, 8, 11, 13, 16]), chance, 0.3), false);
  assert.equal(isStalled(flat([3, 5, 8, 11, 13, 49]), chance, 0.3), false);
  assert.equal(isStalled(flat([10, 20, 30, 40, 45, 50]), chance, 0.3), true);
});

test('a slow run is never stalled while either signal moves: accuracy above chance, or a loss still falling', () => {
  // Accuracy below chance, the loss falling a little at every validation (measured, see the real run below): live.
  const slow = [2.719, 2.561, 2.386, 2.259, 2.218, 2.058, 1.893, 1.741].map((l) => m(0.08, l));
  for (let n = 5; n <= slow.length; n++) assert.equal(isStalled(slow.slice(0, n), chance, 0.5), false);
  // A flat loss but accuracy above chance: live.
  assert.equal(isStalled([m(0.4, 2.3), m(0.43, 2.3), m(0.45, 2.3), m(0.48, 2.3), m(0.5, 2.3)], chance, 0.3), false);
  // Within 1% under the lowest earlier loss still counts as no lower.
  assert.equal(isStalled([m(0.1, 2.3), m(0.1, 2.3), m(0.1, 2.28), m(0.1, 2.28), m(0.1, 2.28)], chance, 0.3), true);
  assert.equal(isStalled([m(0.1, 2.3), m(0.1, 2.3), m(0.1, 2.27), m(0.1, 2.3), m(0.1, 2.3)], chance, 0.3), false);
  // NaN gives no verdict, nor does a data set without a validation split.
  assert.equal(isStalled([m(0.1, 2.3), m(0.1, 2.3), m(0.1, 2.3), m(0.1, NaN), m(0.1, 2.3)], chance, 0.3), false);
  assert.equal(isStalled([m(0.1, 2.3), m(0.1, 2.3), m(0.1, 2.3), m(0.1, 2.3), m(0.1, 2.3)], NaN, 1), false);
});

// Two hidden layers: a rate far too large kills every ReLU without a NaN (measured: accuracy stays
// at 1/3 with the loss around ln 3 from the second validation on).
const data = blobs(240);
const deep: RunConfig = blobsRunConfig({ modelName: 'deep', model: DEEP_BLOBS_MODEL, batchSize: 8, hyper: { lr: 0.6 }, targetAccuracy: 0.99 });
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

test('a live run at a small rate that starts slowly is not stopped, though it predicts worse than chance past the grace share', async () => {
  // One hidden layer at batch 8, rate 2e-4: measured 0.23 accuracy (below the 1/3 of chance) for
  // its first eight validations while its validation loss fell from 2.7 to 1.7.
  const shallow = { ...deep, model: modelSpecSchema.parse({ layers: [{ type: 'dense', units: 12 }, { type: 'relu' }, { type: 'dense', units: 3 }] }), hyper: { lr: 2e-4 }, seed: 3, targetAccuracy: 0.9 };
  const o = (await runTrial(shallow, data, { ...limits, maxEpochs: 8, evalsPerEpoch: 4 }))!;
  assert.notEqual(o.status, 'stalled');
  // Its first validations past the grace share (0.8 epochs) were all at chance: an accuracy-only rule would have stopped it.
  const early = o.metrics.slice(0, 8);
  assert.ok(early.every((x) => x.valAccuracy <= 1 / 3 + 0.02), early.map((x) => x.valAccuracy).join(', '));
  assert.ok(o.bestValAccuracy > 0.5, `best ${o.bestValAccuracy}`);
});
