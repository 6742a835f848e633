/** Sweep plots as data in, spec out: the points and the fitted curves hold the store's values. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { analyseSweep } from '../sweep/analyse.js';
import { renderSvg } from './render.js';
import { accuracyByBatch, examplesToTargetByBatch, regimeBands, secondsToTargetByBatch, stepsToTargetByBatch, type SweepInput } from './scaling-plots.js';
import { B_CRIT, exactSteps, S_MIN, sweepTrials } from './testing/report-fixtures.js';

type Layer = { data: { values: Record<string, unknown>[] }; mark: { type: string } | string; encoding: Record<string, { field?: string }> };
const layers = (spec: unknown) => (spec as { layer: Layer[] }).layer;
const markOf = (l: Layer) => (typeof l.mark === 'string' ? l.mark : l.mark.type);
const input = (seeds = 1): SweepInput => {
  const trials = sweepTrials(1, seeds);
  return { trials, analysis: analyseSweep(trials), targetAccuracy: 0.95 };
};
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} ≠ ${b}`);

test('steps to target: every reached trial is a point with its stored steps, coloured by its grid rate', () => {
  const i = input();
  const points = layers(stepsToTargetByBatch(i).spec).find((l) => markOf(l) === 'point')!;
  const reached = i.trials.filter((t) => t.stepsToTarget !== null);
  assert.deepEqual(points.data.values.map((v) => [v['key'], v['steps'], v['rate']]), reached.map((t) => [t.key, t.stepsToTarget, String((t.detail as { gridLr: number }).gridLr)]));
  assert.equal(points.encoding['color']!.field, 'rate');
});

test('steps to target: the fit line is S_min(1 + B_crit/B) of the analysis, and recovers the S_min and B_crit the steps were made from', () => {
  const i = input();
  const c = i.analysis.criticalBatch!;
  close(c.minSteps, S_MIN, 'S_min');
  close(c.criticalBatch, B_CRIT, 'B_crit');
  const curves = layers(stepsToTargetByBatch(i).spec).find((l) => l.encoding['strokeDash'] !== undefined)!.data.values;
  const fit = curves.filter((v) => String(v['curve']).startsWith('fit'));
  assert.equal(fit.length, 60);
  assert.equal(fit[0]!['batch'], 16);
  assert.equal(fit[59]!['batch'], 1024);
  for (const p of fit) close(p['y'] as number, c.minSteps * (1 + c.criticalBatch / (p['batch'] as number)), `fit at B=${p['batch']}`);
  for (const p of fit) close(p['y'] as number, exactSteps(p['batch'] as number), `exact at B=${p['batch']}`);
  // The tuned line joins the rate-0.01 trials; perfect scaling halves steps per doubling from the smallest batch.
  assert.deepEqual(curves.filter((v) => String(v['curve']).startsWith('tuned')).map((v) => [v['batch'], v['y']]), [16, 64, 256, 1024].map((b) => [b, exactSteps(b)]));
  const perfect = curves.filter((v) => v['curve'] === 'perfect scaling');
  assert.deepEqual(perfect.map((v) => v['batch']), [16, 1024]);
  close(perfect[1]!['y'] as number, (exactSteps(16) * 16) / 1024, 'perfect scaling at 1024');
});

test('steps to target: the regimes shaded per doubling and B_crit marked, as the analysis names them', () => {
  const i = input();
  const bands = regimeBands(i.analysis);
  assert.deepEqual(bands.map((b) => [b.from, b.to, b.regime]), i.analysis.batches.slice(1).map((b, k) => [[16, 64, 256][k], b.batchSize, b.regime]));
  const rule = layers(stepsToTargetByBatch(i).spec).find((l) => markOf(l) === 'rule')!;
  close(rule.data.values[0]!['x'] as number, B_CRIT, 'B_crit rule');
});

test('examples and seconds to target hold steps × B and the stored seconds; the time optimum is marked', () => {
  const i = input();
  const ex = layers(examplesToTargetByBatch(i).spec);
  assert.deepEqual(ex.find((l) => markOf(l) === 'point')!.data.values.map((v) => v['examples']), i.trials.filter((t) => t.stepsToTarget !== null).map((t) => t.stepsToTarget! * t.batchSize));
  for (const p of ex[0]!.data.values.filter((v) => String(v['curve']).startsWith('fit'))) close(p['y'] as number, S_MIN * ((p['batch'] as number) + B_CRIT), 'E = S_min(B + B_crit)');
  const sec = layers(secondsToTargetByBatch(i).spec);
  assert.deepEqual(sec.find((l) => markOf(l) === 'point')!.data.values.map((v) => v['seconds']), i.trials.filter((t) => t.secondsToTarget !== null).map((t) => t.secondsToTarget));
  const t = i.analysis.timeOptimal!;
  assert.equal(sec.find((l) => markOf(l) === 'rule')!.data.values[0]!['x'], t.batchSize);
  assert.match(secondsToTargetByBatch(i).caption, new RegExp(`B = ${t.batchSize} at lr ${t.bestLr}`));
});

test('accuracy: the tuned rate’s best, final and test accuracy per seed; a spread only with several seeds', () => {
  const one = layers(accuracyByBatch(input(1)).spec);
  const rows = one[0]!.data.values;
  assert.equal(rows.length, 4 * 3, 'four batch sizes × three measures');
  assert.ok(rows.every((r) => r['rate'] === '0.01'));
  assert.ok(!one.some((l) => markOf(l) === 'rule' && l.encoding['y2'] !== undefined));
  const three = layers(accuracyByBatch(input(3)).spec);
  assert.equal(three[0]!.data.values.length, 4 * 3 * 3);
  assert.ok(three.some((l) => markOf(l) === 'rule' && l.encoding['y2'] !== undefined), 'min–max rule over seeds');
});

test('the steps spec compiles and renders one symbol per reached trial', async () => {
  const i = input();
  const svg = await renderSvg(stepsToTargetByBatch(i).spec);
  assert.equal((svg.match(/aria-label="[^"]*rate \(grid value\): /g) ?? []).length, i.trials.filter((t) => t.stepsToTarget !== null).length);
});
