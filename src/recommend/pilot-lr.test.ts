import assert from 'node:assert/strict';
import test from 'node:test';
import type { RunConfig } from '../engine/run-config.js';
import { blobs } from '../testing/blobs.js';
import { searchPilotLr, type PilotLrOptions } from './pilot-lr.js';
import { blobsRunConfig, DEEP_BLOBS_MODEL } from '../testing/run-config-fixtures.js';

const data = blobs(240);
// Two hidden layers: rates from about 0.3 up kill the ReLUs (stalled) or overflow (diverged).
const base: RunConfig = blobsRunConfig({ modelName: 'deep', model: DEEP_BLOBS_MODEL });
const o: PilotLrOptions = { batchSize: 8, grid: [], targetAccuracy: 0.9, maxEpochs: 20, maxSeconds: 60, evalsPerEpoch: 2, extendGrid: true };

test('pilot rates: a grid that all fails is followed down, dead rates stop early, and the bound of 3 below is kept', async () => {
  const r = (await searchPilotLr(base, data, { ...o, grid: [0.6, 1.2, 2.4] }))!;
  assert.deepEqual(
    r.trials.map((t) => [t.lr, t.outcome.status]),
    [[1.2, 'diverged'], [0.6, 'stalled'], [2.4, 'stalled'], [0.3, 'stalled'], [0.15, 'target-reached'], [0.075, 'target-reached']],
  );
  // 20 epochs of 30 steps: the dead rates stopped after a tenth of that or soon after.
  for (const t of r.trials.filter((x) => x.outcome.status === 'stalled')) assert.ok(t.outcome.steps <= 150, `${t.lr}: ${t.outcome.steps} steps`);
  // 0.075 reached the target in fewer steps than 0.15 and is still the smallest tried: the search says so.
  assert.deepEqual([r.edge, r.below, r.above], ['lowest', 3, 0]);
  const fixed = (await searchPilotLr(base, data, { ...o, grid: [0.6, 1.2, 2.4], extendGrid: false }))!;
  assert.deepEqual([fixed.trials.map((t) => t.lr), fixed.edge], [[1.2, 0.6, 2.4], 'all-failed']);
});

test('pilot rates: a best rate on the high edge is followed up until it is interior', async () => {
  const r = (await searchPilotLr(base, data, { ...o, grid: [0.0005, 0.001] }))!;
  // 0.001 beats 0.0005 (30 steps against 75); 0.002 does no better, so 0.001 is interior.
  assert.deepEqual(r.trials.map((t) => t.lr), [0.0005, 0.001, 0.002]);
  assert.deepEqual(r.trials.slice(0, 2).map((t) => t.outcome.stepsToTarget), [75, 30]);
  assert.deepEqual([r.edge, r.below, r.above], [null, 0, 1]);
});
