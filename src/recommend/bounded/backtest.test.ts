import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Store } from '../../store/store.js';
import { trial } from '../../store/testing/fixtures.js';
import { backtest, backtestCurve, describeBacktest, problemKey, storedCurves, summarise, type Curve } from './backtest.js';

/** Validations at examples 0.1·1.05^i while the error curve says the run has not passed `until`. */
function curve(err: (e: number) => number, until: number, source = 'c'): Curve {
  const points = [];
  for (let e = 0.1; e < until * 1.2; e *= 1.05) points.push({ examples: e, valAccuracy: 1 - err(e) });
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

test('a run that never reached the target, or has no cut near the stretch, gives no case', () => {
  const never = curve((e) => 0.1 * e ** -0.5 + 0.02, 50);
  assert.equal(backtestCurve(never, 0.99, 2), null);
  // Reached at its fourth validation: every cut is within a few validations of the end.
  assert.equal(backtestCurve(curve((e) => 0.1 * e ** -0.5, 0.12), 0.99, 10), null);
  const b = backtest([never, curve((e) => 0.1 * e ** -0.5, 100, 'exact')], 0.99, 2);
  assert.equal(b.reached, 1);
  assert.deepEqual(b.cases.map((c) => c.source), ['exact']);
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
  for (const other of [{ dataset: 'fashion.idx' }, { optimizer: 'adam' }, { hyper: { lr: 0.02, weightDecay: 1e-4 } }, { schedule: { kind: 'cosine' } }, { validationFraction: 0.2 }, { model: { name: 'cnn', layers: [] } }])
    assert.notEqual(problemKey({ ...BASE, ...other }), k, JSON.stringify(other));
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
  const cut = 'back-tested on %s of this problem kept in the store, each cut where that extrapolation had as far to go';
  assert.equal(describeBacktest(summarise(0.99, 3.23, 1, cases([1.5])), 5447.4, fmt)[1], `${cut.replace('%s', '1 run')}: it took 1.50× what it said, so the 5,447 steps predicted could be about 8,171 (one run gives no spread)`);
  assert.equal(
    describeBacktest(summarise(0.99, 3.23, 6, cases([0.88, 1.05, 1.6, 1.78, 2.5, 3.37])), 5447.4, fmt)[1],
    `${cut.replace('%s', '6 runs')}: they took 0.88–3.37× what it said (all 6; median 1.69×, 1 within 10%), so the 5,447 steps predicted could be about 4,793–18,356`,
  );
  const ten = describeBacktest(summarise(0.99, 3.23, 10, cases([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])), 100, fmt)[1];
  assert.ok(ten.endsWith('they took 1.90–9.10× what it said (10th–90th percentile of 10; median 5.50×, 1 within 10%), so the 100 steps predicted could be about 190–910'), ten);
});
