// Other fits of a pilot's validations, beside recommend's own, for `npm run bench:extrapolation
// -- STORE… --fits`: would another curve through the same points have predicted the examples to
// the target better? Each run that reached the target is cut after its last validation at or
// before 1/stretch of the examples it took, the same cut for every fit (a run with fewer than three
// validations there is not cut), and each fit extrapolates from there. A fit refuses, like
// recommend's, when it has too few points, the error is not falling, or the target lies more than
// MAX_STRETCH times further. A bench, not the advisor: recommend uses `examplesToTarget` alone.
import { bestErrorsSoFar, examplesToTarget, fitPower, laterTwoThirds, MAX_STRETCH } from '../dist/recommend/bounded/extrapolate.js';
import { summarise } from '../dist/recommend/bounded/backtest.js';

/** recommend's power law, through the validations `later` picks of the best-so-far errors. */
const power = (later) => (pts, target) => {
  const est = examplesToTarget(pts, target, later);
  return est.ok ? est.examples : null;
};

/**
 * log err = a + b·u + c·u² (u = log examples) through the later two thirds (at least four), curving
 * only towards flat: where the best parabola curves the other way, the best straight line (c = 0).
 */
function parabola(pts, target) {
  const b = bestErrorsSoFar(pts);
  if (b.length < 4) return null;
  const later = b.slice(Math.min(Math.floor(b.length / 3), b.length - 4));
  const us = later.map((e) => Math.log(e.examples));
  const mu = us.reduce((s, u) => s + u, 0) / us.length;
  const rows = later.map((e, i) => [1, us[i] - mu, (us[i] - mu) ** 2, Math.log(e.err)]);
  // Normal equations, 3×3, by Cramer's rule.
  const m = [0, 1, 2].map((j) => [0, 1, 2].map((k) => rows.reduce((s, r) => s + r[j] * r[k], 0)));
  const v = [0, 1, 2].map((j) => rows.reduce((s, r) => s + r[j] * r[3], 0));
  const det = (a) => a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det(m);
  if (!(Math.abs(d) > 1e-12)) return null;
  let [a0, a1, a2] = [0, 1, 2].map((j) => det(m.map((row, i) => row.map((x, k) => (k === j ? v[i] : x)))) / d);
  if (a2 < 0) {
    // Least squares with c = 0, in the same centred u.
    const line = fitPower(later.map((e) => ({ x: e.examples, y: e.err })));
    if (line === null) return null;
    [a0, a1, a2] = [Math.log(line.coefficient) + line.exponent * mu, line.exponent, 0];
  }
  const goal = Math.log(1 - target);
  const last = us[us.length - 1] - mu;
  // Walk forward in log examples until the curve reaches the target, or flattens first.
  for (let u = last; u <= last + Math.log(MAX_STRETCH); u += 1e-3) {
    if (a0 + a1 * u + a2 * u * u <= goal) return Math.max(Math.exp(u + mu), b[b.length - 1].examples);
    if (a1 + 2 * a2 * u >= 0) return null;
  }
  return null;
}

export const FITS = {
  "recommend's: power law through the later two thirds": power(laterTwoThirds),
  'power law through the later half': power((b) => b.slice(Math.min(Math.floor(b.length / 2), b.length - 3))),
  'power law through the last four': power((b) => b.slice(Math.max(0, b.length - 4))),
  'log–log parabola, flattening only': parabola,
};

const x = (v) => (v === null ? '–' : `${v.toFixed(2)}×`);
const share = (v) => (v === null ? '–' : `${Math.round(v * 100)}%`);

export function compareFits(label, curves, targets, stretches) {
  for (const target of targets) {
    const reaching = curves.map((c) => ({ c, hit: c.points.findIndex((q) => q.valAccuracy >= target) })).filter((r) => r.hit >= 3);
    if (reaching.length === 0) continue;
    console.log(`\n${label}, to ${(target * 100).toFixed(1)}%: ${reaching.length} of ${curves.length} kept runs reached it`);
    console.log('| fit | cut at 1/stretch of the examples taken | runs extrapolated (refused; too early to cut) | taken ÷ extrapolated, median | band | within 10% | within 25% |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [name, fit] of Object.entries(FITS)) {
      for (const s of stretches) {
        const cases = [];
        let refused = 0;
        let uncut = 0;
        for (const { c, hit } of reaching) {
          const taken = c.points[hit].examples;
          const k = c.points.findIndex((q) => q.examples > taken / s);
          if (k < 3) {
            uncut++;
            continue;
          }
          const e = fit(c.points.slice(0, k), target);
          if (e === null) refused++;
          else cases.push({ source: c.source, stretch: s, ratio: taken / e });
        }
        const b = summarise(target, s, reaching.length, cases);
        const band = b.low === null ? '–' : `${x(b.low)}–${x(b.high)}${b.band === 'percentiles' ? '' : ' (all)'}`;
        console.log(`| ${name} | ${s}× | ${cases.length} (${refused}; ${uncut}) | ${x(b.median)} | ${band} | ${share(b.within10)} | ${share(b.within25)} |`);
      }
    }
  }
}
