/** plotsForRun on a store with one run of every kind, and the HTML page made from it. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Store } from '../store/store.js';
import { autoTrialsAlongTraining } from './batch-plots.js';
import { linearTwin, reportHtml } from './html.js';
import { plotsForRun, type RunView } from './run-plots.js';
import { curve, fillStore, sweepTrials } from './testing/report-fixtures.js';

let dir = '';
let store: Store;
let ids: ReturnType<typeof fillStore>;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bw-report-'));
  store = Store.open(join(dir, 'r.db'));
  ids = fillStore(store);
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const names = (v: RunView) => v.plots.map((p) => p.name);
const field = (v: RunView, title: string, label: string) => v.cards.find((c) => c.title === title)?.fields.find((f) => f.label === label)?.value;

test('every run kind gets its plots, named for their questions', () => {
  assert.deepEqual(names(plotsForRun(store, ids.sweep)), ['steps-to-target-by-batch', 'examples-to-target-by-batch', 'seconds-to-target-by-batch', 'accuracy-by-batch', 'lr-heatmap', 'validation-curves', 'throughput-by-micro-batch']);
  assert.deepEqual(names(plotsForRun(store, ids.recommend)), ['predicted-time-by-batch', 'noise-along-training', 'pilot-rates-extrapolated', 'throughput-by-micro-batch', 'memory-fit', 'memory-by-component', 'pilot-and-verification-curves']);
  assert.deepEqual(names(plotsForRun(store, ids.fit)), ['memory-fit', 'memory-by-component']);
  assert.deepEqual(names(plotsForRun(store, ids.noise)), ['noise-along-training']);
  assert.deepEqual(names(plotsForRun(store, ids.train)), ['validation-curves', 'loss-curves']);
  assert.deepEqual(names(plotsForRun(store, ids.lab)), []);
  for (const v of Object.values(ids).map((id) => plotsForRun(store, id))) {
    for (const p of v.plots) assert.match(p.caption, /C\d+[abc]?/, `${v.run.kind} ${p.name}: the caption names a seed claim`);
  }
});

test('a run in progress shows its progress and no plots, without throwing', () => {
  const v = plotsForRun(store, ids.started);
  assert.deepEqual(v.plots, []);
  assert.deepEqual(v.cards[0]!.notes, ['in progress: trial=1 of=12 batchSize=16']);
});

test('a sweep whose trials all failed, and a recommend still running, give what they can without throwing', () => {
  const failed = store.openRun('sweep', 'k-failed', 'all diverged', {}).run.id;
  store.recordTrial({ ...sweepTrials(failed)[2]!, key: 'd' }, []);
  const v = plotsForRun(store, failed);
  assert.equal(v.plots.length, 7);
  assert.equal(field(v, 'What the sweep found', 'time-optimal batch'), 'none reached the target');
  const running = store.openRun('recommend', 'k-running', 'deciding', {}).run.id;
  const r = plotsForRun(store, running);
  assert.deepEqual([r.plots, field(r, 'Recommendation', 'status')], [[], 'not decided yet']);
});

test('cards carry the decision as plain data', () => {
  const rec = plotsForRun(store, ids.recommend);
  assert.equal(field(rec, 'Recommendation', 'effective batch'), '128 = micro-batch 128 × iter-size 1 × world size 1');
  assert.equal(field(rec, 'Recommendation', 'verified'), 'target-reached: 1.40 s, 300 steps, test accuracy 95.10%');
  const code = rec.cards.find((c) => c.title === 'Recommendation')!.code;
  // A choice stored before warm-ups were recommended has none.
  assert.match(code[0]!.text, /^batchwise train --model mlp --dataset mnist --optimizer momentum --batch-size 128 --iter-size 1 --lr 0\.02 --schedule constant --target-accuracy 0\.95$/);
  assert.ok(code.some((k) => k.label.startsWith('caffe') && /iter_size: 1/.test(k.text)), 'the caffe export is shown');
  // The sweep of the same model, data, optimizer and target is measured beside the prediction.
  const pred = rec.plots[0]!.spec as { layer: { data: { values: { series: string; batch: number }[] } }[] };
  assert.deepEqual(pred.layer[0]!.data.values.filter((v) => v.series === 'measured by a sweep').map((v) => v.batch), [16, 64, 256, 1024]);
  const sweep = plotsForRun(store, ids.sweep);
  assert.match(field(sweep, 'What the sweep found', 'critical batch (fit)')!, /^B_crit ≈ 500, S_min 100 steps/);
  assert.equal(field(plotsForRun(store, ids.fit), 'Memory fit', 'largest micro-batch'), '943');
});

test('a recommended warm-up is in the card\'s train command and in the exports', () => {
  const recommend = store.getRun(ids.recommend)!;
  const summary = JSON.parse(JSON.stringify(recommend.summary)) as { choice: Record<string, unknown> };
  const id = store.openRun('recommend', 'k-rec-warm', 'with a warm-up', recommend.config).run.id;
  store.finishRun(id, 'finished', { ...summary, choice: { ...summary.choice, warmupSteps: 37 } });
  const v = plotsForRun(store, id);
  assert.equal(field(v, 'Recommendation', 'learning rate'), '0.02, warmed up from 0 over 37 updates');
  assert.equal(field(plotsForRun(store, ids.recommend), 'Recommendation', 'learning rate'), '0.02');
  const code = v.cards.find((c) => c.title === 'Recommendation')!.code;
  assert.match(code[0]!.text, / --schedule constant --warmup-steps 37 --target-accuracy 0\.95$/);
  assert.match(code.find((k) => k.label.startsWith('deepspeed'))!.text, /"warmup_num_steps": 37/);
});

test('the HTML is one self-contained file: every script inline, no URL to fetch, one figure per plot', () => {
  const views = Object.values(ids).map((id) => plotsForRun(store, id));
  const html = reportHtml(views, { source: 'r.db', generatedAt: 'now' });
  assert.doesNotMatch(html, /<script[^>]+src=/i);
  assert.doesNotMatch(html, /<link[^>]+href=/i);
  assert.doesNotMatch(html, /@import|url\(\s*['"]?https?:/i);
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
  const figures = views.flatMap((v) => v.plots.map((p) => `run-${v.run.id}-${p.name}`));
  assert.equal((html.match(/<figure class="plot" id="/g) ?? []).length, figures.length);
  for (const id of figures) assert.ok(html.includes(`id="${id}"`), id);
});

test('linearTwin turns every log scale linear and is null without one', () => {
  const spec = { layer: [{ mark: 'point', encoding: { x: { field: 'b', scale: { type: 'log', nice: false, padding: 10 } }, y: { field: 's', scale: { zero: false } } } }] };
  assert.deepEqual(linearTwin(spec as never), { layer: [{ mark: 'point', encoding: { x: { field: 'b', scale: { type: 'linear', padding: 10 } }, y: { field: 's', scale: { zero: false } } } }] });
  assert.equal(linearTwin({ mark: 'bar', encoding: {} } as never), null);
});

test('a sweep with auto trials draws them along training, off the by-batch plots, each line held to the examples it saw', () => {
  const run = store.openRun('sweep', 'k-sweep-auto', 'mlp on mnist, momentum, target 0.95, with auto', { plan: { lrRefBatch: 32 } }).run.id;
  const fixed = sweepTrials(run);
  for (const t of fixed) store.recordTrial(t, curve(12, t.batchSize));
  const key = 'auto-b16-1024-lr0.01-s1';
  store.recordBatchChanges(run, key, 0, [
    { step: 0, examples: 0, microBatch: 16, iterSize: 1, lr: 0.01, bNoise: NaN, reason: 'start' },
    { step: 400, examples: 6_400, microBatch: 64, iterSize: 1, lr: 0.035, bNoise: 700, reason: 'goodput: larger' },
  ]);
  store.recordTrial({ ...fixed[0]!, key, batchSize: 16, detail: { batchLabel: 'auto', auto: { examples: 20_000 } } }, curve(12, 16));
  store.finishRun(run, 'finished', {});
  const v = plotsForRun(store, run);
  assert.deepEqual(names(v).slice(-1), ['auto-trials-along-training']);
  const plot = v.plots.find((p) => p.name === 'auto-trials-along-training')!;
  const line = (plot.spec as unknown as { vconcat: [{ layer: { data: { values: Record<string, unknown>[] } }[] }] }).vconcat[0].layer[0]!.data.values;
  assert.deepEqual(line.map((r) => [r['trial'], r['examples'], r['batch']]), [[key, 0, 16], [key, 6_400, 64], [key, 20_000, 64]]);
  const steps = v.plots.find((p) => p.name === 'steps-to-target-by-batch')!;
  assert.doesNotMatch(JSON.stringify(steps.spec), /auto-b16/, 'the auto trial is no batch size');
  assert.match(plot.caption, /C9/);
  assert.doesNotMatch(JSON.stringify(plot.spec), /tableau20/, 'one trial: the default colours');
  const many = autoTrialsAlongTraining(Array.from({ length: 12 }, (_, i) => ({ label: `auto-b16-1024-lr0.01-s${i}`, changes: [{ step: 0, examples: 0, microBatch: 16, iterSize: 1, lr: 0.01, bNoise: NaN, reason: 'start' }], endExamples: 100 })));
  assert.match(JSON.stringify(many.spec), /"scheme":"tableau20"/, 'twelve trials: twenty colours, none repeated');
});

test('the back-test\'s band: around the pilot\'s examples on the rate grid\'s plot (not after --refine-epochs), and shaded around every prediction', () => {
  const layersOf = (id: number) => ((plotsForRun(store, id).plots.find((p) => p.name === 'pilot-rates-extrapolated')!.spec as { layer: unknown[] }).layer.length);
  const plain = layersOf(ids.recommend);
  const summary = JSON.parse(JSON.stringify(store.getRun(ids.recommend)!.summary)) as Record<string, unknown>;
  const backtest = { stretch: 4.5, reached: 3, stoppedShort: 0, cases: [1, 2, 3].map((i) => ({ source: `run 1, verify-s${i}`, stretch: 4, ratio: 1 + i / 10 })), median: 1.2, low: 1.1, high: 1.3, band: 'extremes' };
  const withBand = (extra: object) => {
    const id = store.openRun('recommend', `k-band-${Object.keys(extra).length}`, 'with a back-test', store.getRun(ids.recommend)!.config).run.id;
    store.finishRun(id, 'finished', { ...summary, pilot: { lr: 0.01, extrapolation: { seenExamples: 8000, examplesToTarget: 36000 } }, backtest, ...extra });
    return id;
  };
  const shaded = (id: number) => ((plotsForRun(store, id).plots.find((p) => p.name === 'predicted-time-by-batch')!.spec as { layer: unknown[] }).layer.length);
  const [banded, refined] = [withBand({}), withBand({ refined: { lr: 0.01 } })];
  assert.equal(layersOf(banded), plain + 2);
  assert.equal(layersOf(refined), plain, 'the refined pilot is not on the plot: no band around it');
  // The predictions rest on the pilot the advice used, refined or not: both get the shaded band.
  assert.equal(shaded(banded), shaded(ids.recommend) + 1);
  assert.equal(shaded(refined), shaded(ids.recommend) + 1);
});
