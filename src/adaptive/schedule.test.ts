/**
 * `decide`: a decision goes straight to the rung of highest goodput within MAX_JUMP_RUNGS, with
 * the noise rule's rate, and stays put for a gain under HYSTERESIS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goodput, splitBatch, type ThroughputPoint } from './goodput.js';
import { addInStep, addRound, bNoiseOf, decide, HYSTERESIS, initialSchedule, MAX_JUMP_RUNGS, NO_ROUND, windowExamples, type AdaptiveSettings, type ScheduleState } from './schedule.js';

const ladder = [32, 64, 128, 256, 512, 1024, 2048, 4096];
/** samples/s from 1,000 at 32 to 20,000 at 4,096 (linear in log B between). */
const steep: ThroughputPoint[] = [
  { microBatch: 32, samplesPerSec: 1000 },
  { microBatch: 4096, samplesPerSec: 20000 },
];
const settings = (curve: readonly ThroughputPoint[]): AdaptiveSettings => ({ ladder, microCap: 4096, lr0: 0.01, curve, decideEveryExamples: 1000, noiseBigMin: 1024 });
/** The schedule at `batch` after one round that reads B_noise = tr Σ/|G|² = bNoise. */
function after(s: AdaptiveSettings, batch: number, bNoise: number): ScheduleState {
  const start = initialSchedule(s).state;
  const at = { ...start, batch, ...splitBatch(batch, s.microCap) };
  return addRound(at, { gradSq: 1, traceSigma: bNoise }, 10, s);
}
const value = (s: AdaptiveSettings, b: number, bNoise: number) => goodput(b, splitBatch(b, s.microCap), s.curve, bNoise);

test('a decision moves straight to the goodput optimum three rungs up, with the noise rule’s rate', () => {
  const s = settings(steep);
  // B_noise 500: goodput 940, 3,293, 5,118, 6,047 (the most), 5,858, ... from 32 up.
  const best = ladder.reduce((a, b) => (value(s, b, 500) > value(s, a, 500) ? b : a));
  assert.equal(best, 256);
  const d = decide(after(s, 32, 500), s, 20, 5000);
  assert.equal(d.state.batch, 256);
  assert.deepEqual([d.state.microBatch, d.state.iterSize], [256, 1]);
  const lr = (0.01 * (1 + 500 / 32)) / (1 + 500 / 256);
  assert.ok(Math.abs(d.state.lr - lr) < 1e-12 && Math.abs(lr - 0.056296) < 1e-6, `${d.state.lr}`);
  assert.deepEqual(d.change, { step: 20, examples: 5000, microBatch: 256, iterSize: 1, lr: d.state.lr, bNoise: 500, reason: 'goodput: larger' });
  assert.equal(d.state.nextDecisionExamples, 6000);
  assert.equal(d.state.noise.roundsAtDecision, 1, 'the round is used up');
});

test(`a decision moves at most ${MAX_JUMP_RUNGS} rungs: an optimum five rungs up, or B_noise = ∞, stops at 256`, () => {
  const s = settings(steep);
  const best = ladder.reduce((a, b) => (value(s, b, 2000) > value(s, a, 2000) ? b : a));
  assert.equal(best, 1024, 'the optimum at B_noise 2,000');
  const d = decide(after(s, 32, 2000), s, 20, 5000);
  assert.equal(d.state.batch, 256);
  assert.ok(Math.abs(d.state.lr - (0.01 * (1 + 2000 / 32)) / (1 + 2000 / 256)) < 1e-12);
  // |G|² ≤ 0: every batch is worth its samples/s, so unbounded the batch would go to 4,096 at 128× the rate.
  const lost = addRound(initialSchedule(s).state, { gradSq: -1, traceSigma: 700 }, 10, s);
  const l = decide(lost, s, 20, 5000);
  assert.equal(l.state.batch, 256);
  assert.ok(Math.abs(l.state.lr - 0.08) < 1e-12, `linear scaling ×8: ${l.state.lr}`);
  assert.equal(l.change!.bNoise, Infinity);
});

test('a decision moves down as far, to the optimum below', () => {
  const s = settings(steep);
  // B_noise 300: the optimum is 256, three rungs below 2,048.
  const d = decide(after(s, 2048, 300), s, 20, 5000);
  assert.equal(d.state.batch, 256);
  assert.equal(d.change!.reason, 'goodput: smaller');
  assert.ok(Math.abs(d.state.lr - (0.01 * (1 + 300 / 32)) / (1 + 300 / 256)) < 1e-12);
});

test(`a goodput gain under ${HYSTERESIS * 100}% changes nothing`, () => {
  // Nearly flat: 1,000 at 32 to 1,100 at 4,096. The best within reach, 256, is 4.3% better.
  const s = settings([
    { microBatch: 32, samplesPerSec: 1000 },
    { microBatch: 4096, samplesPerSec: 1100 },
  ]);
  const gain = value(s, 256, 1e6) / value(s, 32, 1e6) - 1;
  assert.ok(gain > 0.04 && gain < HYSTERESIS, `gain ${gain}`);
  const before = after(s, 32, 1e6);
  const d = decide(before, s, 20, 5000);
  assert.equal(d.change, null);
  assert.deepEqual([d.state.batch, d.state.microBatch, d.state.iterSize, d.state.lr], [32, 32, 1, 0.01]);
  assert.equal(d.state.noise.roundsAtDecision, 1);
  // A steeper curve, same B_noise: the same decision now moves.
  const moved = decide(after(settings(steep), 32, 1e6), settings(steep), 20, 5000);
  assert.equal(moved.state.batch, 256);
});

test('in-step: a window of updates is the decision’s round once it holds windowExamples, and not before', () => {
  // +2.5% per doubling from 16 up, the statistics 0.5% of that: 32 and above split into two micro-batches of half and measure in-step.
  const flat = settings([
    { microBatch: 16, samplesPerSec: 1000, inStepSamplesPerSec: 995 },
    { microBatch: 4096, samplesPerSec: 1200, inStepSamplesPerSec: 1194 },
  ]);
  const start = initialSchedule(flat).state;
  // One round at step 0 all the same, for the first decision; after it, none.
  assert.deepEqual([start.batch, start.microBatch, start.iterSize, start.inStep, start.nextRoundStep], [32, 16, 2, true, 0]);
  const first = decide(addRound(start, { gradSq: 1, traceSigma: 1e6 }, 0, flat), flat, 0, 1000);
  assert.equal(addRound(start, { gradSq: 1, traceSigma: 20 }, 0, flat).nextRoundStep, NO_ROUND);
  assert.deepEqual([first.state.batch, first.state.inStep, first.state.nextRoundStep], [256, true, NO_ROUND], 'the first decision reads the round, before any window is full');
  const need = windowExamples(start, flat);
  assert.equal(need, Math.ceil(1024 ** 2 / 16));
  // Each update estimates |G|² = 1 and tr Σ = 20 (B_noise 20, well below 32: the batch should not grow).
  const updates = (n: number) => addInStep(start, { gradSq: n, traceSigma: 20 * n }, n, 32 * n);
  const short = decide(updates(Math.floor(need / 32) - 1), flat, 100, 5000);
  assert.equal(short.change, null);
  assert.equal(short.state.noise.rounds, 0, 'a short window waits');
  assert.equal(short.state.window.updates, Math.floor(need / 32) - 1, 'and is kept');
  const full = decide(updates(Math.ceil(need / 32)), flat, 100, 5000);
  assert.equal(full.state.noise.rounds, 1);
  assert.ok(Math.abs(bNoiseOf(full.state.noise) - 20) < 1e-9);
  assert.equal(full.state.window.updates, 0, 'the window is used up');
  // B_noise 10⁶ from a full window: up three rungs (7.5% more samples/s), still in-step (256 = 128 × 2).
  const grown = decide(addInStep(start, { gradSq: 1, traceSigma: 1e6 }, 1, need), flat, 100, 5000);
  assert.deepEqual([grown.state.batch, grown.state.microBatch, grown.state.iterSize, grown.state.inStep], [256, 128, 2, true]);
  // Statistics that cost more than rounds (4% here) or were not measured: one micro-batch, and rounds.
  const dear = settings([
    { microBatch: 16, samplesPerSec: 1000, inStepSamplesPerSec: 960 },
    { microBatch: 4096, samplesPerSec: 1200, inStepSamplesPerSec: 1152 },
  ]);
  for (const s of [dear, settings([{ microBatch: 16, samplesPerSec: 1000 }, { microBatch: 4096, samplesPerSec: 1200 }])]) {
    const plain = initialSchedule(s).state;
    assert.deepEqual([plain.microBatch, plain.iterSize, plain.inStep, plain.nextRoundStep], [32, 1, false, 0]);
  }
});

test('a run may start above its smallest rung and shrink below its start, its rate by the noise rule from the start', () => {
  // The same samples/s at every batch: a small B_noise makes every smaller batch worth more.
  const flat: AdaptiveSettings = { ...settings([{ microBatch: 32, samplesPerSec: 1000 }, { microBatch: 4096, samplesPerSec: 1000 }]), startBatch: 256 };
  const start = initialSchedule(flat);
  assert.deepEqual([start.state.batch, start.state.lr, start.change.microBatch], [256, 0.01, 256]);
  const d = decide(after(flat, 256, 100), flat, 20, 5000);
  assert.equal(d.state.batch, 32, 'three rungs down, to the smallest');
  assert.equal(d.change!.reason, 'goodput: smaller');
  const lr = (0.01 * (1 + 100 / 256)) / (1 + 100 / 32);
  assert.ok(Math.abs(d.state.lr - lr) < 1e-15 && Math.abs(lr - 0.0033712) < 1e-7, `${d.state.lr}`);
  // Without startBatch (a checkpoint from before it) the run starts at the smallest rung, as it did.
  assert.equal(initialSchedule({ ...flat, startBatch: undefined }).state.batch, 32);
});
