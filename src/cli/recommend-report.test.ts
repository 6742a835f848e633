import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BoundedRate } from '../recommend/bounded/bounded-pilot.js';
import type { Provenance } from '../recommend/machine-memo.js';
import { afterChanges, describePilots } from './recommend-report.js';

const rate = (lr: number, provenance: Provenance): BoundedRate => ({
  lr, examplesToTarget: 1000, reached: false, problem: null, seenExamples: 500, seenEpochs: 0.5, seenValAccuracy: 0.9, trainSeconds: 1, errExponent: -0.5, evaluations: [], provenance,
});
const now: Provenance = { reused: false, measuredAt: '2026-11-29T00:00:00.000Z', ageSeconds: 0, runId: null };
const kept = (ageSeconds: number, runId: number | null): Provenance => ({ reused: true, measuredAt: '2026-11-29T00:00:00.000Z', ageSeconds, runId });

test('the grid\'s pilots are one phrase when all were trained now or all reused from one run, with their ages; else one per rate', () => {
  assert.equal(describePilots([rate(0.02, now), rate(0.01, now)]), 'measured now');
  assert.equal(describePilots([rate(0.02, kept(30, 1)), rate(0.01, kept(16, 1)), rate(0.005, kept(2, 1))]), 'reused from run 1, 2 s to 30 s old');
  assert.equal(describePilots([rate(0.02, kept(7300, 4)), rate(0.01, kept(7200, 4))]), 'reused from run 4, 2 h old');
  assert.equal(describePilots([rate(0.02, kept(60, null)), rate(0.01, now)]), 'lr 0.02 (reused from an earlier recommend, 60 s old), lr 0.01 (measured now)');
  assert.equal(describePilots([rate(0.02, kept(60, 1)), rate(0.01, kept(60, 2))]), 'lr 0.02 (reused from run 1, 60 s old), lr 0.01 (reused from run 2, 60 s old)');
});

test('an auto run\'s batch changes are counted past the starting batch', () => {
  assert.deepEqual([1, 2, 4].map(afterChanges), ['without a change', 'after 1 change', 'after 3 changes']);
});
