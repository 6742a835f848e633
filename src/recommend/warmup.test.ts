import assert from 'node:assert/strict';
import test from 'node:test';
import { noiseWarmupSteps } from './warmup.js';

// MNIST's cnn pilot at B₀ = 32 (2026-11-30): B_simple at the examples it had seen, rounded as printed
// (the run's own values gave 103 updates at B = 256, not the 104 here).
const cnn = [
  { examples: 0, bNoise: 3 },
  { examples: 5504, bNoise: 128 },
  { examples: 11008, bNoise: 299 },
  { examples: 16512, bNoise: 389 },
  { examples: 22016, bNoise: 1664 },
  { examples: 27520, bNoise: 2772 },
];

test('the warm-up runs until the pilot\'s noise scale reaches the batch, in the batch\'s own examples', () => {
  // 256 is reached 3/4 of the way from 128 to 299: 9,624 of the pilot's examples. At B = 256 the
  // first stretch (mean b 65.5) takes 5,504·(65.5 + 256)/(65.5 + 32) examples, and the part of the
  // second up to b = 256 (mean 192) takes 4,120·(192 + 256)/(192 + 32).
  const t = (256 - 128) / (299 - 128);
  const examples = (5504 * (65.5 + 256)) / (65.5 + 32) + (t * 5504 * (192 + 256)) / (192 + 32);
  assert.equal(noiseWarmupSteps(cnn, 32, 256, 1000), Math.ceil(examples / 256));
  assert.equal(noiseWarmupSteps(cnn, 32, 256, 1000), 104);
  // Reached within the first stretch: 16 at (16 − 3)/125 of it.
  const t16 = (16 - 3) / 125;
  assert.equal(noiseWarmupSteps(cnn, 8, 16, 1000), Math.ceil((t16 * 5504 * ((3 + 16) / 2 + 16)) / ((3 + 16) / 2 + 8) / 16));
});

test('no warm-up at or below the pilot batch, where the rate is at most the pilot\'s own, nor where the noise scale starts above the batch', () => {
  assert.equal(noiseWarmupSteps(cnn, 32, 32, 1000), 0);
  assert.equal(noiseWarmupSteps(cnn, 32, 16, 1000), 0);
  assert.equal(noiseWarmupSteps([{ examples: 0, bNoise: 300 }, { examples: 1000, bNoise: 500 }], 32, 256, 1000), 0);
  assert.equal(noiseWarmupSteps([], 32, 256, 1000), 0);
});

test('a batch the noise scale never reached warms up over the whole measured stretch; unusable points are skipped', () => {
  const all = cnn.slice(1).reduce((s, p, i) => {
    const mean = (cnn[i]!.bNoise + p.bNoise) / 2;
    return s + ((p.examples - cnn[i]!.examples) * (mean + 8192)) / (mean + 32);
  }, 0);
  assert.equal(noiseWarmupSteps(cnn, 32, 8192, 1000), Math.ceil(all / 8192));
  assert.equal(noiseWarmupSteps([...cnn, { examples: 30000, bNoise: Infinity }, { examples: 31000, bNoise: 0 }], 32, 8192, 1000), Math.ceil(all / 8192));
});

test('a warm-up takes at most a quarter of the predicted updates: a pilot trained to the target measured its whole run', () => {
  // The noise scale never reaches 8,192: uncapped, the ramp would span the whole measured run.
  const whole = noiseWarmupSteps(cnn, 32, 8192, 1000);
  assert.ok(whole > 10);
  assert.equal(noiseWarmupSteps(cnn, 32, 8192, whole), Math.floor(whole / 4));
  assert.equal(noiseWarmupSteps(cnn, 32, 256, 200), 50);
  assert.equal(noiseWarmupSteps(cnn, 32, 256, 7), 0, 'one update of warm-up runs at the full rate: none');
});
