import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../errors.js';
import { autoSplit, batchLadder, goodput, NOISE_BIG_MIN, NOISE_OVERHEAD, noisePlan, noiseRuleLr, samplesPerSecAt, splitBatch, splitOrNull, splitSamplesPerSec, startRung, statisticalEfficiency } from './goodput.js';
import { addRound, bNoiseOf, initialSchedule, NOISE_DECAY, type AdaptiveSettings } from './schedule.js';

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

test('the starting batch must be a rung of the ladder', () => {
  assert.equal(startRung([8, 16, 32, 64], 32), 2);
  assert.equal(startRung([8, 16, 32, 64], 8), 0);
  assert.throws(() => startRung([8, 16, 32, 64], 24), (e) => e instanceof UserError && e.message === '--auto-start 24 is not a batch the run may take (--auto-min doubled up to --auto-max: 8, 16, 32, 64); use one of them');
  assert.throws(() => startRung(batchLadder(8, 4096), 12), /\(--auto-min doubled up to --auto-max: 8, 16, 32, 64, …, 4096\)/);
  assert.throws(() => startRung([8, 16, 32, 64], 4), { message: '--auto-start 4 is below --auto-min 8; lower --auto-min to 4 or raise --auto-start' });
  assert.throws(() => startRung([8, 16, 32, 64], 128), { message: '--auto-start 128 is above the largest batch 64 (--auto-max); raise --auto-max or lower --auto-start' });
  assert.throws(() => batchLadder(64, 32), { message: '--auto-max 32 is below --auto-min 64; raise --auto-max or lower --auto-min' });
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
  assert.equal(goodput(128, { microBatch: 128 }, curve, 128), 1500);
  assert.equal(goodput(512, { microBatch: 512 }, curve, 128), 800);
  assert.equal(goodput(32, { microBatch: 32 }, curve, 128), 800);
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

test('with --bn-batch every micro-batch holds whole groups: a split or an in-step half that would cut one is not taken', () => {
  assert.deepEqual(splitBatch(256, 100, 32), { microBatch: 64, iterSize: 4 });
  assert.equal(splitOrNull(256, 100, 128), null);
  assert.throws(() => splitBatch(256, 100, 128), /whole batch-norm groups of --bn-batch 128; raise --memory or lower --bn-batch/);
  assert.throws(() => splitBatch(32, 4096, 48), /batch 32 is not a multiple of --bn-batch 48/);
  // Flat from 16 up, the statistics nearly free: 32 would run as 16 × 2 and measure in-step, unless that cuts a group of 32.
  const flat = [
    { microBatch: 16, samplesPerSec: 1000, inStepSamplesPerSec: 999 },
    { microBatch: 4096, samplesPerSec: 1000, inStepSamplesPerSec: 999 },
  ];
  assert.deepEqual(autoSplit(32, 4096, flat, 8), { microBatch: 16, iterSize: 2, inStep: true });
  assert.deepEqual(autoSplit(32, 4096, flat, 32), { microBatch: 32, iterSize: 1, inStep: false });
  assert.deepEqual(autoSplit(32, 4096, flat, 1, false), { microBatch: 32, iterSize: 1, inStep: false }, 'batch norm over the micro-batch: no halving');
});

test('an in-step split is weighed only where the plain curve leaves room at its half, not bridged between two weighed points', () => {
  // Flat but for a dip at 64: splitting 128 into two of 64 loses 20%, though 16 and 256 were weighed as free.
  const dip = [
    { microBatch: 16, samplesPerSec: 1000, inStepSamplesPerSec: 999 },
    { microBatch: 64, samplesPerSec: 800 },
    { microBatch: 256, samplesPerSec: 1000, inStepSamplesPerSec: 999 },
  ];
  assert.deepEqual(autoSplit(128, 4096, dip), { microBatch: 128, iterSize: 1, inStep: false });
  assert.deepEqual(autoSplit(512, 4096, dip), { microBatch: 256, iterSize: 2, inStep: true });
  // The split is valued at its in-step figure, not its micro-batch's plain one.
  assert.equal(splitSamplesPerSec(512, autoSplit(512, 4096, dip), dip), 999);
  assert.equal(splitSamplesPerSec(128, autoSplit(128, 4096, dip), dip), samplesPerSecAt(dip, 128));
});

test('noise rounds are big (B_big ≥ 1,024 and 8·B), split in ≥ 8 micro-batches within the cap, and cost at most NOISE_OVERHEAD of training time', () => {
  for (const [batch, micro, cap] of [[32, 32, 32], [32, 32, 4096], [128, 128, 128], [512, 128, 128], [2048, 512, 4096]] as const) {
    const p = noisePlan(batch, micro, curve, cap);
    const bBig = p.bSmall * p.k;
    assert.ok(p.k >= 8 && bBig >= Math.max(NOISE_BIG_MIN, 8 * batch) && bBig < 2 * Math.max(NOISE_BIG_MIN, 8 * batch), `${batch}: ${JSON.stringify(p)}`);
    assert.ok(p.bSmall % micro === 0 && p.bSmall <= Math.max(micro, cap), `${batch}: small batch ${p.bSmall} within the cap ${cap}`);
    // A round: B_big examples at the small batch's speed; `every` updates: every·B at the micro-batch's.
    const overhead = bBig / samplesPerSecAt(curve, p.bSmall) / ((p.every * batch) / samplesPerSecAt(curve, micro));
    assert.ok(overhead <= NOISE_OVERHEAD && overhead > NOISE_OVERHEAD / 2, `${batch}: overhead ${overhead}`);
  }
  assert.deepEqual(noisePlan(32, 32, curve), { bSmall: 32, k: 32, every: 1067 }, 'B = 32 at micro-batch 32, no room to grow it: 1,024 examples every 1,067 updates (34,144 examples)');
  // Micro-batches of 128 run 3× faster per example (the curve), so rounds come 3× as often.
  assert.deepEqual(noisePlan(32, 32, curve, 4096), { bSmall: 128, k: 8, every: 356 });
});

test('the schedule pools rounds as 1/B_noise, weighted by examples and NOISE_DECAY per round; a round without tr Σ is skipped', () => {
  const settings: AdaptiveSettings = { ladder: [32, 64], microCap: 64, lr0: 0.01, curve, decideEveryExamples: 100, noiseBigMin: NOISE_BIG_MIN };
  let state = initialSchedule(settings).state;
  assert.ok(Number.isNaN(bNoiseOf(state.noise)));
  const rounds = [
    { gradSq: 2, traceSigma: 100 },
    { gradSq: 1, traceSigma: 300 },
    { gradSq: 0.5, traceSigma: -10 },
    { gradSq: 0.7, traceSigma: 700 },
  ];
  let beforeSkip = NaN;
  rounds.forEach((r, i) => {
    if (i === 2) beforeSkip = bNoiseOf(state.noise);
    state = addRound(state, r, i * 10, settings);
    if (i === 2) assert.equal(bNoiseOf(state.noise), beforeSkip, 'a round without tr Σ leaves the pool as it was');
  });
  // Every round here is 1,024 examples (B = 32): equal weights but for age, which the skipped round does not add to.
  const d = NOISE_DECAY;
  const want = (d ** 2 + d + 1) / ((d ** 2 * 2) / 100 + (d * 1) / 300 + 0.7 / 700);
  assert.ok(Math.abs(bNoiseOf(state.noise) - want) < 1e-9 * want, `${bNoiseOf(state.noise)} vs ${want}`);
  assert.ok(bNoiseOf(state.noise) > 300 && bNoiseOf(state.noise) <= 1000, 'between the rounds’ own scales, nearest the latest (700/0.7)');
  assert.equal(state.noise.rounds, 4);
  assert.equal(state.nextRoundStep, 30 + noisePlan(32, 32, curve, 64).every);
  state = addRound(state, { gradSq: -5, traceSigma: 700 }, 40, settings);
  assert.equal(bNoiseOf(state.noise), Infinity, 'a pooled |G|² ≤ 0: the gradient is lost in the noise');
});
