import assert from 'node:assert/strict';
import test from 'node:test';
import type { NoiseMeasurement } from '../noise/measure.js';
import type { TrialOutcome } from '../sweep/trial.js';
import { segmentsOf } from './pilot.js';
import { bestLrTrial } from './pilot-lr.js';
import { candidateBatches, throughputBatches } from './recommend.js';

test('throughput is measured at 1, 4, 16, … and at the largest micro-batch; candidates are 2^k and the whole split', () => {
  assert.deepEqual(throughputBatches(100), [1, 4, 16, 64, 100]);
  assert.deepEqual(throughputBatches(64), [1, 4, 16, 64]);
  assert.deepEqual(throughputBatches(1), [1]);
  assert.deepEqual(candidateBatches(100, 1), [1, 2, 4, 8, 16, 32, 64, 100]);
  // Each of 4 workers gets a whole share: 4, 8, … and 100 = 4 × 25.
  assert.deepEqual(candidateBatches(100, 4), [4, 8, 16, 32, 64, 100]);
  assert.deepEqual(candidateBatches(99, 2), [2, 4, 8, 16, 32, 64]);
});

const m = (step: number, bSimple: number, bSimpleLow = 0): NoiseMeasurement =>
  ({ step, epochs: 0, trainLoss: 1, bSmall: 32, bBig: 512, gradSq: 1, traceSigma: bSimple, bSimple, bSimpleLow, bSimpleHigh: Infinity, rounds: 8, seconds: 0 }) as NoiseMeasurement;

test('pilot segments run between measurements, each with the mean of its ends’ noise scales; B_simple = ∞ counts as its lower bound', () => {
  // The signal lost in the noise at step 300: the noise scale is at least 600 there, not absent.
  assert.deepEqual(segmentsOf([m(0, 50), m(100, 150), m(300, Infinity, 600), m(400, 350)], 32, 400), [
    { examples: 3200, bNoise: 100 },
    { examples: 6400, bNoise: 375 },
    { examples: 3200, bNoise: 475 },
  ]);
  // An interval [0, ∞] (nothing resolved) and a non-positive estimate say nothing: skipped.
  assert.deepEqual(segmentsOf([m(0, 50), m(100, Infinity, 0), m(200, -3), m(300, 150)], 8, 300), [{ examples: 2400, bNoise: 100 }]);
  // A target reached after the last measurement: that last stretch keeps the last value.
  assert.deepEqual(segmentsOf([m(0, 50), m(100, 150)], 8, 130), [{ examples: 800, bNoise: 100 }, { examples: 240, bNoise: 150 }]);
});

const outcome = (stepsToTarget: number | null, bestValAccuracy: number, status: TrialOutcome['status'] = stepsToTarget === null ? 'budget' : 'target-reached') =>
  ({ status, stepsToTarget, bestValAccuracy, secondsToTarget: stepsToTarget }) as TrialOutcome;

test('the pilot rate: fewest steps to target; else the best accuracy; a rate that diverged or stalled never', () => {
  assert.equal(bestLrTrial([{ lr: 0.02, outcome: outcome(3000, 0.98) }, { lr: 0.01, outcome: outcome(2600, 0.975) }, { lr: 0.04, outcome: outcome(null, 0.99, 'pruned') }])!.lr, 0.01);
  assert.equal(bestLrTrial([{ lr: 0.02, outcome: outcome(null, 0.95) }, { lr: 0.01, outcome: outcome(null, 0.96) }])!.lr, 0.01);
  assert.equal(bestLrTrial([{ lr: 0.5, outcome: outcome(null, 0.1, 'diverged') }]), null);
  assert.equal(bestLrTrial([{ lr: 0.5, outcome: outcome(null, 0.12, 'stalled') }, { lr: 0.25, outcome: outcome(null, 0.11, 'budget') }])!.lr, 0.25);
});
