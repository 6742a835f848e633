import assert from 'node:assert/strict';
import test from 'node:test';
import { OPTIMIZER_NAMES, type OptimizerName } from '../optim/registry.js';
import { capsRate, scaleLr } from './lr-rule.js';
import { INTERCONNECT_PRESETS, type Interconnect } from './comm/interconnect.js';
import { chooseCandidate, effectiveNoiseScale, predictCandidates, throughputAt, validationsTo, type Candidate, type PredictInput } from './predict.js';

const close = (a: number, b: number, rel = 1e-12) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} ≠ ${b}`);

test('throughput interpolates in log-log between measured micro-batches and is flat beyond them', () => {
  const pts = [{ microBatch: 1, samplesPerSec: 1000 }, { microBatch: 100, samplesPerSec: 100000 }];
  close(throughputAt(pts, 10), 10000);
  assert.equal(throughputAt(pts, 1), 1000);
  assert.equal(throughputAt(pts, 1000), 100000);
});

test('learning-rate rules: linear, sqrt, and McCandlish’s noise rule (linear below B_noise, flat above)', () => {
  close(scaleLr('linear', 'momentum', 0.02, 32, 256, 100), 0.16);
  close(scaleLr('sqrt', 'momentum', 0.02, 32, 128, 100), 0.04);
  close(scaleLr('noise', 'momentum', 0.02, 32, 32, 100), 0.02);
  // ε_max = 0.02·(1 + 100/32) = 0.0825; at B = 100: ε_max/2.
  close(scaleLr('noise', 'momentum', 0.02, 32, 100, 100), 0.04125);
  assert.ok(scaleLr('noise', 'momentum', 0.02, 32, 1e9, 100) < 0.0825 && scaleLr('noise', 'momentum', 0.02, 32, 1e9, 100) > 0.0824);
});

test('every optimizer that sizes each weight’s step itself gets the rule capped at ε₀·√(B/B₀); SGD and momentum do not', () => {
  // The example: ε₀ = 1e-3 at B₀ = 32, B_noise = 1,630, B = 1,024.
  const noise = (1e-3 * (1 + 1630 / 32)) / (1 + 1630 / 1024);
  close(noise, 0.020039, 1e-4);
  const capped = 1e-3 * Math.sqrt(1024 / 32);
  close(capped, 0.0056569, 1e-4);
  const expected: Record<OptimizerName, number> = { sgd: noise, momentum: noise, nesterov: noise, rmsprop: capped, adam: capped, adagrad: capped, rprop: capped, 'irprop+': capped };
  for (const name of OPTIMIZER_NAMES) {
    close(scaleLr('noise', name, 1e-3, 32, 1024, 1630), expected[name]);
    assert.equal(capsRate(name), expected[name] === capped, name);
    // The linear rule is capped the same way; the sqrt rule is its own cap.
    close(scaleLr('linear', name, 1e-3, 32, 1024, 1630), capsRate(name) ? capped : 0.032);
    close(scaleLr('sqrt', name, 1e-3, 32, 1024, 1630), capped);
  }
  // Below the cap the rule stands: B_noise = 1 makes the noise rule nearly flat, (1 + 1/32)/(1 + 1/1024).
  close(scaleLr('noise', 'adam', 1e-3, 32, 1024, 1), (1e-3 * (1 + 1 / 32)) / (1 + 1 / 1024));
});

test('the prediction gives each candidate its optimizer’s rate: Adam capped, momentum not', () => {
  const input = (optimizer: OptimizerName): PredictInput => ({
    pilotBatch: 32,
    pilotLr: 1e-3,
    segments: [{ examples: 32000, bNoise: 1630 }],
    throughput: [{ microBatch: 32, samplesPerSec: 32000 }],
    maxMicroBatch: 1024,
    worldSize: 1,
    candidates: [32, 1024],
    lrRule: 'noise',
    optimizer,
    trainExamples: 55000,
  });
  const adam = predictCandidates(input('adam'));
  const mom = predictCandidates(input('momentum'));
  close(adam[0]!.lr, 1e-3);
  close(adam[1]!.lr, 1e-3 * Math.sqrt(32));
  close(mom[1]!.lr, (1e-3 * (1 + 1630 / 32)) / (1 + 1630 / 1024));
  // Only the rate differs: the examples to target do not depend on the optimizer here.
  assert.equal(adam[1]!.examples, mom[1]!.examples);
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
    optimizer: 'momentum',
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
  const base = { microBatch: 1, iterSize: 1, worldSize: 1, samplesPerSec: 1, allReduceSeconds: 0, commSeconds: 0, efficiency: 1, examples: 1, steps: 1, epochs: 1, validations: 1, wallSeconds: 1, lr: 1, warmupSteps: 0 };
  const pick = chooseCandidate([{ ...base, effectiveBatch: 512, seconds: 1.0 }, { ...base, effectiveBatch: 256, seconds: 1.015 }, { ...base, effectiveBatch: 128, seconds: 1.5 }]);
  assert.equal(pick.effectiveBatch, 256);
});

test('with communication, a slow link moves the split to fewer workers and a larger iter-size; a fast one keeps them all', () => {
  // 10,000 samples/s from micro-batch 64 up, 64 fits; 10M fp32 parameters = 40 MB of gradients per update.
  const input = (interconnect: Interconnect): PredictInput => ({
    pilotBatch: 64,
    pilotLr: 0.1,
    segments: [{ examples: 1088000, bNoise: 1024 }],
    throughput: [{ microBatch: 1, samplesPerSec: 200 }, { microBatch: 64, samplesPerSec: 10000 }],
    maxMicroBatch: 64,
    worldSize: 4,
    candidates: [256, 1024, 4096],
    lrRule: 'noise',
    optimizer: 'momentum',
    trainExamples: 1000000,
    communication: { interconnect, gradientBytes: 40e6 },
  });
  const split = (c: Candidate) => [c.microBatch, c.iterSize, c.worldSize];
  // eth10g, per update at B = 256: 4 workers 6.4 ms + (1.5 × 32 ms + 6 × 50 µs) = 54.7 ms; 2 workers
  // 12.8 + 32.1 = 44.9 ms; 1 worker 25.6 ms and no all-reduce. At B = 1024 four workers win:
  // 25.6 + 48.3 = 73.9 ms against 51.2 + 32.1 and 102.4.
  const eth = predictCandidates(input(INTERCONNECT_PRESETS['eth10g']!));
  assert.deepEqual(eth.map(split), [[64, 4, 1], [64, 4, 4], [64, 16, 4]]);
  assert.deepEqual([eth[0]!.allReduceSeconds, eth[0]!.commSeconds], [0, 0]);
  close(eth[1]!.allReduceSeconds, 0.0483);
  // B = 1024 needs 1088000 · 2048/1088 = 2,048,000 examples = 2000 updates of 73.9 ms.
  close(eth[1]!.steps, 2000);
  close(eth[1]!.commSeconds, 96.6);
  close(eth[1]!.seconds, 2048000 / 40000 + 96.6);
  // B = 256: 1,280,000 examples on one worker at 10,000/s.
  close(eth[0]!.seconds, 128);
  assert.equal(chooseCandidate(eth).effectiveBatch, 256);
  // NVLink 4: 1.5 × 40 MB / 450 GB/s + 6 × 3 µs = 151.3 µs per update, so all four workers at every B.
  const nv = predictCandidates(input(INTERCONNECT_PRESETS['nvlink4']!));
  assert.deepEqual(nv.map(split), [[64, 1, 4], [64, 4, 4], [64, 16, 4]]);
  close(nv[0]!.allReduceSeconds, 1.5 * (40e6 / 450e9) + 18e-6);
  close(nv[0]!.seconds, 1280000 / 40000 + 5000 * nv[0]!.allReduceSeconds);
  assert.deepEqual(split(chooseCandidate(nv)), [64, 1, 4]);
});

test('with communication, a slow link makes a larger batch the fastest: iter-size amortises the all-reduce', () => {
  // B_noise 4096, so B = 4096 needs only (4096 + 4096)/(4096 + 64) = 1.97× the pilot's examples.
  const input = (interconnect: Interconnect): PredictInput => ({
    pilotBatch: 64,
    pilotLr: 0.1,
    segments: [{ examples: 4160000, bNoise: 4096 }],
    throughput: [{ microBatch: 64, samplesPerSec: 10000 }],
    maxMicroBatch: 64,
    worldSize: 8,
    candidates: [512, 4096],
    lrRule: 'noise',
    optimizer: 'momentum',
    trainExamples: 10000000,
    communication: { interconnect, gradientBytes: 40e6 },
  });
  // eth10g, 8 workers: 1.75 × 32 ms + 14 × 50 µs = 56.7 ms per all-reduce. B = 512 takes 51.2 ms
  // on one worker against 6.4 + 56.7 on eight (25.6 + 32.1 on two), so it runs on one:
  // 4,608,000 examples at 10,000/s = 460.8 s; B = 4096 on eight: 8,192,000 examples in 2000
  // updates of 51.2 + 56.7 ms = 215.8 s.
  const eth = predictCandidates(input(INTERCONNECT_PRESETS['eth10g']!));
  assert.deepEqual(eth.map((c) => [c.microBatch, c.iterSize, c.worldSize]), [[64, 8, 1], [64, 8, 8]]);
  close(eth[0]!.seconds, 460.8);
  close(eth[1]!.seconds, 215.8);
  assert.equal(chooseCandidate(eth).effectiveBatch, 4096);
  // NVLink: B = 512 on eight workers, 9000 updates of 6.4 ms + 1.75 × 88.9 µs + 42 µs: the smaller batch wins.
  const nv = predictCandidates(input(INTERCONNECT_PRESETS['nvlink4']!));
  close(nv[0]!.seconds, 9000 * (0.0064 + 1.75 * (40e6 / 450e9) + 42e-6));
  assert.deepEqual([chooseCandidate(nv).effectiveBatch, chooseCandidate(nv).iterSize, chooseCandidate(nv).worldSize], [512, 1, 8]);
});

test('one worker pays no communication, whatever the link: the prediction is the one without it', () => {
  const input: PredictInput = {
    pilotBatch: 32,
    pilotLr: 0.02,
    segments: [{ examples: 32000, bNoise: 32 }],
    throughput: [{ microBatch: 32, samplesPerSec: 32000 }],
    maxMicroBatch: 64,
    worldSize: 1,
    candidates: [32, 128],
    lrRule: 'noise',
    optimizer: 'momentum',
    trainExamples: 64000,
  };
  assert.deepEqual(predictCandidates({ ...input, communication: { interconnect: INTERCONNECT_PRESETS['eth10g']!, gradientBytes: 4e9 } }), predictCandidates(input));
});

test('a run is seen to reach its target at a validation: every evalEvery updates and at each epoch’s end', () => {
  // 10 updates an epoch, a validation every 4 (counted over the run) and at each epoch's end: 4, 8, 10, 12, 16, 20, …
  assert.deepEqual(validationsTo(9, 10, 4), { step: 10, validations: 3 });
  assert.deepEqual(validationsTo(10, 10, 4), { step: 10, validations: 3 });
  assert.deepEqual(validationsTo(10.5, 10, 4), { step: 12, validations: 4 });
  assert.deepEqual(validationsTo(20, 10, 5), { step: 20, validations: 4 });
  assert.deepEqual(validationsTo(0.2, 10, 5), { step: 5, validations: 1 });
});

test('with the run overhead, seconds are to the validation that sees the target plus the warm-up; wall seconds add sessions and validations', () => {
  const input: PredictInput = {
    pilotBatch: 10,
    pilotLr: 0.1,
    // B_noise far above every batch: each needs the same 9,500 examples (to a millionth).
    segments: [{ examples: 9500, bNoise: 1e9 }],
    throughput: [{ microBatch: 1, samplesPerSec: 1000 }],
    maxMicroBatch: 1000,
    worldSize: 1,
    candidates: [10, 100],
    lrRule: 'sqrt',
    optimizer: 'momentum',
    trainExamples: 10000,
  };
  const bare = predictCandidates(input);
  const withOverhead = predictCandidates({ ...input, overhead: { sessionSeconds: 2, warmupSeconds: 0.5, validationSeconds: 0.25, evalsPerEpoch: 4 } });
  // B = 10: 1,000 updates an epoch, a validation every 250; 950 steps are seen at 1,000 (the 4th).
  close(bare[0]!.seconds, 9.5);
  assert.deepEqual([bare[0]!.validations, bare[0]!.wallSeconds], [0, 9.5]);
  close(withOverhead[0]!.seconds, 10 + 0.5);
  assert.equal(withOverhead[0]!.validations, 4);
  close(withOverhead[0]!.wallSeconds, 10.5 + 2 + 4 * 0.25);
  // B = 100: 100 updates an epoch, every 25; 95 steps are seen at 100 (the 4th), 10 s of updates.
  close(withOverhead[1]!.seconds, 10.5);
  close(withOverhead[1]!.steps, 95, 1e-6);
  assert.equal(withOverhead[1]!.validations, 4);
});
