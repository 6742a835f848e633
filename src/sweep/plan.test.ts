import assert from 'node:assert/strict';
import test from 'node:test';
import { throwsUser } from '../testing/data-fixtures.js';
import { middleOut, planTrials, powersOfTwoUpTo, ruleLr, trialKey } from './plan.js';

test('middleOut runs the middle of the grid first, then alternately outwards', () => {
  assert.deepEqual(middleOut(['a', 'b', 'c', 'd', 'e']), ['c', 'b', 'd', 'a', 'e']);
  assert.deepEqual(middleOut([1, 2, 3, 4]), [2, 1, 3, 4]);
  assert.deepEqual(middleOut([7]), [7]);
});

test('rules carry a rate from the reference batch: linear, sqrt, none', () => {
  assert.equal(ruleLr(0.02, 128, 'linear', 32), 0.08);
  assert.equal(ruleLr(0.02, 128, 'sqrt', 32), 0.04);
  assert.equal(ruleLr(0.02, 8, 'sqrt', 32), 0.01);
  assert.equal(ruleLr(0.02, 4096, 'none', 32), 0.02);
});

test('planTrials: one trial per batch, grid value and seed, with rule-scaled rates and stable keys', () => {
  const trials = planTrials({ batchSizes: [32, 128, 'full'], lrGrid: [0.01, 0.02, 0.04], lrRule: 'sqrt', lrRefBatch: 32, seeds: 2, baseSeed: 5, trainExamples: 512 });
  assert.equal(trials.length, 3 * 3 * 2);
  assert.deepEqual(
    trials.slice(0, 6).map((t) => [t.batchSize, t.lr, t.seed]),
    [[32, 0.02, 5], [32, 0.02, 6], [32, 0.01, 5], [32, 0.01, 6], [32, 0.04, 5], [32, 0.04, 6]],
  );
  const full = trials.filter((t) => t.batchLabel === 'full');
  assert.deepEqual(full.map((t) => t.batchSize), [512, 512, 512, 512, 512, 512]);
  assert.equal(full[0]!.lr, 0.08); // 0.02·√(512/32)
  assert.equal(trials[6]!.key, trialKey(128, 0.04, 5));
  assert.equal(new Set(trials.map((t) => t.key)).size, trials.length);
});

test('planTrials merges a size given twice (512 and full on 512 examples) and refuses sizes above the data', () => {
  assert.equal(planTrials({ batchSizes: [512, 'full'], lrGrid: [0.1], lrRule: 'none', lrRefBatch: 32, seeds: 1, baseSeed: 1, trainExamples: 512 }).length, 1);
  throwsUser(() => planTrials({ batchSizes: [1024], lrGrid: [0.1], lrRule: 'none', lrRefBatch: 32, seeds: 1, baseSeed: 1, trainExamples: 512 }), /1024 is larger than the 512 training examples/);
});

test('powersOfTwoUpTo lists 1, 2, 4, … below n, then full', () => {
  assert.deepEqual(powersOfTwoUpTo(20), [1, 2, 4, 8, 16, 'full']);
  assert.deepEqual(powersOfTwoUpTo(16), [1, 2, 4, 8, 'full']);
});
