/**
 * The browser lab's experiment pages, run in Node on onnxruntime-web's wasm (what the page runs):
 * their URL state, and that they train what the lab trains on the engine (same graphs, same
 * seeds, same figures).
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import * as ortWeb from 'onnxruntime-web';
import { basinRuns } from '../escape/basins.js';
import { escapeProblem } from '../escape/problem.js';
import { runRprop, RPROP_DEFAULTS } from '../rprop/rprop.js';
import { labAssets } from './assets.js';
import { queryOf, viewOf, type Control, type RunContext } from './controls.js';
import { escapeExperiment } from './escape-page.js';
import { decodeMnist, runMnistInPage, type MnistPoint } from './mnist-page.js';
import type { OrtModule } from './page-trainer.js';
import { rpropExperiment } from './rprop-page.js';

ortWeb.env.wasm.numThreads = 1;
const ort = ortWeb as unknown as OrtModule;
const mnist = async () => ({ train: decodeMnist(labAssets().get('data/mnist-train.bin')!.read()), test: decodeMnist(labAssets().get('data/mnist-test.bin')!.read()) });
const ctx: RunContext = { ort, sessionOptions: {}, stale: () => false, mnist };

test('a page view round-trips through its query; numbers clamp and snap to the slider, unknown choices fall back', () => {
  const controls: Control[] = [
    { kind: 'range', key: 'lr', param: 'lr', label: 'rate', min: 0.05, max: 0.8, step: 0.05, default: 0.3 },
    { kind: 'select', key: 'problem', param: 'p', label: 'problem', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }], default: 'a' },
  ];
  assert.deepEqual(viewOf(controls, queryOf(controls, { lr: 0.45, problem: 'b' })), { lr: 0.45, problem: 'b' });
  assert.deepEqual(viewOf(controls, 'lr=0.33&p=c'), { lr: 0.35, problem: 'a' });
  assert.deepEqual(viewOf(controls, 'lr=9'), { lr: 0.8, problem: 'a' });
  assert.deepEqual(viewOf(controls, 'lr=x'), { lr: 0.3, problem: 'a' });
  assert.equal(queryOf(controls, { lr: 0.45, problem: 'b' }), 'lr=0.45&p=b');
});

test('the rprop page trains, on onnxruntime-web, the paraboloid runs batchwise lab rprop trains on the engine', async () => {
  const view = viewOf(rpropExperiment.controls, 'problem=synthetic&B=32&kappa=10&epochs=3&seed=1');
  const page = (await rpropExperiment.run(ctx, view))!;
  const lab = await runRprop({ ...RPROP_DEFAULTS, problems: ['synthetic'], epochs: { synthetic: 3, mnist: 1 } });
  // The same four runs, the same updates and final losses (the lab's table, the page's table).
  assert.deepEqual(page.table.rows.map((r) => [r[0], r[1], r[3]]), lab.table.rows.map((r) => [r[1], r[2], r[3]]));
  page.table.rows.forEach((r, i) => assert.ok(Math.abs(Number(r[4]) / Number(lab.table.rows[i]![5]) - 1) < 0.01, `${r[0]}: page ${r[4]} vs lab ${lab.table.rows[i]![5]}`));
  assert.deepEqual(page.plots.map((p) => p.name), ['rprop-loss', 'rprop-flips']);
});

test('the escape page counts, on onnxruntime-web, the same escapes as the engine for the same seeds', async () => {
  const page = (await escapeExperiment.run(ctx, viewOf(escapeExperiment.controls, 'lr=0.3&epochs=10&seeds=5&seed=1')))!;
  const p = escapeProblem({ examples: 32 });
  const engine = await Promise.all([1, 16].map((b) => basinRuns(p, b, { lr: 0.3, epochs: 10, seed: 1, seeds: 5 })));
  const pageRow = (b: number) => page.table.rows.find((r) => r[0] === String(b))!;
  for (const r of engine) assert.equal(pageRow(r.batch)[2], `${Math.round(100 * r.fraction)}%`, `B = ${r.batch}`);
  // C2: every B = 1 run crosses the ridge, the full batch never does.
  assert.deepEqual([pageRow(1)[2], page.table.rows.at(-1)![0], page.table.rows.at(-1)![2]], ['100%', '32 (full)', '0%']);
  assert.equal(page.verdict.holds, true);
});

test('the in-page MNIST run trains with the chosen optimizer: Adam lowers the held-out loss at every batch size', async () => {
  const d = await mnist();
  const points: MnistPoint[] = [];
  const train = { ...d.train, count: 400, x: d.train.x.subarray(0, 400 * 784), labels: d.train.labels!.subarray(0, 400) };
  await runMnistInPage(ort, train, d.test, { batchSizes: [8, 64], epochs: 1, evalEvery: 400, seed: 1, optimizer: 'adam' }, (p) => points.push(p));
  for (const b of [8, 64]) {
    const ps = points.filter((p) => p.batch === b);
    assert.equal(ps.length, 2);
    assert.ok(ps[1]!.loss < 0.7 * ps[0]!.loss, `B = ${b}: ${ps[0]!.loss} → ${ps[1]!.loss}`);
  }
});
