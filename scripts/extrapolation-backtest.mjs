#!/usr/bin/env node
// How good the bounded pilot's extrapolation is (recommend's default prediction of the steps to
// a target), measured on every fixed-batch run kept in the stores given: each run that reached a
// target is cut where the extrapolation from its own first validations still had STRETCH times
// further to go, and what that said is set against the examples it really took (backtest.ts).
//
//   npm run bench:extrapolation -- runs/sweep.db runs/advice.db     # STORE…  [--stretch 1.5,2,3,5,8] [--fits]
//
// A run kept in more than one store counts once. Targets: those the runs were given. The last
// column asks whether moving the prediction by the median of the other runs would bring it closer.
// With --fits, other fits of the same validations are set beside recommend's (fits.mjs), each run
// cut where it had `stretch` times its examples still to go, the same cut for every fit.
import { Store } from '../dist/store/store.js';
import { backtest, oncePerRun, storedProblems, summarise } from '../dist/recommend/bounded/backtest.js';
import { compareFits } from './fits.mjs';

const args = process.argv.slice(2);
let stretches = null;
let fits = false;
const dbs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--stretch') stretches = (args[++i] ?? '').split(',').map(Number);
  else if (args[i] === '--fits') fits = true;
  else dbs.push(args[i]);
}
stretches ??= fits ? [1.5, 2, 3] : [1.5, 2, 3, 5, 8];
if (dbs.length === 0 || stretches.some((s) => !(s >= 1))) {
  console.error('usage: npm run bench:extrapolation -- STORE… [--stretch 1.5,2,3,5,8] [--fits], each stretch 1 or more');
  process.exit(2);
}
const problems = new Map();
for (const path of dbs) {
  let store;
  try {
    store = Store.openReadOnly(path);
  } catch (e) {
    console.error(`cannot read the store ${path}: ${e.message}`);
    process.exit(2);
  }
  for (const [key, p] of storedProblems(store)) {
    const into = problems.get(key) ?? { label: p.label, targets: new Set(), curves: [] };
    problems.set(key, into);
    for (const t of p.targets) into.targets.add(t);
    for (const c of p.curves) into.curves.push({ ...c, source: `${path}: ${c.source}` });
  }
  store.close();
}
const x = (v) => (v === null ? '–' : `${v.toFixed(2)}×`);
// Would moving the prediction by the other runs' median help? Each run's ratio against the median
// of the rest (leave one out): the share within 25% of 1, as against the share of the raw ratios.
const corrected = (cases) =>
  cases.length < 3 ? null : cases.filter((c, i) => Math.abs(Math.log(c.ratio / summarise(0, 0, 0, cases.filter((_, j) => j !== i)).median)) <= Math.log(1.25)).length / cases.length;
const share = (v) => (v === null ? '–' : `${Math.round(v * 100)}%`);
for (const p of problems.values()) {
  const curves = oncePerRun(p.curves);
  if (fits) {
    compareFits(p.label, curves, [...p.targets].sort((a, b) => a - b), stretches);
    continue;
  }
  for (const target of [...p.targets].sort((a, b) => a - b)) {
    const rows = stretches.map((s) => backtest(curves, target, s));
    if (rows[0].reached === 0) continue;
    console.log(`\n${p.label}, to ${(target * 100).toFixed(1)}%: ${rows[0].reached} of ${curves.length} kept runs reached it`);
    console.log('| stretch left at the cut | runs cut there (and stopped short of the target) | taken ÷ extrapolated, median | band | within 10% | within 25% | within 25% of the others\' median |');
    console.log('|---|---|---|---|---|---|---|');
    for (const b of rows) {
      const band = b.low === null ? '–' : `${x(b.low)}–${x(b.high)} (${b.band === 'percentiles' ? '10th–90th percentile' : 'all'})`;
      console.log(`| ${b.stretch}× | ${b.cases.length}${b.stoppedShort > 0 ? ` (${b.stoppedShort})` : ''} | ${x(b.median)} | ${band} | ${share(b.within10)} | ${share(b.within25)} | ${share(corrected(b.cases))} |`);
    }
  }
}
