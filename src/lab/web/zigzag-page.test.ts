import assert from 'node:assert/strict';
import test from 'node:test';
import * as ortWeb from 'onnxruntime-web';
import { runZigzag, ZIGZAG_DEFAULTS } from '../zigzag/zigzag.js';
import type { OrtModule } from './page-trainer.js';
import { queryOfView, runZigzagInPage, viewFromQuery, VIEW_BOUNDS } from './zigzag-page.js';

ortWeb.env.wasm.numThreads = 1;

test('the page state round-trips through the query string; bad values fall back or clamp', () => {
  const v = { batch: 5, lr: 0.3, condition: 40, seed: 3, optimizer: 'adam' } as const;
  assert.deepEqual(viewFromQuery(queryOfView(v)), v);
  assert.deepEqual(viewFromQuery('B=999&lr=abc&kappa=0&seed=2.6&opt=lbfgs'), { batch: VIEW_BOUNDS.batch.max, lr: VIEW_BOUNDS.lr.default, condition: 1, seed: 3, optimizer: 'sgd' });
  assert.deepEqual(viewFromQuery(''), { batch: 8, lr: 0.25, condition: 10, seed: 1, optimizer: 'sgd' });
  assert.equal(viewFromQuery('opt=rprop').optimizer, 'rprop');
});

test('the page draws, on onnxruntime-web, the paths batchwise lab zigzag trains on the engine', async () => {
  const view = { batch: 8, lr: 0.25, condition: 10, seed: 1, optimizer: 'sgd' } as const;
  const page = await runZigzagInPage(ortWeb as unknown as OrtModule, view);
  const lab = await runZigzag({ ...ZIGZAG_DEFAULTS, seed: 1 });
  const runs = lab.figures['runs'] as { batch: number; updates: number; lengthOverDisplacement: number; reversals: number; path: number[][] }[];
  assert.deepEqual(page.paths.map((p) => [p.batch, p.updates]), runs.map((r) => [r.batch, r.updates]));
  page.paths.forEach((p, i) => {
    const r = runs[i]!;
    assert.equal(p.reversals, r.reversals, `B = ${p.batch} reversals`);
    assert.ok(Math.abs(p.lengthOverDisplacement / r.lengthOverDisplacement - 1) < 1e-4, `B = ${p.batch}: ${p.lengthOverDisplacement} vs ${r.lengthOverDisplacement}`);
    const [a, b] = [p.path[p.path.length - 1]!, r.path[r.path.length - 1]!];
    assert.ok(Math.hypot(a[0] - b[0]!, a[1] - b[1]!) < 1e-3, `B = ${p.batch} ends at ${a} vs ${b}`);
  });
  // C5 in the page too: B = 1 wanders far more than the full batch.
  assert.ok(page.paths[0]!.lengthOverDisplacement > 3 * page.paths[2]!.lengthOverDisplacement);
  assert.deepEqual(page.plots.map((p) => p.name), ['zigzag-paths', 'zigzag-distance']);
});
