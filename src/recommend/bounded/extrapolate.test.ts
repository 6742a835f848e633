import assert from 'node:assert/strict';
import test from 'node:test';
import { examplesToTarget, extendSegments, fitPower, MAX_STRETCH, noiseGrowth } from './extrapolate.js';

const close = (a: number, b: number, rel = 1e-9) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} ≠ ${b}`);

test('a power law is fitted exactly in log–log', () => {
  const f = fitPower([1, 2, 4, 8].map((x) => ({ x, y: 3 * Math.pow(x, -0.5) })))!;
  close(f.coefficient, 3);
  close(f.exponent, -0.5);
  assert.equal(f.points, 4);
  assert.equal(fitPower([{ x: 1, y: 1 }]), null);
  assert.equal(fitPower([{ x: 2, y: 1 }, { x: 2, y: 3 }]), null, 'no spread in x');
});

test('examples to target: where the later validations’ best-so-far error power law crosses 1 − target', () => {
  // err = 0.5 · E^(-0.4): the first two points (off the law) are left out of the fit.
  const law = (e: number) => 0.5 * Math.pow(e, -0.4);
  const evals = [1000, 2000, 4000, 6000, 8000, 10000].map((examples, i) => ({ examples, valAccuracy: 1 - (i < 2 ? 0.5 : law(examples)) }));
  const r = examplesToTarget(evals, 0.99);
  assert.ok(r.ok);
  close(r.examples, Math.pow(0.01 / 0.5, 1 / -0.4));
  close(r.fit.exponent, -0.4);
  assert.equal(r.fit.points, 4);
  // A validation that jumps back up counts as the best before it: the same fit as without it.
  const jumpy = [...evals.slice(0, 4), { examples: 7000, valAccuracy: 0.9 }, ...evals.slice(4)];
  const j = examplesToTarget(jumpy, 0.99);
  assert.ok(j.ok && j.fit.points === 5 && j.fit.exponent < 0);
  // Already past the target by the law: never fewer examples than were seen.
  const near = examplesToTarget(evals, 0.9);
  assert.ok(near.ok && near.examples === 10000);
  assert.deepEqual(examplesToTarget(evals.slice(0, 2), 0.99), { ok: false, reason: 'too-few', fit: null });
  // Never better than the first: the best so far stays flat.
  const rising = examplesToTarget([1, 2, 3, 4].map((k) => ({ examples: k * 1000, valAccuracy: 0.9 - k / 100 })), 0.95);
  assert.equal(rising.ok ? null : rising.reason, 'not-falling');
  const far = examplesToTarget(evals, 0.9999);
  assert.equal(far.ok ? null : far.reason, 'too-far');
  assert.ok(Math.pow(1e-4 / 0.5, 1 / -0.4) > MAX_STRETCH * 10000);
});

test('the noise scale’s growth keeps its exponent within [0, 2]', () => {
  const g = noiseGrowth([100, 200, 400].map((examples) => ({ examples, bNoise: 2 * Math.pow(examples, 0.7) })))!;
  close(g.exponent, 0.7);
  close(g.coefficient, 2);
  // Falling noise scale: held flat at the points' geometric mean.
  const flat = noiseGrowth([{ examples: 100, bNoise: 400 }, { examples: 400, bNoise: 100 }])!;
  assert.equal(flat.exponent, 0);
  close(flat.coefficient, 200);
  // The measurement at initialisation (E = 0) cannot enter a log–log fit.
  assert.equal(noiseGrowth([{ examples: 0, bNoise: 50 }, { examples: 100, bNoise: 60 }]), null);
});

test('extrapolated segments cover exactly the examples from the bound to the target', () => {
  const measured = [{ examples: 500, bNoise: 10 }];
  const s = extendSegments(measured, 1000, 16000, { coefficient: 1, exponent: 1, points: 3 }, 99);
  assert.equal(s.length, 5);
  assert.deepEqual(s[0], measured[0]);
  // Pieces 1000–2000–4000–8000–16000, each at the law's value at its geometric middle.
  s.slice(1).forEach((g, i) => close(g.examples, 1000 * Math.pow(2, i)));
  s.slice(1).forEach((g, i) => close(g.bNoise, 1000 * Math.pow(2, i) * Math.SQRT2));
  // No law: the last measured value; no stretch: nothing added.
  assert.deepEqual(extendSegments(measured, 1000, 1000 * 16, null, 99).slice(1).map((g) => g.bNoise), [99, 99, 99, 99]);
  assert.deepEqual(extendSegments(measured, 1000, 1000, null, 99), measured);
});
