import assert from 'node:assert/strict';
import test from 'node:test';
import type { NoiseMeasurement } from '../../noise/measure.js';
import { segmentsOf, type PilotResult } from '../pilot.js';
import type { Provenance } from '../machine-memo.js';
import { boundedRate, boundedRateGrid, boundSteps, completeBoundedPilot, extrapolatePilot, fewestExamples, noRateTold, pilotServes, type BoundedRate } from './bounded-pilot.js';

const NOW: Provenance = { reused: false, measuredAt: '2026-11-29T00:00:00.000Z', ageSeconds: 0, runId: null };

test('the bound is whole validation intervals, at least three of them', () => {
  // MNIST at batch 32: 1,718 updates an epoch, a validation every 86: half an epoch is 10 of them.
  assert.equal(boundSteps(55000, 32, 20, 0.5), 860);
  assert.equal(boundSteps(495, 8, 4, 0.5), 45);
  assert.equal(boundSteps(495, 8, 4, 0.01), 45);
});

const m = (step: number, bSimple: number): NoiseMeasurement =>
  ({ step, epochs: 0, trainLoss: 1, bSmall: 32, bBig: 512, gradSq: 1, traceSigma: bSimple, bSimple, bSimpleLow: bSimple / 2, bSimpleHigh: bSimple * 2, rounds: 8, seconds: 0 }) as NoiseMeasurement;

function pilot(over: Partial<PilotResult>): PilotResult {
  // Batch 10, 100 updates: noise scale 10·E^0.5 at E = 0 (50, unused by the fit), 250, 500, 1000 examples.
  const measurements = [m(0, 50), m(25, 10 * Math.sqrt(250)), m(50, 10 * Math.sqrt(500)), m(100, 10 * Math.sqrt(1000))];
  return {
    batchSize: 10, lr: 0.1, reached: false, steps: 100, examples: 1000, epochs: 0.5, trainSeconds: 1, finalValAccuracy: 0.9,
    measurements, segments: segmentsOf(measurements, 10, 100), diverged: false, interrupted: false,
    // err = E^(-0.5): 10% at 100 examples, 3.16% at 1,000.
    evaluations: [100, 250, 500, 1000].map((examples) => ({ examples, valAccuracy: 1 - Math.pow(examples, -0.5) })),
    setupSeconds: 0, warmupSeconds: 0, validationSeconds: 0, extrapolation: null, ...over,
  };
}

test('a bounded pilot is completed to the target by its error and noise-scale power laws, and says so', () => {
  const r = extrapolatePilot(pilot({}), 0.98);
  assert.ok(r.ok);
  const x = r.pilot.extrapolation!;
  // 1 − 0.98 = 0.02 = E^(-0.5) at E = 2,500.
  assert.ok(Math.abs(x.examplesToTarget - 2500) < 1e-6);
  assert.ok(Math.abs(x.errExponent + 0.5) < 1e-12 && Math.abs(x.noiseExponent! - 0.5) < 1e-12);
  assert.deepEqual([x.seenExamples, x.seenEpochs, x.seenValAccuracy, x.errPoints], [1000, 0.5, 0.9, 3]);
  // (4 validations: the first third, one, is left out.)
  const total = r.pilot.segments.reduce((s, g) => s + g.examples, 0);
  assert.ok(Math.abs(total - 2500) < 1e-6, `segments cover ${total} examples`);
  // The last extrapolated piece ends at 2,500 examples: its noise scale is the law's at its middle.
  const last = r.pilot.segments[r.pilot.segments.length - 1]!;
  const a = 1000 * Math.pow(2.5, 3 / 4);
  assert.ok(Math.abs(last.bNoise - 10 * Math.pow(a * 2500, 0.25)) < 1e-6);
});

test('a bounded pilot whose error does not fall is refused, naming why', () => {
  const r = extrapolatePilot(pilot({ evaluations: [100, 250, 500, 1000].map((examples) => ({ examples, valAccuracy: 0.5 })) }), 0.98);
  assert.ok(!r.ok);
  assert.match(r.problem, /^the bounded pilot reached 90\.00% validation accuracy after 0\.50 epochs and its validation error is not falling$/);
});

test('the bounded rate grid halves the range test\'s rate, to three figures', () => {
  assert.deepEqual(boundedRateGrid(0.0189, 3), [0.0189, 0.00945, 0.00473]);
  assert.deepEqual(boundedRateGrid(0.0217, 1), [0.0217]);
});

test('each rate of the grid: examples to the target extrapolated, seen when reached, or the problem and none', () => {
  const extrapolated = boundedRate(extrapolatePilot(pilot({}), 0.98), NOW);
  assert.equal(extrapolated.problem, null);
  assert.ok(Math.abs(extrapolated.examplesToTarget! - 2500) < 1e-6);
  assert.deepEqual([extrapolated.lr, extrapolated.reached, extrapolated.seenExamples, extrapolated.seenEpochs, extrapolated.seenValAccuracy], [0.1, false, 1000, 0.5, 0.9]);
  assert.ok(Math.abs(extrapolated.errExponent! + 0.5) < 1e-12);
  const reached = boundedRate({ ok: true, pilot: pilot({ reached: true, examples: 800, steps: 80, epochs: 0.4 }) }, NOW);
  assert.deepEqual([reached.examplesToTarget, reached.reached, reached.seenExamples, reached.seenEpochs, reached.errExponent], [800, true, 800, 0.4, null]);
  const flat = boundedRate(extrapolatePilot(pilot({ evaluations: [100, 250, 500, 1000].map((examples) => ({ examples, valAccuracy: 0.5 })) }), 0.98), NOW);
  assert.equal(flat.examplesToTarget, null);
  assert.match(flat.problem!, /its validation error is not falling$/);
  const diverged = boundedRate({ ok: true, pilot: pilot({ diverged: true }) }, NOW);
  assert.deepEqual([diverged.examplesToTarget, diverged.problem], [null, 'the bounded pilot diverged']);
  const silent = boundedRate({ ok: true, pilot: pilot({ segments: [] }) }, NOW);
  assert.deepEqual([silent.examplesToTarget, silent.problem], [null, 'the bounded pilot measured no usable noise scale']);
  // No rate could tell: one line with each rate's problem and the fix, a smaller --lr when every one diverged.
  assert.equal(noRateTold([{ ...diverged, lr: 0.2 }, diverged]), 'at lr 0.2 the bounded pilot diverged; at lr 0.1 the bounded pilot diverged; give a smaller --lr');
  assert.equal(noRateTold([diverged, flat]), `at lr 0.1 the bounded pilot diverged; at lr 0.1 ${flat.problem}; raise --bound-epochs, or train the pilot to the target with --pilot-runs to-target`);
});

test('the pilot is the rate with the fewest examples to the target, the larger on a tie; none when no rate could tell', () => {
  const rate = (lr: number, examplesToTarget: number | null): BoundedRate => ({ lr, examplesToTarget, reached: false, problem: examplesToTarget === null ? 'x' : null, seenExamples: 1, seenEpochs: 1, seenValAccuracy: 0.9, trainSeconds: 1, errExponent: -0.5, evaluations: [], provenance: NOW });
  assert.equal(fewestExamples([rate(0.02, 146156), rate(0.01, 65062), rate(0.005, 76154)]), 1);
  assert.equal(fewestExamples([rate(0.02, 1000), rate(0.01, 1000)]), 0);
  assert.equal(fewestExamples([rate(0.02, null), rate(0.01, 5000), rate(0.005, null)]), 1);
  assert.equal(fewestExamples([rate(0.02, null), rate(0.01, null)]), null);
  assert.equal(fewestExamples([]), null);
});

test('a kept bounded pilot serves a target when it would train the same run for it: none of its validations reached, or its last and only its last', () => {
  // Validation accuracy 90%, 93.7%, 95.5%, 96.8% (err = E^-0.5 at 100, 250, 500, 1,000 examples).
  const bounded = pilot({});
  assert.deepEqual([0.97, 0.99, 0.968].map((t) => pilotServes(bounded, t)), [true, true, false], 'stopped at its bound: every target above its best');
  const reached = pilot({ reached: true });
  assert.deepEqual([0.968, 0.96, 0.955, 0.97].map((t) => pilotServes(reached, t)), [true, true, false, false], 'stopped at 96.8%: targets above 95.5% and up to 96.8%');
  assert.equal(pilotServes(pilot({ diverged: true, evaluations: [] }), 0.9), true, 'a run that diverged before any validation diverges again');
  // Completed for a target: extrapolated when it stopped at its bound, as it is when it reached it.
  const done = completeBoundedPilot(bounded, 0.98);
  assert.ok(done.ok && Math.abs(done.pilot.extrapolation!.examplesToTarget - 2500) < 1e-6);
  assert.deepEqual(completeBoundedPilot(reached, 0.968), { ok: true, pilot: reached });
});

test('a pilot whose noise is not measured yet is ranked by its validations alone: examples to the target, no problem, no noise extended', () => {
  const unmeasured = pilot({ measurements: [], segments: [] });
  const done = completeBoundedPilot(unmeasured, 0.98);
  assert.ok(done.ok);
  assert.ok(Math.abs(done.pilot.extrapolation!.examplesToTarget - 2500) < 1e-6);
  assert.deepEqual([done.pilot.segments, done.pilot.extrapolation!.noiseExponent], [[], null]);
  const rate = boundedRate(done, NOW);
  assert.equal(rate.problem, null);
  assert.ok(Math.abs(rate.examplesToTarget! - 2500) < 1e-6);
  // Measured, the same run ranks the same.
  assert.equal(boundedRate(completeBoundedPilot(pilot({}), 0.98), NOW).examplesToTarget, rate.examplesToTarget);
});
