import assert from 'node:assert/strict';
import test from 'node:test';
import { blobs } from '../../testing/blobs.js';
import { blobsRunConfig } from '../../testing/run-config-fixtures.js';
import { analyseRange, rangeLr, rangeTest } from './range-test.js';

const o = { blowUp: 4, divisor: 10, smoothing: 0.5 };

test('the ramp runs geometrically from the lowest rate to the highest', () => {
  assert.equal(rangeLr(1e-3, 1, 4, 0), 1e-3);
  assert.ok(Math.abs(rangeLr(1e-3, 1, 4, 1) - 1e-2) < 1e-15);
  assert.ok(Math.abs(rangeLr(1e-3, 1, 4, 3) - 1) < 1e-12);
});

test('range analysis: the edge is where the smoothed loss passes blowUp × its minimum; the rate is the edge ÷ divisor', () => {
  const lrs = [1, 2, 3, 4, 5, 6, 7];
  // Smoothed (β = 0.5, debiased): 2, 1.667, 1.286, 0.667, 0.581, 4.165 > 4 × 0.581: stops at lr 6.
  const r = analyseRange(lrs, [2, 1.5, 1, 0.2, 0.6, 8, 9], o);
  assert.equal(r.stopped, 'blew-up');
  assert.equal(r.minLossLr, 5);
  assert.equal(r.edgeLr, 6);
  assert.equal(r.lr, 0.6);
  assert.equal(r.points.length, 6);
  assert.ok(Math.abs(r.points[1]!.smoothed - 5 / 3) < 1e-12);
  // A non-finite loss is a blow-up at its rate, and that point is not kept.
  const nan = analyseRange(lrs, [2, 1, NaN], o);
  assert.deepEqual([nan.stopped, nan.edgeLr, nan.points.length], ['blew-up', 3, 2]);
  // Never blew up: the edge is the last rate tried (it lies beyond).
  const flat = analyseRange([1, 2, 3], [1, 1, 1], o);
  assert.deepEqual([flat.stopped, flat.edgeLr, flat.lr], ['end', 3, 0.3]);
});

test('a range test on the blobs trains at the ramp’s rates and stops where the loss blows up', async () => {
  const data = blobs(240);
  const base = blobsRunConfig();
  const r = await rangeTest(base, data, { batchSize: 8, lrLow: 1e-3, lrHigh: 1e3, steps: 120, blowUp: 4, divisor: 10, smoothing: 0.9 });
  assert.equal(r.interrupted, false);
  assert.equal(r.stopped, 'blew-up');
  // Every update recorded ran at the ramp's rate for its index, and the test stopped within ten updates of the edge.
  r.points.forEach((p, i) => assert.equal(p.lr, rangeLr(1e-3, 1e3, 120, i)));
  assert.ok(r.points.length < 120);
  assert.equal(r.lr, r.edgeLr / 10);
  assert.ok(r.minLossLr < r.edgeLr);
  // Deterministic: the same test gives the same losses.
  const again = await rangeTest(base, data, { batchSize: 8, lrLow: 1e-3, lrHigh: 1e3, steps: 120, blowUp: 4, divisor: 10, smoothing: 0.9 });
  assert.deepEqual(again.points, r.points);
});
