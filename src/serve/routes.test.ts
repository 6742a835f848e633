import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Store } from '../store/store.js';
import { route } from './routes.js';
import { curve, seedStore, sweepTrial, type Seeded } from './testing/fixtures.js';

let dir = '';
let writer: Store;
let reader: Store;
let ids: Seeded;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bw-routes-'));
  writer = Store.open(join(dir, 's.db'));
  ids = seedStore(writer, 3);
  reader = Store.openReadOnly(join(dir, 's.db'));
});
after(() => {
  reader.close();
  writer.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string) => route(reader, 'GET', url);
const body = (url: string) => JSON.parse(get(url).body) as Record<string, unknown>;

test('/api/runs lists every run, newest first, with its trial count, status and progress', () => {
  const runs = body('/api/runs')['runs'] as { id: number; kind: string; status: string; trials: number; progress: unknown }[];
  assert.deepEqual(
    runs.map((r) => [r.id, r.kind, r.status, r.trials, r.progress]),
    [
      [ids.fitId, 'fit', 'finished', 0, null],
      [ids.sweepId, 'sweep', 'running', 3, null],
    ],
  );
});

test('/api/runs/ID is the run view: the run, its cards and its plots, whose points are the store\u2019s metrics', () => {
  type Layer = { data?: { values: { key: string; batch: number; examples: number; accuracy: number }[] } };
  const v = body(`/api/runs/${ids.sweepId}`) as { run: { id: number }; cards: { title: string }[]; plots: { name: string; spec: { layer: Layer[] } }[] };
  assert.equal(v.run.id, ids.sweepId);
  assert.match(v.cards[0]!.title, new RegExp(`^Run ${ids.sweepId}: `));
  const curves = v.plots.find((p) => p.name === 'validation-curves');
  assert.ok(curves, `plots: ${v.plots.map((p) => p.name).join(', ')}`);
  const values = curves.spec.layer[0]!.data!.values;
  assert.equal(values.length, 3 * 4, 'four evaluations of three trials');
  // B=8 ran 510 steps: its first evaluation is at step 128 (128 × 8 examples) with 0.95 − 3 × 0.05.
  assert.deepEqual([values[0]!.key, values[0]!.batch, values[0]!.examples, values[0]!.accuracy], ['B=8 lr=0.05 seed=1', 8, 128 * 8, 0.95 - 3 * 0.05]);
  const fit = body(`/api/runs/${ids.fitId}`) as { plots: { name: string }[] };
  assert.ok(!fit.plots.some((p) => p.name === 'validation-curves'), 'a run without trials has no curve to plot');
});

test('/api/runs/ID/trials?after=N: the trials after the cursor, the next cursor, the status and the trial in progress', () => {
  const all = body(`/api/runs/${ids.sweepId}/trials?after=0`) as { cursor: number; status: string; trials: { id: number; key: string }[] };
  assert.deepEqual(all.trials.map((t) => t.key), ['B=8 lr=0.05 seed=1', 'B=16 lr=0.05 seed=1', 'B=32 lr=0.05 seed=1']);
  assert.equal(all.cursor, all.trials[2]!.id);
  assert.equal(all.status, 'running');
  const none = body(`/api/runs/${ids.sweepId}/trials?after=${all.cursor}`) as { cursor: number; trials: unknown[] };
  assert.deepEqual([none.cursor, none.trials.length], [all.cursor, 0]);

  writer.setProgress(ids.sweepId, { trialKey: 'B=64 lr=0.05 seed=1', step: 12 });
  const t = sweepTrial(ids.sweepId, 64, 0.05, { bestValAccuracy: NaN, status: 'diverged' });
  writer.recordTrial(t, curve(t.steps, 0.5));
  const next = body(`/api/runs/${ids.sweepId}/trials?after=${all.cursor}`) as { cursor: number; progress: unknown; trials: { key: string; bestValAccuracy: unknown; status: string }[] };
  assert.deepEqual(next.trials.map((x) => [x.key, x.status, x.bestValAccuracy]), [['B=64 lr=0.05 seed=1', 'diverged', null]], 'NaN travels as null');
  assert.deepEqual(next.progress, { trialKey: 'B=64 lr=0.05 seed=1', step: 12 });
  assert.ok(next.cursor > all.cursor);
  assert.equal((body(`/api/runs/${ids.sweepId}/trials`) as { trials: unknown[] }).trials.length, 4, 'no cursor: from the start');
});

test('the pages: HTML with the store\u2019s text escaped, and the vega builds inlined on a run page', () => {
  const index = get('/');
  assert.deepEqual([index.status, index.type], [200, 'html']);
  assert.ok(index.body.includes('\\u003cb>bold\\u003c/b>'), 'the label is in the inline JSON with < escaped');
  assert.ok(!index.body.includes('<b>bold'), 'never as markup');
  const page = get(`/runs/${ids.sweepId}`);
  assert.equal(page.status, 200);
  assert.ok(page.body.includes('&lt;b&gt;bold&lt;/b&gt;'));
  assert.ok(page.body.includes('vegaEmbed') && page.body.length > 500_000, 'vega, vega-lite and vega-embed inlined');
  assert.ok(!/<script[^>]+src=/i.test(page.body), 'no script loads from anywhere');
});

test('bad requests: 405, 400 or 404 with a short plain body that does not echo the request', () => {
  const cases: [string, string, number][] = [
    ['POST', '/api/runs', 405],
    ['DELETE', `/api/runs/${ids.sweepId}`, 405],
    ['GET', '/nope', 404],
    ['GET', '/api/runs/999999', 404],
    ['GET', '/runs/0', 404],
    ['GET', '/runs/abc', 404],
    ['GET', '/runs/1e999', 404],
    ['GET', '/runs/-1', 404],
    ['GET', `/runs/${ids.sweepId}/`, 404],
    ['GET', '/api/runs/99999999999999999999999', 404],
    ['GET', '/../../etc/passwd', 400],
    ['GET', '/runs/..', 400],
    ['GET', '/%2e%2e/%2e%2e/etc/passwd', 400],
    ['GET', '/runs%2f1', 400],
    ['GET', '/runs/%2E%2E%5Cwin.ini', 400],
    ['GET', '/api/runs/1/trials?after=abc', 400],
    ['GET', `/api/runs/${ids.sweepId}/trials?after=abc`, 400],
    ['GET', `/api/runs/${ids.sweepId}/trials?after=-1`, 400],
    ['GET', `/api/runs/${ids.sweepId}/trials?after=1e999`, 400],
    ['GET', `/api/runs/${ids.sweepId}/trials?after=1&after=2`, 400],
    ['GET', '/runs/<script>alert(1)</script>', 404],
    ['GET', 'http://evil.example/', 400],
  ];
  for (const [method, url, status] of cases) {
    const r = route(reader, method, url);
    assert.equal(r.status, status, `${method} ${url}`);
    assert.equal(r.type, 'text', `${method} ${url}`);
    assert.ok(r.body.length < 100 && !r.body.includes('script') && !r.body.includes('passwd'), `${method} ${url}: ${r.body}`);
  }
  assert.equal(route(reader, 'POST', '/').headers?.['Allow'], 'GET, HEAD');
  assert.equal(route(reader, 'HEAD', '/api/runs').status, 200);
});
