import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Store } from '../../store/store.js';
import { trial } from '../../store/testing/fixtures.js';
import { backtest, backtestCurve, describeBacktest, oncePerRun, problemKey, storedCurves, summarise, type Curve } from './backtest.js';

/** Validations at examples `from`·1.05^i (0.1 unless told) up to 1.2 × `until`. */
function curve(err: (e: number) => number, until: number, source = 'c', from = 0.1): Curve {
  const points = [];
  for (let e = from; e < until * 1.2; e *= 1.05) points.push({ examples: e, valAccuracy: 1 - err(e) });
  return { source, points };
}

test('a run whose error is one power law throughout is extrapolated to where it got there, to within one validation', () => {
  // err = 0.1·E^−0.5 reaches 1% at E = 100; validations are 5% apart.
  const c = backtestCurve(curve((e) => 0.1 * e ** -0.5, 100), 0.99, 3);
  assert.ok(c !== null);
  assert.ok(c.stretch > 3 / 1.06 && c.stretch < 3 * 1.06, `cut at stretch ${c.stretch}`);
  assert.ok(c.ratio >= 1 - 1e-9 && c.ratio <= 1.05 + 1e-9, `ratio ${c.ratio}`);
});

test('a run whose error flattens takes longer than its early power law says, and more so from further away', () => {
  // err = 0.1·E^−0.5 + 0.005 reaches 1% at E = 400, where the power law without the floor says 100-ish.
  const flat = curve((e) => 0.1 * e ** -0.5 + 0.005, 400);
  const near = backtestCurve(flat, 0.99, 1.5)!;
  const far = backtestCurve(flat, 0.99, 6)!;
  assert.ok(near.ratio > 1.1, `near ${near.ratio}`);
  assert.ok(far.ratio > near.ratio, `far ${far.ratio} against near ${near.ratio}`);
});

test('a run that never reached the target, or has no cut near the stretch, gives no case; one stopped short with such a cut is counted apart', () => {
  const never = curve((e) => 0.1 * e ** -0.5 + 0.02, 50);
  assert.equal(backtestCurve(never, 0.99, 2), null);
  // Validated only from 40 examples on: it reaches 1% error at 100, and no cut had ten times as far to go.
  const late = curve((e) => 0.1 * e ** -0.5, 100, 'late', 40);
  assert.equal(backtestCurve(late, 0.99, 10), null);
  assert.ok(backtestCurve(late, 0.99, 2) !== null);
  // The same power law stopped at about 48 examples (a budget): its last cut had about 2× to go, but it never got there.
  const stopped = curve((e) => 0.1 * e ** -0.5, 40, 'stopped');
  const b = backtest([never, late, stopped, curve((e) => 0.1 * e ** -0.5, 100, 'exact')], 0.99, 2);
  assert.deepEqual([b.reached, b.stoppedShort], [2, 1]);
  assert.deepEqual(b.cases.map((c) => c.source), ['late', 'exact']);
  const far = backtest([late], 0.99, 10);
  assert.deepEqual([far.reached, far.cases.length, far.median], [1, 0, null]);
});

test('a run kept twice, or kept again after a resume for more epochs, counts once; runs that part ways do not', () => {
  const run = curve((e) => 0.1 * e ** -0.5, 100, 'verify');
  const again = { source: 'verify again', points: [...run.points] };
  const shorter = { source: 'train steps=100', points: run.points.slice(0, 20) };
  const other = { source: 'another seed', points: run.points.map((p, i) => (i < 10 ? p : { ...p, valAccuracy: p.valAccuracy - 0.001 })) };
  assert.deepEqual(oncePerRun([shorter, run, again, other]).map((c) => c.source), ['verify', 'another seed']);
});

test('the band is the extremes below ten runs and the 10th–90th percentile from ten', () => {
  const cases = (rs: number[]) => rs.map((ratio, i) => ({ source: `r${i}`, stretch: 2, ratio }));
  const few = summarise(0.99, 2, 3, cases([2, 0.5, 1.05]));
  assert.deepEqual([few.median, few.low, few.high, few.band], [1.05, 0.5, 2, 'extremes']);
  assert.equal(few.within10, 1 / 3);
  assert.equal(few.within25, 1 / 3);
  const many = summarise(0.99, 2, 10, cases([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]));
  assert.equal(many.band, 'percentiles');
  assert.ok(Math.abs(many.low! - 1.9) < 1e-12 && Math.abs(many.high! - 9.1) < 1e-12 && many.median === 5.5);
  const none = summarise(0.99, 2, 0, []);
  assert.deepEqual([none.median, none.low, none.high, none.within10], [null, null, null, null]);
});

const BASE = { modelName: 'mlp', model: { name: 'mlp', layers: [] }, dataset: 'mnist', validationFraction: 0.1, testFraction: 0.1, optimizer: 'momentum', hyper: { lr: 0.02, weightDecay: 0 }, schedule: { kind: 'constant' }, warmupSteps: 0, batchSize: 32, seed: 1, targetAccuracy: 0.97 };

test('the problem is the model, data, split, optimizer with its settings and the schedule; not the rate, batch, seed or target', () => {
  const k = problemKey(BASE);
  assert.equal(problemKey({ ...BASE, hyper: { lr: 0.5, weightDecay: 0 }, batchSize: 1024, seed: 7, targetAccuracy: 0.99, epochs: 3, threads: 2 }), k);
  const changes = [{ dataset: 'fashion.idx' }, { testFile: 't10k.idx' }, { labelColumn: 'y' }, { optimizer: 'adam' }, { hyper: { lr: 0.02, weightDecay: 1e-4 } }, { schedule: { kind: 'cosine' } }, { validationFraction: 0.2 }, { model: { name: 'cnn', layers: [] } }, { bnBatch: 8 }, { warmupSteps: 100 }];
  for (const other of changes)
    assert.notEqual(problemKey({ ...BASE, ...other }), k, JSON.stringify(other));
  // A decaying schedule's rate at each step depends on the run's length: then the epochs count.
  const cosine = { ...BASE, schedule: { kind: 'cosine', minLr: 0 } };
  assert.notEqual(problemKey({ ...cosine, epochs: 3 }), problemKey({ ...cosine, epochs: 5 }));
  assert.equal(problemKey({ ...BASE, epochs: 3 }), problemKey({ ...BASE, epochs: 5 }));
  assert.equal(problemKey(null), null);
  assert.equal(problemKey({ model: 1 }), null);
});

test('the store gives the curves of fixed-batch runs of the same problem, in epochs, from sweeps, recommends and train runs, each once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-backtest-'));
  try {
    const store = Store.open(join(dir, 'runs.db'));
    const m = (acc: number[]) => acc.map((a, i) => ({ step: (i + 1) * 10, epochs: (i + 1) * 0.05, trainLoss: 0.1, valLoss: 0.1, valAccuracy: a, trainSeconds: i, samplesPerSec: 100 }));
    const sweep = store.openRun('sweep', 's', 'sweep', { base: BASE, plan: {} }).run.id;
    store.recordTrial(trial(sweep, 'b32-lr0.02-s1', { detail: {} }), m([0.9, 0.95, 0.97]));
    store.recordTrial(trial(sweep, 'auto-b16-lr0.02-s1', { detail: { batchLabel: 'auto' } }), m([0.9, 0.96]));
    const rec = store.openRun('recommend', 'r', 'recommend', { base: { ...BASE, hyper: { lr: 0.1, weightDecay: 0 } } }).run.id;
    store.recordTrial(trial(rec, 'verify', { detail: {} }), m([0.91]));
    store.recordTrial(trial(rec, 'verify-auto', { detail: { auto: { startBatch: 16 } } }), m([0.91]));
    // The same advice verified again: the same run, kept once.
    const again = store.openRun('recommend', 'r2', 'recommend', { base: BASE }).run.id;
    store.recordTrial(trial(again, 'verify', { detail: {} }), m([0.91]));
    const train = store.openRun('train', 't', 'train', { ...BASE, batchSize: 256 }).run.id;
    store.recordTrial(trial(train, 'steps=3', { detail: {} }), m([0.8, 0.85]));
    const adaptive = store.openRun('train', 'a', 'train', { ...BASE, adaptive: { minBatch: 16 } }).run.id;
    store.recordTrial(trial(adaptive, 'steps=2', { detail: {} }), m([0.8, 0.9]));
    const other = store.openRun('sweep', 'o', 'other data', { base: { ...BASE, dataset: 'other' } }).run.id;
    store.recordTrial(trial(other, 'b32-lr0.02-s1', { detail: {} }), m([0.5]));
    const curves = storedCurves(store, { ...BASE, batchSize: 64, targetAccuracy: 0.99 });
    assert.deepEqual(curves.map((c) => c.source), [`run ${sweep}, b32-lr0.02-s1`, `run ${rec}, verify`, `run ${train}, steps=3`]);
    assert.deepEqual(curves[0]!.points, [0.9, 0.95, 0.97].map((a, i) => ({ examples: (i + 1) * 0.05, valAccuracy: a })));
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the two lines say how far the extrapolation reached and, where runs could test it, the band it puts on the steps', () => {
  const fmt = (x: number) => x.toLocaleString('en-US');
  const head = 'extrapolated: the pilot\'s examples to the target lie 3.23× beyond what it trained';
  const cases = (rs: number[]) => rs.map((ratio, i) => ({ source: `run 1, verify-s${i}`, stretch: 3, ratio }));
  assert.deepEqual(describeBacktest(summarise(0.99, 3.23, 0, []), 5447.4, fmt), [head, 'not back-tested: no run of this problem kept in the store reached the target (a sweep or --verify of it would give one)']);
  assert.deepEqual(describeBacktest(summarise(0.99, 3.23, 2, []), 5447.4, fmt), [head, 'not back-tested: none of the 2 runs of this problem in the store that reached the target had a cut with about that far to go']);
  assert.deepEqual(describeBacktest(summarise(0.99, 3.23, 1, [], 1), 5447.4, fmt), [
    head,
    'not back-tested: the 1 run of this problem in the store that reached the target had no cut with about that far to go',
    'not in the band: 1 run of this problem with such a cut stopped before the target, so it took longer than any ratio there says',
  ]);
  assert.equal(describeBacktest(summarise(0.99, 3.23, 3, cases([1.2, 1.3]), 2), 100, fmt)[2], 'not in the band: 2 runs of this problem with such a cut stopped before the target, so they took longer than any ratio there says');
  const cut = 'back-tested on %s of this problem kept in the store, %s where that extrapolation had as far to go';
  assert.equal(describeBacktest(summarise(0.99, 3.23, 1, cases([1.5])), 5447.4, fmt)[1], `${cut.replace('%s', '1 run').replace('%s', 'cut')}: it took 1.50× what it said, so the 5,447 steps predicted could be about 8,171 (one run gives no spread)`);
  assert.equal(
    describeBacktest(summarise(0.99, 3.23, 6, cases([0.88, 1.05, 1.6, 1.78, 2.5, 3.37])), 5447.4, fmt)[1],
    `${cut.replace('%s', '6 runs').replace('%s', 'each cut')}: they took 0.88–3.37× what it said (all 6; median 1.69×, 1 within 10%), so the 5,447 steps predicted could be about 4,793–18,356`,
  );
  const ten = describeBacktest(summarise(0.99, 3.23, 10, cases([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])), 100, fmt)[1];
  assert.ok(ten.endsWith('they took 1.90–9.10× what it said (10th–90th percentile of 10; median 5.50×, 1 within 10%), so the 100 steps predicted could be about 190–910'), ten);
});
