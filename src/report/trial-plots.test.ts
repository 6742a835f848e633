/** Trial plots as data in, spec out: heat-map cells, thinned curves, the throughput ceiling. */
import assert from 'node:assert/strict';
import test from 'node:test';
import type { EpochMetricRow } from '../store/store.js';
import { trial } from '../store/testing/fixtures.js';
import { curve, sweepTrials } from './testing/report-fixtures.js';
import { curveBudget, heatCells, lrHeatmap, thinCurve, throughputByMicroBatch, validationCurves } from './trial-plots.js';

type Layer = { data: { values: Record<string, unknown>[] }; mark: { type: string } };
const layers = (spec: unknown) => (spec as { layer: Layer[] }).layer;

test('heat map: one cell per (batch, grid rate) with its mean steps over seeds, and what stopped the rest', () => {
  const trials = sweepTrials(1, 2);
  const cells = heatCells(trials);
  assert.equal(cells.length, 4 * 3);
  const at = (b: number, rate: string) => cells.find((c) => c.batch === b && c.rate === rate)!;
  assert.deepEqual([at(16, '0.01').steps, at(16, '0.01').reached, at(16, '0.01').outcome], [3225, 2, 'target reached']);
  assert.deepEqual([at(16, '0.04').steps, at(16, '0.04').label], [null, '2 pruned']);
  assert.equal(at(64, '0.04').label, '2 diverged');
  const mixed = heatCells([trial(1, 'a', { batchSize: 8, iterSize: 1, stepsToTarget: 10, detail: { gridLr: 0.1 } }), trial(1, 'b', { batchSize: 8, iterSize: 1, stepsToTarget: null, status: 'budget', detail: { gridLr: 0.1 } })]);
  assert.deepEqual([mixed[0]!.steps, mixed[0]!.outcome], [10, 'reached 1 of 2']);
  // Reached cells are coloured by steps; the others are grey and drawn by a layer of their own.
  const l = layers(lrHeatmap(trials).spec);
  assert.deepEqual([l[0]!.data.values.length, l[1]!.data.values.length, l[2]!.data.values.length], [8, 4, 12]);
});

test('thinCurve keeps the first, the last and the best point, at most max, in order', () => {
  const pts: EpochMetricRow[] = curve(1000, 32).map((m, i) => (i === 517 ? { ...m, valAccuracy: 0.999 } : m));
  const thin = thinCurve(pts, 50);
  assert.equal(thin.length, 50);
  assert.equal(thin[0], pts[0]);
  assert.equal(thin[49], pts[999]);
  assert.ok(thin.includes(pts[517]!));
  assert.ok(thin.every((p, i) => i === 0 || p.step > thin[i - 1]!.step));
  assert.deepEqual(thinCurve(pts.slice(0, 10), 50), pts.slice(0, 10));
});

test('validation curves of a 1,000-trial sweep stay near 10,000 points and say they are thinned', () => {
  const curves = Array.from({ length: 1000 }, (_, i) => ({ trial: trial(1, `t${i}`, { batchSize: 2 ** (i % 10), iterSize: 1 }), metrics: curve(200, 2 ** (i % 10)) }));
  const plot = validationCurves(curves, 0.95);
  const rows = layers(plot.spec)[0]!.data.values;
  assert.equal(curveBudget(1000), 10);
  assert.equal(rows.length, 1000 * 10);
  assert.match(plot.caption, /thinned to at most 10 evaluations each .* 10,000 of 200,000 points/);
  // x switches between examples and seconds; examples = step × batch.
  const r = rows[25]!;
  assert.equal(r['examples'], (r['step'] as number) * (r['batch'] as number));
  assert.equal(layers(plot.spec)[1]!.data.values[0]!['target'], 0.95);
  const few = validationCurves(curves.slice(0, 3), null);
  assert.equal(layers(few.spec)[0]!.data.values.length, 600);
  assert.doesNotMatch(few.caption, /thinned/);
  assert.equal(layers(few.spec).length, 1, 'no target line without a target');
});

test('throughput: the MatMul ceiling in samples/s is GFLOP/s ÷ FLOPs per example', () => {
  const plot = throughputByMicroBatch([{ microBatch: 64, samplesPerSec: 20_000, source: 'trial a' }], { matmulGflops: 50, flopsPerExample: 1.2e6 });
  const l = layers(plot.spec);
  assert.equal(l[1]!.data.values[0]!['gflops'], 24);
  assert.equal(l[2]!.data.values[0]!['cap'], (50 * 1e9) / 1.2e6);
  assert.equal(layers(throughputByMicroBatch([{ microBatch: 64, samplesPerSec: 20_000, source: 'a' }], null).spec).length, 2);
});
