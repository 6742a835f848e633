/** Advisor plots as data in, spec out: prediction beside measurement, the noise band, the memory line. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { memoryByComponent, memoryFit, noiseAlongTraining, predictedTimeByBatch } from './advisor-plots.js';
import { FIT_SUMMARY, NOISE } from './testing/report-fixtures.js';

type Layer = { data: { values: Record<string, unknown>[] }; mark: { type: string } };
const layers = (spec: unknown) => (spec as { layer: Layer[] }).layer;
const MIB = 2 ** 20;

test('predicted time: every candidate, the measured points beside them, the chosen batch marked', () => {
  const c = (b: number, seconds: number) => ({ effectiveBatch: b, microBatch: b, iterSize: 1, seconds, steps: 10, epochs: 1, lr: 0.1, samplesPerSec: 100 });
  const plot = predictedTimeByBatch([c(32, 3), c(64, 2)], 64, [{ batch: 64, seconds: 2.2, source: 'sweep run 1, tuned lr 0.02' }, { batch: 64, seconds: 1.9, source: 'verification' }]);
  const l = layers(plot.spec);
  assert.deepEqual(l[0]!.data.values.map((v) => [v['series'], v['batch'], v['seconds']]), [['predicted', 32, 3], ['predicted', 64, 2], ['measured by a sweep', 64, 2.2], ['verified', 64, 1.9]]);
  assert.equal(l[1]!.data.values[0]!['batch'], 64);
  assert.match(plot.caption, /Measured points/);
});

test('noise: B_simple with its interval; an open interval reaches the top and says ∞', () => {
  const plot = noiseAlongTraining(NOISE);
  const band = (plot.spec as { vconcat: { layer: Layer[] }[] }).vconcat[0]!.layer[0]!.data.values;
  assert.deepEqual(band.map((v) => [v['step'], v['bSimple'], v['low']]), [[0, 54, 52], [172, 456, 387], [1718, 7980, 3313]]);
  assert.deepEqual(band.slice(0, 2).map((v) => v['high']), [57, 554]);
  assert.equal(band[2]!['high'], 7980 * 4, 'open top: 4× the largest finite figure');
  assert.equal(band[2]!['highText'], '∞ (open)');
});

test('memory: the probes, the fitted line fixed + perSample·B, budget and limit, and the largest micro-batch', () => {
  const m = FIT_SUMMARY.memoryModel;
  const probes = [
    { batchSize: 4, ok: true, peakBytes: m.fixedBytes + 4 * m.perSampleBytes, reason: null, seconds: 1 },
    { batchSize: 2048, ok: false, peakBytes: null, reason: 'killed', seconds: 1 },
  ];
  const plot = memoryFit({ probes, fixedBytes: m.fixedBytes, perSampleBytes: m.perSampleBytes, budgetBytes: FIT_SUMMARY.budgetBytes, margin: 0.1, largestBatch: 943 });
  const l = layers(plot.spec);
  for (const p of l[0]!.data.values) assert.equal(p['mib'], (m.fixedBytes + m.perSampleBytes * (p['batch'] as number)) / MIB);
  assert.deepEqual(l[1]!.data.values.map((v) => [v['batch'], v['mib'], v['outcome']]), [[4, 36 + 4 * 1.9, 'fits'], [2048, (0.9 * 2 ** 31) / MIB, 'failed (killed or error)']]);
  assert.deepEqual(l[2]!.data.values.map((v) => v['mib']), [2048, 0.9 * 2048]);
  assert.equal(l[5]!.data.values[0]!['batch'], 943);
  const split = (memoryByComponent(FIT_SUMMARY.components, 943).spec as { data: { values: { mib: number }[] } }).data.values;
  assert.equal(split[4]!.mib, (943 * FIT_SUMMARY.components.activationsBytesPerSample) / MIB);
});
