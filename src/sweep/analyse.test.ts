import assert from 'node:assert/strict';
import test from 'node:test';
import { analyseSweep, fitCriticalBatch, regimeOf, type TrialResult } from './analyse.js';

const trial = (batchSize: number, lr: number, steps: number | null, samplesPerSec: number, acc = 0.97, seed = 1): TrialResult => ({
  batchSize,
  lr,
  seed,
  status: steps === null ? 'budget' : 'target-reached',
  stepsToTarget: steps,
  epochsToTarget: steps === null ? null : (steps * batchSize) / 1000,
  secondsToTarget: steps === null ? null : (steps * batchSize) / samplesPerSec,
  samplesPerSec,
  bestValAccuracy: acc,
  finalValAccuracy: acc,
  testAccuracy: acc,
});

test('fitCriticalBatch recovers S_min and B_crit from exact S = S_min(1 + B_crit/B)', () => {
  const pts = [8, 32, 128, 512, 2048].map((b) => ({ batchSize: b, steps: 100 * (1 + 256 / b) }));
  const fit = fitCriticalBatch(pts)!;
  assert.ok(Math.abs(fit.minSteps - 100) < 1e-9);
  assert.ok(Math.abs(fit.criticalBatch - 256) < 1e-9);
  assert.ok(Math.abs(fit.minExamples - 25600) < 1e-6);
  assert.equal(fitCriticalBatch(pts.slice(0, 2)), null);
  // Steps that grow with B (no gain, then worse) give no positive S_min·B_crit: no fit.
  assert.equal(fitCriticalBatch([{ batchSize: 8, steps: 100 }, { batchSize: 16, steps: 110 }, { batchSize: 32, steps: 130 }]), null);
});

test('regimes by the per-doubling step ratio', () => {
  assert.equal(regimeOf(2), 'perfect scaling');
  assert.equal(regimeOf(1.7), 'perfect scaling');
  assert.equal(regimeOf(1.4), 'diminishing returns');
  assert.equal(regimeOf(1.1), 'no further gain');
  assert.equal(regimeOf(0.9), 'no further gain');
});

test('analyseSweep tunes the rate per batch, names the time- and accuracy-optimal batch and the regimes', () => {
  const trials = [
    // B=16: lr 0.1 is the faster of two.
    trial(16, 0.05, 1200, 10000), trial(16, 0.1, 1000, 10000),
    // B=32: steps halve (perfect scaling).
    trial(32, 0.2, 500, 30000), trial(32, 0.4, null, 30000, 0.95),
    // B=128: 500 → 200 over two doublings: ratio √2.5 ≈ 1.58 (diminishing); fastest in time.
    trial(128, 0.8, 200, 100000, 0.981),
    // B=512: no gain in steps, so slower.
    trial(512, 1.6, 190, 110000, 0.975),
  ];
  const a = analyseSweep(trials);
  assert.deepEqual(a.batches.map((b) => [b.batchSize, b.bestLr, b.stepsToTarget]), [[16, 0.1, 1000], [32, 0.2, 500], [128, 0.8, 200], [512, 1.6, 190]]);
  assert.deepEqual(a.batches.map((b) => b.regime), [null, 'perfect scaling', 'diminishing returns', 'no further gain']);
  assert.ok(Math.abs(a.batches[2]!.stepRatio! - Math.sqrt(2.5)) < 1e-12);
  assert.equal(a.timeOptimal!.batchSize, 128);
  assert.ok(Math.abs(a.timeOptimal!.secondsToTarget! - 0.256) < 1e-12);
  assert.equal(a.accuracyOptimal!.batchSize, 128);
  assert.equal(a.batches[1]!.trials, 2);
  assert.equal(a.batches[1]!.bestValAccuracy, 0.97);
});

test('with several seeds a rate that always reaches the target beats a faster one that sometimes does not', () => {
  const trials = [trial(64, 0.1, 300, 50000, 0.97, 1), trial(64, 0.1, 340, 50000, 0.97, 2), trial(64, 0.2, 200, 50000, 0.97, 1), trial(64, 0.2, null, 50000, 0.9, 2)];
  const [b] = analyseSweep(trials).batches;
  assert.equal(b!.bestLr, 0.1);
  assert.equal(b!.reached, 2);
  assert.equal(b!.stepsToTarget, 320);
});

test('a batch size where no trial reached the target has no time and no regime, and is not time-optimal', () => {
  const a = analyseSweep([trial(32, 0.1, 400, 30000), trial(4096, 1, null, 90000, 0.9)]);
  assert.equal(a.batches[1]!.secondsToTarget, null);
  assert.equal(a.batches[1]!.regime, null);
  assert.equal(a.timeOptimal!.batchSize, 32);
});

test('with several seeds: medians with their min–max; a regime or an optimum only where it stands out of the spread', () => {
  const seeds = (batchSize: number, steps: number[], samplesPerSec: number) => steps.map((s, i) => trial(batchSize, 0.1, s, samplesPerSec, 0.97, i + 1));
  const a = analyseSweep([
    ...seeds(32, [1000, 1100, 1300], 32000),
    // Steps halve at the median (1100 → 520).
    ...seeds(64, [500, 520, 560], 64000),
    ...seeds(256, [300, 180, 420], 128000),
  ]);
  const [b32, b64, b256] = a.batches;
  assert.deepEqual([b32!.stepsToTarget, b32!.stepsRange], [1100, [1000, 1300]]);
  assert.deepEqual([b64!.stepsToTarget, b64!.stepsRange], [520, [500, 560]]);
  // 32 → 64: ratios 1000/560 = 1.79 to 1300/500 = 2.6, all perfect scaling: named.
  assert.ok(Math.abs(b64!.stepRatioRange![0] - 1000 / 560) < 1e-12);
  assert.deepEqual([b64!.regime, b64!.regimeSpan], ['perfect scaling', ['perfect scaling']]);
  // 64 → 256: median √(520/300) = 1.32, but √(500/420) = 1.09 to √(560/180) = 1.76: three regimes, none named.
  assert.equal(b256!.stepsToTarget, 300);
  assert.deepEqual([b256!.regime, b256!.regimeSpan], [null, ['no further gain', 'diminishing returns', 'perfect scaling']]);
  assert.ok(Math.abs(b256!.stepRatio! - Math.sqrt(520 / 300)) < 1e-12);
  // Seconds: 32 → 1.1 s (1.0–1.3), 64 → 0.52 s (0.5–0.56), 256 → 0.6 s (0.36–0.84): 64 is fastest by median, 256 overlaps it.
  assert.equal(a.timeOptimal!.batchSize, 64);
  assert.deepEqual(a.timeOptimalTies, [64, 256]);
  // One seed: the range is the value itself, and only an exact tie could overlap.
  const one = analyseSweep([trial(32, 0.1, 1000, 32000), trial(64, 0.1, 500, 64000), trial(128, 0.1, 400, 64000)]);
  assert.deepEqual(one.timeOptimalTies, [64]);
  assert.deepEqual(one.batches[1]!.stepsRange, [500, 500]);
  assert.equal(one.batches[2]!.regime, 'diminishing returns');
});

test('a failed trial is no result; trials from several machines name the time optimum from steps and the given throughput', () => {
  const on = (host: string, t: TrialResult): TrialResult => ({ ...t, host });
  // Measured seconds favour B = 8 (its machine was 10× faster), but at this machine's throughput B = 64 is faster to the target.
  const trials = [
    on('fast', trial(8, 0.1, 400, 10_000)),
    on('slow', trial(64, 0.2, 80, 1_000)),
    on('slow', { ...trial(64, 0.4, null, NaN, NaN), status: 'failed' }),
  ];
  const measured = analyseSweep(trials);
  assert.deepEqual(measured.batches.map((b) => b.trials), [1, 1], 'the failed trial is left out');
  assert.deepEqual(measured.mixedHosts, { hosts: ['fast', 'slow'], estimates: [] });
  assert.equal(measured.timeOptimal!.batchSize, 8, 'without a throughput: the measured seconds');
  const here = analyseSweep(trials, new Map([[8, 2_000], [64, 4_000]]));
  assert.deepEqual(here.mixedHosts!.estimates, [
    { batchSize: 8, samplesPerSec: 2_000, secondsToTarget: 1.6 },
    { batchSize: 64, samplesPerSec: 4_000, secondsToTarget: 1.28 },
  ]);
  assert.equal(here.timeOptimal!.batchSize, 64);
  // One machine: its seconds compare, and a throughput changes nothing.
  const one = analyseSweep(trials.slice(0, 2).map((t) => ({ ...t, host: 'a' })), new Map([[8, 2_000], [64, 4_000]]));
  assert.equal(one.mixedHosts, null);
  assert.equal(one.timeOptimal!.batchSize, 8);
});
