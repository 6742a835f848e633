import assert from 'node:assert/strict';
import test from 'node:test';
import { beyondGrid, gridEdge, nextEdgeRate, searchRates, type RateResult } from './edges.js';

/**
 * A fake trainer: steps to target grow with the distance from `optimum` in octaves; a rate above
 * `failAbove` fails (diverged or stalled: null steps). The best rate has the fewest steps.
 */
function fake(optimum: number, failAbove = Infinity) {
  const ran: number[] = [];
  // The runner's null means "interrupted", so a failed trial is { steps: null }.
  const run = async (lr: number) => {
    ran.push(lr);
    return { steps: lr > failAbove ? null : 100 * (1 + Math.abs(Math.log2(lr / optimum))) };
  };
  const best = (tried: readonly RateResult<{ steps: number | null }>[]) => {
    const ok = tried.filter((t) => t.result.steps !== null);
    return ok.length === 0 ? null : ok.reduce((a, b) => (b.result.steps! < a.result.steps! ? b : a)).lr;
  };
  return { ran, run, best };
}

const GRID = [0.02, 0.01, 0.04]; // middle-out order of 0.01, 0.02, 0.04

test('gridEdge: lowest, highest, interior, all failed, a single rate', () => {
  assert.equal(gridEdge([0.02, 0.01, 0.04], 0.01), 'lowest');
  assert.equal(gridEdge([0.02, 0.01, 0.04], 0.04), 'highest');
  assert.equal(gridEdge([0.02, 0.01, 0.04], 0.02), null);
  assert.equal(gridEdge([0.02, 0.01, 0.04], null), 'all-failed');
  assert.equal(gridEdge([0.02, 0.02], 0.02), 'single');
  assert.deepEqual(beyondGrid([0.02, 0.01, 0.04, 0.005, 0.0025, 0.08], GRID), { below: 2, above: 1 });
});

test('nextEdgeRate halves below the smallest or doubles above the largest, within 3 per side and [1e-6, 10]', () => {
  assert.equal(nextEdgeRate(GRID, GRID, 0.01), 0.005);
  assert.equal(nextEdgeRate(GRID, GRID, 0.04), 0.08);
  assert.equal(nextEdgeRate(GRID, GRID, 0.02), null);
  assert.equal(nextEdgeRate(GRID, GRID, null), 0.005);
  assert.equal(nextEdgeRate([...GRID, 0.005, 0.0025], GRID, 0.0025), 0.00125);
  assert.equal(nextEdgeRate([...GRID, 0.005, 0.0025, 0.00125], GRID, 0.00125), null);
  // Three above do not use up the side below.
  assert.equal(nextEdgeRate([...GRID, 0.08, 0.16, 0.32], GRID, 0.01), 0.005);
  assert.equal(nextEdgeRate([2, 4, 8], [2, 4, 8], 8), null);
  assert.equal(nextEdgeRate([4e-6, 2e-6], [4e-6, 2e-6], 2e-6), 1e-6);
  assert.equal(nextEdgeRate([2e-6, 4e-6], [2e-6, 4e-6], 2e-6, { perSide: 3, minLr: 1.5e-6, maxLr: 10 }), null);
  assert.equal(nextEdgeRate([0.02], [0.02], 0.02), null);
});

test('a best rate on the low edge walks down until it is interior', async () => {
  const f = fake(0.003);
  const s = await searchRates({ grid: GRID, run: f.run, best: f.best, extend: true });
  assert.deepEqual(f.ran, [0.02, 0.01, 0.04, 0.005, 0.0025, 0.00125]);
  assert.deepEqual([s.edge, s.below, s.above, s.interrupted], [null, 3, 0, false]);
});

test('a best rate on the high edge walks up until it is interior', async () => {
  const f = fake(0.1);
  const s = await searchRates({ grid: GRID, run: f.run, best: f.best, extend: true });
  assert.deepEqual(f.ran, [0.02, 0.01, 0.04, 0.08, 0.16]);
  assert.deepEqual([s.edge, s.below, s.above], [null, 0, 2]);
});

test('the bound is hit: the best stays on its edge and the search says so', async () => {
  const f = fake(1e-4);
  const s = await searchRates({ grid: GRID, run: f.run, best: f.best, extend: true });
  assert.deepEqual(f.ran, [0.02, 0.01, 0.04, 0.005, 0.0025, 0.00125]);
  assert.deepEqual([s.edge, s.below], ['lowest', 3]);
  const capped = fake(100);
  const c = await searchRates({ grid: [4, 2, 8], run: capped.run, best: capped.best, extend: true });
  assert.deepEqual(capped.ran, [4, 2, 8]);
  assert.deepEqual([c.edge, c.above], ['highest', 0]);
});

test('when every rate fails the search goes down until one works and is interior', async () => {
  const f = fake(0.002, 0.003);
  const s = await searchRates({ grid: GRID, run: f.run, best: f.best, extend: true });
  assert.deepEqual(f.ran, [0.02, 0.01, 0.04, 0.005, 0.0025, 0.00125]);
  assert.deepEqual([s.edge, s.below], [null, 3]);
  const dead = fake(0.002, 0);
  const d = await searchRates({ grid: GRID, run: dead.run, best: dead.best, extend: true });
  assert.deepEqual([d.edge, d.tried.length], ['all-failed', 6]);
});

test('without extension the grid alone is run and its edge reported; a single rate that worked is not extended', async () => {
  const f = fake(0.003);
  const s = await searchRates({ grid: GRID, run: f.run, best: f.best, extend: false });
  assert.deepEqual([f.ran, s.edge], [GRID, 'lowest']);
  const one = fake(0.003);
  assert.equal((await searchRates({ grid: [0.02], run: one.run, best: one.best, extend: true })).edge, 'single');
  assert.deepEqual(one.ran, [0.02]);
  // A single rate that failed is all-failed: down until the best is interior.
  const failed = fake(0.01, 0.015);
  const f2 = await searchRates({ grid: [0.02], run: failed.run, best: failed.best, extend: true });
  assert.deepEqual([failed.ran, f2.edge], [[0.02, 0.01, 0.005], null]);
});

test('a search interrupted part-way and run again from stored results asks for the same rates and runs none twice', async () => {
  const whole = fake(0.003);
  await searchRates({ grid: GRID, run: whole.run, best: whole.best, extend: true });
  const stored = new Map<number, { steps: number | null }>();
  const f = fake(0.003);
  const runs: number[] = [];
  const cached = (limit: number) => async (lr: number) => {
    const found = stored.get(lr);
    if (found) return found;
    if (runs.length >= limit) return null;
    runs.push(lr);
    const r = await f.run(lr);
    stored.set(lr, r);
    return r;
  };
  const first = await searchRates({ grid: GRID, run: cached(4), best: f.best, extend: true });
  assert.deepEqual([first.interrupted, first.tried.length], [true, 4]);
  const rest = await searchRates({ grid: GRID, run: cached(Infinity), best: f.best, extend: true });
  assert.equal(rest.interrupted, false);
  assert.deepEqual(rest.tried.map((t) => t.lr), whole.ran);
  assert.deepEqual(runs, whole.ran);
});
