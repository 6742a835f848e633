import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adviceCost, defaultCandidate } from './advice-cost.js';
import type { Candidate } from './predict.js';

const cand = (effectiveBatch: number, seconds: number, worldSize = 1): Candidate => ({
  effectiveBatch, microBatch: effectiveBatch / worldSize, iterSize: 1, worldSize, samplesPerSec: 1000, efficiency: 1, examples: 1000 * seconds, steps: 1, epochs: 1, seconds, validations: 1, wallSeconds: seconds, lr: 0.01, allReduceSeconds: 0, commSeconds: 0, warmupSteps: 0,
});

test('the saving is the default batch 32 less the advice, per training run; it pays off when that covers the cost', () => {
  const cands = [cand(16, 12), cand(32, 10), cand(64, 6), cand(128, 7)];
  const cheap = adviceCost(cands[2]!, cands, 3.5);
  assert.equal(cheap.default.effectiveBatch, 32);
  assert.deepEqual([cheap.predictedSeconds, cheap.savingSeconds, cheap.spentSeconds, cheap.paysOff, cheap.breakEvenRuns], [6, 4, 3.5, true, 1]);
  // 45 s spent to save 4 s a run: it takes ⌈45 / 4⌉ = 12 runs to recover.
  const dear = adviceCost(cands[2]!, cands, 45);
  assert.deepEqual([dear.savingSeconds, dear.paysOff, dear.breakEvenRuns], [4, false, 12]);
});

test('advice that chooses the default saves nothing and never pays off', () => {
  const cands = [cand(16, 12), cand(32, 10), cand(64, 11)];
  const c = adviceCost(cands[1]!, cands, 0.5);
  assert.deepEqual([c.savingSeconds, c.paysOff, c.breakEvenRuns], [0, false, null]);
});

test('without 32 among the candidates the default is the nearest batch on a log scale', () => {
  // World size 3: 3, 6, 12, 24, 48, 96; |ln(24/32)| = 0.29 < |ln(48/32)| = 0.41.
  const cands = [3, 6, 12, 24, 48, 96].map((b) => cand(b, 100 / b, 3));
  assert.equal(defaultCandidate(cands).effectiveBatch, 24);
  // |ln(40/32)| = 0.223 beats |ln(25/32)| = 0.247, and |ln(26/32)| = 0.208 beats 40.
  assert.equal(defaultCandidate([cand(25, 1), cand(40, 1)]).effectiveBatch, 40);
  assert.equal(defaultCandidate([cand(40, 1), cand(26, 1)]).effectiveBatch, 26);
});
