/** Advisor plots as data in, spec out: prediction beside measurement, the noise band, the memory line. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { memoryByComponent, memoryFit, noiseAlongTraining, pilotRatesExtrapolated, predictedTimeByBatch } from './advisor-plots.js';
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
  assert.doesNotMatch(plot.caption, /back-test/);
  // With the back-test: a shaded band under the lines, every prediction times the same factors.
  const banded = predictedTimeByBatch([c(32, 3), c(64, 2)], 64, [], { low: 0.8, high: 1.5, runs: 12, percentiles: true });
  const b = layers(banded.spec);
  assert.equal(b.length, l.length + 1);
  assert.deepEqual(b[0]!.data.values, [{ batch: 32, low: 3 * 0.8, high: 3 * 1.5 }, { batch: 64, low: 2 * 0.8, high: 2 * 1.5 }]);
  assert.match(banded.caption, /The shaded band is the back-test: 12 runs of this problem kept in the store took 0\.80–1\.50× the examples the pilot's extrapolation said of them \(the 10th to the 90th percentile\), so every prediction could be off by as much\.$/);
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

test('the bounded rate grid: each rate\'s validations, its extrapolated power law to the target, the pilot\'s rate named', () => {
  const evaluations = [100, 250, 500, 1000].map((examples) => ({ examples, valAccuracy: 1 - Math.pow(examples, -0.5) }));
  const plot = pilotRatesExtrapolated(
    [
      { lr: 0.02, examplesToTarget: 4000, reached: false, errExponent: -0.4, seenExamples: 1000, evaluations },
      { lr: 0.01, examplesToTarget: 2500, reached: false, errExponent: -0.5, seenExamples: 1000, evaluations },
      { lr: 0.005, examplesToTarget: 800, reached: true, errExponent: null, seenExamples: 800, evaluations: evaluations.slice(0, 3) },
      { lr: 0.0025, examplesToTarget: null, reached: false, errExponent: null, seenExamples: 1000, evaluations: evaluations.map((e) => ({ ...e, valAccuracy: 0.5 })) },
    ],
    0.01,
    0.98,
  );
  const l = layers(plot.spec);
  // Validations as error: 4 + 4 + 3 + 4.
  assert.equal(l[0]!.data.values.length, 15);
  assert.deepEqual(l[0]!.data.values[1], { rate: 'lr 0.02', examples: 250, error: 1 - (1 - Math.pow(250, -0.5)), part: 'validated' });
  // The dashed extrapolations: only the two that stopped short and could tell, from the bound to the target's error of 0.02.
  const ahead = l[1]!.data.values;
  assert.deepEqual([...new Set(ahead.map((v) => v['rate']))], ['lr 0.02', 'lr 0.01 (pilot)']);
  const pilot = ahead.filter((v) => v['rate'] === 'lr 0.01 (pilot)');
  assert.ok(Math.abs((pilot[0]!['examples'] as number) - 1000) < 1e-9 && Math.abs((pilot[0]!['error'] as number) - 0.02 * Math.pow(1000 / 2500, -0.5)) < 1e-12);
  assert.ok(Math.abs((pilot[pilot.length - 1]!['examples'] as number) - 2500) < 1e-9 && Math.abs((pilot[pilot.length - 1]!['error'] as number) - 0.02) < 1e-12);
  // Where each crosses the target; none for the rate that could not tell.
  assert.deepEqual(l[2]!.data.values.map((v) => [v['rate'], v['examples'], v['part']]), [['lr 0.02', 4000, 'extrapolated'], ['lr 0.01 (pilot)', 2500, 'extrapolated'], ['lr 0.005', 800, 'reached within the bound']]);
  assert.ok(Math.abs((l[3]!.data.values[0]!['error'] as number) - 0.02) < 1e-12);
  assert.equal(l[4]!.data.values[0]!['label'], 'target 98.00%');
  assert.match(plot.caption, /target’s error of 2\.00%/);
});

test('the bounded rate grid draws the back-test\'s band around the pilot\'s examples on the target line, with room below it for its label', () => {
  const evaluations = [100, 250, 500, 1000].map((examples) => ({ examples, valAccuracy: 1 - Math.pow(examples, -0.5) }));
  const rates = [
    { lr: 0.02, examplesToTarget: 4000, reached: false, errExponent: -0.4, seenExamples: 1000, evaluations },
    { lr: 0.01, examplesToTarget: 2500, reached: false, errExponent: -0.5, seenExamples: 1000, evaluations },
  ];
  const without = pilotRatesExtrapolated(rates, 0.01, 0.98);
  const plot = pilotRatesExtrapolated(rates, 0.01, 0.98, { examplesToTarget: 2500, low: 0.9, high: 1.8, runs: 6, percentiles: false });
  const l = layers(plot.spec);
  assert.equal(l.length, layers(without.spec).length + 2);
  const [bar, label] = [l[l.length - 2]!, l[l.length - 1]!];
  assert.deepEqual(bar.data.values, [{ from: 2500 * 0.9, to: 2500 * 1.8, error: 1 - 0.98, label: 'back-tested on 6 kept runs: 0.90–1.80×' }]);
  assert.equal(label.data.values, bar.data.values);
  const yScale = (p: typeof plot) => (layers(p.spec)[0] as unknown as { encoding: { y: { scale: { domainMin?: number } } } }).encoding.y.scale;
  assert.ok(Math.abs(yScale(plot).domainMin! - 0.7 * (1 - 0.98)) < 1e-12);
  assert.equal(yScale(without).domainMin, undefined);
  assert.match(plot.caption, /The grey bar on the target line is the back-test: 6 runs of this problem kept in the store, each cut where the same extrapolation had as far to go, took 0\.90–1\.80× the examples it said \(all of them\), so the pilot's 2,500 examples could be anywhere in that band\.$/);
  const many = pilotRatesExtrapolated(rates, 0.01, 0.98, { examplesToTarget: 2500, low: 0.9, high: 1.8, runs: 12, percentiles: true });
  assert.equal(layers(many.spec).at(-1)!.data.values[0]!['label'], 'back-tested on 12 kept runs: 0.90–1.80× (10th–90th percentile)');
  assert.match(many.caption, /\(the 10th to the 90th percentile\)/);
  assert.doesNotMatch(without.caption, /grey bar/);
});
