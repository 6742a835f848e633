import assert from 'node:assert/strict';
import test from 'node:test';
import type { RunConfig } from '../engine/run-config.js';
import { blobs } from '../testing/blobs.js';
import { dataFingerprint } from '../data/fingerprint.js';
import { sweepIdentity } from './identity.js';
import type { SweepSpec } from './sweep.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';

const base: RunConfig = blobsRunConfig({ dataset: 'blobs.csv', validationFraction: 0.1, testFraction: 0.1, epochs: 30, targetAccuracy: 0.9 });
const spec: SweepSpec = {
  base,
  plan: { batchSizes: [8, 32], lrGrid: [0.02, 0.1], lrRule: 'sqrt', lrRefBatch: 32, seeds: 2, baseSeed: 1 },
  limits: { maxEpochs: 30, maxSeconds: 60, evalsPerEpoch: 4, untilBudget: false },
  pruneFactor: 2,
  stallAfter: 0.1,
  extendGrid: true,
};
const data = blobs(240);

test('a sweep’s identity changes with the split seed, the data and the training terms, not with the plan’s extent', () => {
  const id = sweepIdentity(spec, data);
  assert.equal(sweepIdentity({ ...spec }, blobs(240)), id, 'the same sweep on the same examples');
  // The base seed splits the data: a trial with seed 2 under --seed 1 is not one under --seed 2.
  assert.notEqual(sweepIdentity({ ...spec, base: { ...base, seed: 2 }, plan: { ...spec.plan, baseSeed: 2 } }, data), id);
  assert.notEqual(sweepIdentity(spec, blobs(240, 6, 3, 2)), id, 'other examples');
  assert.notEqual(sweepIdentity({ ...spec, base: { ...base, hyper: { lr: 0.05, weightDecay: 1e-4 } } }, data), id);
  assert.notEqual(sweepIdentity({ ...spec, limits: { ...spec.limits, maxEpochs: 31 } }, data), id);
  // Where a trial stops: a trial stalled at a tenth of its budget is not one that ran it all.
  assert.notEqual(sweepIdentity({ ...spec, pruneFactor: 0 }, data), id);
  assert.notEqual(sweepIdentity({ ...spec, stallAfter: 0 }, data), id);
  // Extending the grid adds trials and changes none.
  assert.equal(sweepIdentity({ ...spec, extendGrid: false }, data), id);
  // A larger plan resumes a smaller one: batch sizes, grid and seed count are not in it, nor a trial's rate.
  assert.equal(sweepIdentity({ ...spec, plan: { ...spec.plan, batchSizes: [8, 32, 128], lrGrid: [0.05], seeds: 3 } }, data), id);
  assert.equal(sweepIdentity({ ...spec, base: { ...base, modelName: 'renamed.json', hyper: { lr: 0.5 } } }, data), id);
});

test('the data fingerprint sees one changed label or feature', () => {
  const a = blobs(60);
  const fp = dataFingerprint(a);
  const y = Int32Array.from(a.validation.y);
  y[5] = (y[5]! + 1) % 3;
  assert.notEqual(dataFingerprint({ ...a, validation: { ...a.validation, y } }), fp);
  const x = Float32Array.from(a.train.x);
  x[100] = x[100]! + 1e-6;
  assert.notEqual(dataFingerprint({ ...a, train: { ...a.train, x } }), fp);
});
