import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../errors.js';
import { NoiseSmoother } from '../noise/estimator.js';
import { batchLadder, goodput, NOISE_OVERHEAD, noisePlan, noiseRuleLr, samplesPerSecAt, splitBatch, statisticalEfficiency } from './goodput.js';
import { addRound, bNoiseOf, initialSchedule, type AdaptiveSettings } from './schedule.js';

const curve = [
  { microBatch: 32, samplesPerSec: 1000 },
  { microBatch: 128, samplesPerSec: 3000 },
  { microBatch: 512, samplesPerSec: 4000 },
];

test('the ladder doubles from the smallest batch up to the largest', () => {
  assert.deepEqual(batchLadder(32, 4096), [32, 64, 128, 256, 512, 1024, 2048, 4096]);
  assert.deepEqual(batchLadder(24, 100), [24, 48, 96]);
  assert.throws(() => batchLadder(64, 32), UserError);
});

test('throughput is interpolated in log B between measured points and held flat beyond them', () => {
  assert.equal(samplesPerSecAt(curve, 32), 1000);
  assert.equal(samplesPerSecAt(curve, 64), 2000, 'halfway in log between 32 and 128');
  assert.equal(samplesPerSecAt(curve, 256), 3500);
  assert.equal(samplesPerSecAt(curve, 8), 1000);
  assert.equal(samplesPerSecAt(curve, 4096), 4000);
});

test('an example at batch B is worth 1/(1 + B/B_noise), and goodput weighs speed by it', () => {
  assert.equal(statisticalEfficiency(100, 100), 0.5);
  assert.equal(statisticalEfficiency(300, 100), 0.25);
  assert.equal(statisticalEfficiency(100, NaN), 1, 'no estimate yet');
  assert.equal(statisticalEfficiency(100, Infinity), 1, 'gradient lost in the noise');
  // B_noise 128: 128 runs at 3000 × 1/2, 512 at 4000 × 1/5, 32 at 1000 × 0.8.
  assert.equal(goodput(128, 128, curve, 128), 1500);
  assert.equal(goodput(512, 512, curve, 128), 800);
  assert.equal(goodput(32, 32, curve, 128), 800);
});

test('the noise rule keeps ε₀ at B₀, scales linearly far below B_noise, and equals AdaScale’s gain ratio', () => {
  assert.equal(noiseRuleLr(0.01, 32, 32, 500), 0.01);
  assert.ok(Math.abs(noiseRuleLr(0.01, 32, 256, 1e9) - 0.08) < 1e-6);
  assert.ok(Math.abs(noiseRuleLr(0.01, 32, 256, Infinity) - 0.08) < 1e-12);
  assert.equal(noiseRuleLr(0.01, 32, 256, NaN), 0.01);
  // AdaScale: r = E|g_B0|²/E|g_B|² = (|G|² + tr Σ/B0)/(|G|² + tr Σ/B), with B_noise = tr Σ/|G|².
  const G = 0.3;
  const T = 150;
  const gain = (G + T / 32) / (G + T / 512);
  assert.ok(Math.abs(noiseRuleLr(0.01, 32, 512, T / G) - 0.01 * gain) < 1e-12);
});

test('a batch splits into the fewest micro-batches within the cap, and a cap below it cannot be met', () => {
  assert.deepEqual(splitBatch(256, 1000), { microBatch: 256, iterSize: 1 });
  assert.deepEqual(splitBatch(256, 100), { microBatch: 64, iterSize: 4 });
  assert.deepEqual(splitBatch(96, 40), { microBatch: 24, iterSize: 4 });
  assert.throws(() => splitBatch(24, 2), /raise --memory/);
});

test('noise rounds are planned to cost at most NOISE_OVERHEAD of training time', () => {
  for (const [batch, micro] of [[32, 32], [128, 128], [512, 128], [2048, 512]] as const) {
    const p = noisePlan(batch, micro, curve);
    assert.ok(p.k >= 2 && p.bSmall * p.k <= batch, `${batch}: ${JSON.stringify(p)}`);
    // A round: B examples at the small batch's speed; `every` updates: every·B at the micro-batch's.
    const overhead = batch / samplesPerSecAt(curve, p.bSmall) / ((p.every * batch) / samplesPerSecAt(curve, micro));
    assert.ok(overhead <= NOISE_OVERHEAD, `${batch}: overhead ${overhead}`);
  }
  assert.deepEqual(noisePlan(512, 128, curve).bSmall, 128, 'K = 4: micro-batch against the accumulated gradient');
});

test('the schedule’s smoothed B_noise is the noise estimator’s EMA (decay 0.8) of |G|² and tr Σ', () => {
  const settings: AdaptiveSettings = { ladder: [32, 64], microCap: 64, lr0: 0.01, curve, decideEveryExamples: 100 };
  let state = initialSchedule(settings).state;
  const smoother = new NoiseSmoother(0.8);
  const rounds = [
    { gradSq: 2, traceSigma: 100 },
    { gradSq: 1, traceSigma: 300 },
    { gradSq: -0.5, traceSigma: 250 },
    { gradSq: 0.7, traceSigma: 400 },
  ];
  rounds.forEach((r, i) => {
    state = addRound(state, r, i * 10, settings);
    smoother.add(r);
    assert.ok(Math.abs(bNoiseOf(state.noise) - smoother.summary().bSimple) < 1e-9 * smoother.summary().bSimple, `round ${i}`);
  });
  assert.equal(state.noise.rounds, 4);
  assert.equal(state.nextRoundStep, 30 + noisePlan(32, 32, curve).every);
});
