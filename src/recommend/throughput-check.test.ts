import assert from 'node:assert/strict';
import test from 'node:test';
import { chooseCandidate, predictCandidates, type PredictInput } from './predict.js';
import { CHECK_TOLERANCE, checkKeptCurve, checkScale, describeCheck, nearestPoint, scaleCurve } from './throughput-check.js';

const curve = [
  { microBatch: 1, samplesPerSec: 400, gflops: 0.4 },
  { microBatch: 4, samplesPerSec: 1500 },
  { microBatch: 16, samplesPerSec: 4000, gflops: 4 },
  { microBatch: 64, samplesPerSec: 6000, gflops: 6 },
  { microBatch: 256, samplesPerSec: 7000, gflops: 7 },
];

test('the point checked is the measured one nearest in log B, the smaller on a tie', () => {
  assert.equal(nearestPoint(curve, 64).microBatch, 64);
  assert.equal(nearestPoint(curve, 100).microBatch, 64);
  assert.equal(nearestPoint(curve, 200).microBatch, 256);
  // 32 is one doubling from 16 and one from 64.
  assert.equal(nearestPoint(curve, 32).microBatch, 16);
  assert.equal(nearestPoint(curve, 4096).microBatch, 256);
  assert.equal(nearestPoint(curve, 1).microBatch, 1);
});

test('the curve is scaled by now ÷ kept only past the tolerance, and by one factor at every point', () => {
  assert.equal(CHECK_TOLERANCE, 0.05);
  assert.equal(checkScale(6000, 6200), 1, '3% is within the tolerance');
  assert.equal(checkScale(6000, 5750), 1);
  assert.equal(checkScale(6000, 7200), 1.2);
  assert.equal(checkScale(6000, 4800), 0.8);
  assert.equal(checkScale(6000, 0), 1, 'a check that measured nothing changes nothing');
  assert.equal(checkScale(6000, NaN), 1);
  const scaled = scaleCurve(curve, 1.5);
  assert.deepEqual(scaled.map((p) => p.samplesPerSec), [600, 2250, 6000, 9000, 10500]);
  assert.deepEqual(scaled.map((p) => p.gflops), [0.4 * 1.5, undefined, 6, 9, 10.5]);
  assert.deepEqual(scaleCurve(curve, 1), curve);
});

test('checkKeptCurve times the nearest point once, scales the whole curve and says what it found', async () => {
  const timed: number[] = [];
  const faster = await checkKeptCurve(curve, 100, async (b) => {
    timed.push(b);
    return 7500;
  });
  assert.deepEqual(timed, [64]);
  assert.deepEqual(faster.check, { microBatch: 64, keptSamplesPerSec: 6000, nowSamplesPerSec: 7500, scale: 1.25 });
  assert.equal(faster.curve[4]!.samplesPerSec, 8750);
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  assert.equal(describeCheck(faster.check, fmt), 'checked at micro-batch 64: 7,500 samples/s now against 6,000 kept: the prediction scales the curve ×1.25');
  const same = await checkKeptCurve(curve, 16, async () => 4100);
  assert.equal(same.check.scale, 1);
  assert.deepEqual(same.curve, curve);
  assert.equal(describeCheck(same.check, fmt), 'checked at micro-batch 16: 4,100 samples/s now against 4,000 kept, within 5%: the prediction uses the kept curve');
  const nothing = await checkKeptCurve(curve, 16, async () => NaN);
  assert.equal(nothing.check.scale, 1);
  assert.equal(describeCheck(nothing.check, fmt), 'checked at micro-batch 16: the check measured nothing, so the prediction uses the kept curve');
});

test('a curve scaled by one factor scales the update seconds: without overhead the choice stays, with it only the warm-up and the passes stay as they were', () => {
  const input: PredictInput = {
    pilotBatch: 32,
    pilotLr: 0.02,
    segments: [{ examples: 32000, bNoise: 50 }, { examples: 64000, bNoise: 400 }],
    throughput: curve,
    maxMicroBatch: 256,
    worldSize: 1,
    candidates: [16, 32, 64, 128, 256, 512, 1024],
    lrRule: 'noise',
    optimizer: 'momentum',
    trainExamples: 60000,
  };
  const before = predictCandidates(input);
  const after = predictCandidates({ ...input, throughput: scaleCurve(curve, 1.25) });
  assert.equal(chooseCandidate(after).effectiveBatch, chooseCandidate(before).effectiveBatch);
  for (let i = 0; i < before.length; i++) {
    assert.equal(after[i]!.steps, before[i]!.steps);
    assert.equal(after[i]!.lr, before[i]!.lr);
    assert.ok(Math.abs(after[i]!.seconds * 1.25 - before[i]!.seconds) <= 1e-9 * before[i]!.seconds, `${after[i]!.seconds} × 1.25 ≠ ${before[i]!.seconds}`);
  }
  // With a run's overhead, only the update seconds scale: the warm-up stays, and the validations are where they were.
  const overhead = { sessionSeconds: 0.5, warmupSeconds: 0.4, validationSeconds: 0.2, evalsPerEpoch: 20 };
  const slow = predictCandidates({ ...input, overhead });
  const fast = predictCandidates({ ...input, overhead, throughput: scaleCurve(curve, 1.25) });
  for (let i = 0; i < slow.length; i++) {
    assert.equal(fast[i]!.validations, slow[i]!.validations);
    const updates = (c: { seconds: number }) => c.seconds - overhead.warmupSeconds;
    assert.ok(Math.abs(updates(fast[i]!) * 1.25 - updates(slow[i]!)) <= 1e-9 * slow[i]!.seconds, `${fast[i]!.seconds} against ${slow[i]!.seconds}`);
    const passes = (c: { wallSeconds: number; seconds: number }) => c.wallSeconds - c.seconds;
    assert.ok(Math.abs(passes(fast[i]!) - passes(slow[i]!)) <= 1e-9, `sessions and validation passes are not scaled: ${passes(fast[i]!)} against ${passes(slow[i]!)}`);
  }
});
