import assert from 'node:assert/strict';
import test from 'node:test';
import { scaleLr } from './lr-rule.js';
import { chooseCandidate, effectiveNoiseScale, predictCandidates, throughputAt, type PredictInput } from './predict.js';

const close = (a: number, b: number, rel = 1e-12) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} ≠ ${b}`);

test('throughput interpolates in log-log between measured micro-batches and is flat beyond them', () => {
  const pts = [{ microBatch: 1, samplesPerSec: 1000 }, { microBatch: 100, samplesPerSec: 100000 }];
  close(throughputAt(pts, 10), 10000);
  assert.equal(throughputAt(pts, 1), 1000);
  assert.equal(throughputAt(pts, 1000), 100000);
});

test('learning-rate rules: linear, sqrt, and McCandlish’s noise rule (linear below B_noise, flat above)', () => {
  close(scaleLr('linear', 0.02, 32, 256, 100), 0.16);
  close(scaleLr('sqrt', 0.02, 32, 128, 100), 0.04);
  close(scaleLr('noise', 0.02, 32, 32, 100), 0.02);
  // ε_max = 0.02·(1 + 100/32) = 0.0825; at B = 100: ε_max/2.
  close(scaleLr('noise', 0.02, 32, 100, 100), 0.04125);
  assert.ok(scaleLr('noise', 0.02, 32, 1e9, 100) < 0.0825 && scaleLr('noise', 0.02, 32, 1e9, 100) > 0.0824);
});

test('predicted examples follow (B_noise + B)/(B_noise + B₀) per segment; time divides by the micro-batch’s throughput', () => {
  const input: PredictInput = {
    pilotBatch: 32,
    pilotLr: 0.02,
    // 32k examples where B_noise was 32, then 32k where it was 96.
    segments: [{ examples: 32000, bNoise: 32 }, { examples: 32000, bNoise: 96 }],
    throughput: [{ microBatch: 32, samplesPerSec: 32000 }, { microBatch: 128, samplesPerSec: 64000 }, { microBatch: 512, samplesPerSec: 64000 }],
    maxMicroBatch: 128,
    worldSize: 1,
    candidates: [32, 128, 512],
    lrRule: 'noise',
    trainExamples: 64000,
  };
  const [c32, c128, c512] = predictCandidates(input);
  close(c32!.examples, 64000);
  close(c32!.seconds, 2);
  // B=128: 32000·160/64 + 32000·224/128 = 80000 + 56000.
  close(c128!.examples, 136000);
  close(c128!.seconds, 136000 / 64000);
  close(c128!.efficiency, 64000 / 136000);
  // B=512 does not fit: 128 × 4, at the micro-batch's rate.
  assert.deepEqual([c512!.microBatch, c512!.iterSize], [128, 4]);
  close(c512!.examples, (32000 * 544) / 64 + (32000 * 608) / 128);
  close(c512!.steps, c512!.examples / 512);
  close(effectiveNoiseScale(input.segments), 64);
  assert.equal(chooseCandidate([c32!, c128!, c512!]).effectiveBatch, 32);
  // Twice the workers halve the time of every candidate.
  const w2 = predictCandidates({ ...input, worldSize: 2 });
  close(w2[2]!.seconds, c512!.seconds * (64000 / (2 * 64000)));
  assert.deepEqual([w2[2]!.microBatch, w2[2]!.iterSize, w2[2]!.worldSize], [128, 2, 2]);
});

test('chooseCandidate prefers the smaller batch when two are within 2% in time', () => {
  const base = { microBatch: 1, iterSize: 1, worldSize: 1, samplesPerSec: 1, efficiency: 1, examples: 1, steps: 1, epochs: 1, lr: 1 };
  const pick = chooseCandidate([{ ...base, effectiveBatch: 512, seconds: 1.0 }, { ...base, effectiveBatch: 256, seconds: 1.015 }, { ...base, effectiveBatch: 128, seconds: 1.5 }]);
  assert.equal(pick.effectiveBatch, 256);
});
