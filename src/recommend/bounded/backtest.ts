/**
 * How far to trust a bounded pilot's extrapolation, from runs that went all the way. The pilot
 * stopped where the target lay `stretch` times further than it had trained and extrapolated the
 * rest (extrapolate.ts). Runs of the same problem that reached the target are cut where the same
 * extrapolation, made from their own first validations, had about the same stretch left, and what
 * it said is set against the examples they really took. The spread of those ratios is the
 * prediction's error as measured on this problem; nothing here is tuned on any data set.
 *
 * One ratio per run (its cut nearest the pilot's stretch), so that a long run's many cuts do not
 * outvote the others. The run's examples are counted in epochs: a ratio does not depend on the unit.
 */
import type { Store } from '../../store/store.js';
import { examplesToTarget } from './extrapolate.js';

/** A run's cut counts only where its extrapolation's stretch is within this factor of the pilot's. */
export const STRETCH_FACTOR = 1.5;
/** From this many runs the band is the 10th–90th percentile; below it, the smallest to the largest. */
export const PERCENTILE_RUNS = 10;

export interface CurvePoint {
  readonly examples: number;
  readonly valAccuracy: number;
}

export interface Curve {
  /** Where the run is kept: "run 4, verify-s2". */
  readonly source: string;
  readonly points: readonly CurvePoint[];
}

export interface BacktestCase {
  readonly source: string;
  /** The cut's extrapolation: examples to the target over examples seen. */
  readonly stretch: number;
  /** Examples the run took to its first validation at the target, over those the cut extrapolated. */
  readonly ratio: number;
}

export interface Backtest {
  readonly target: number;
  /** The pilot's stretch the runs were cut to match. */
  readonly stretch: number;
  /** Runs of the problem whose validations reached the target. */
  readonly reached: number;
  /** Runs that stopped before the target although they had a cut near the pilot's stretch: they are not in the band. */
  readonly stoppedShort: number;
  /** Those that reached it with a cut near the pilot's stretch: one case each. */
  readonly cases: readonly BacktestCase[];
  /** Of the ratios, when there are any: the median, and the band (percentiles or extremes, `band`). */
  readonly median: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly band: 'percentiles' | 'extremes';
  /** Share of the ratios within 10% and 25% of 1, as factors: r within 1/1.1…1.1 is within 10%. */
  readonly within10: number | null;
  readonly within25: number | null;
}

/** Of the cuts after 3…`upTo` validations, the one whose extrapolation's stretch comes nearest `stretch`, within STRETCH_FACTOR; null when none does. */
function nearestCut(pts: readonly CurvePoint[], target: number, stretch: number, upTo: number): { stretch: number; examples: number } | null {
  let best: { stretch: number; examples: number } | null = null;
  for (let k = 3; k <= upTo; k++) {
    const est = examplesToTarget(pts.slice(0, k), target);
    if (!est.ok) continue;
    const s = est.examples / pts[k - 1]!.examples;
    const off = Math.abs(Math.log(s / stretch));
    if (off <= Math.log(STRETCH_FACTOR) && (best === null || off < Math.abs(Math.log(best.stretch / stretch)))) best = { stretch: s, examples: est.examples };
  }
  return best;
}

/** The run cut where its extrapolation's stretch comes nearest `stretch` (within STRETCH_FACTOR); null when none does or it never reached the target. */
export function backtestCurve(curve: Curve, target: number, stretch: number): BacktestCase | null {
  const hit = curve.points.findIndex((p) => p.valAccuracy >= target);
  if (hit < 3) return null;
  const cut = nearestCut(curve.points, target, stretch, hit);
  return cut === null ? null : { source: curve.source, stretch: cut.stretch, ratio: curve.points[hit]!.examples / cut.examples };
}

function quantile(sorted: readonly number[], q: number): number {
  const i = q * (sorted.length - 1);
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

/**
 * Every curve back-tested at the pilot's stretch, and the ratios summarised; pure. A run that never
 * reached the target but had a cut near the stretch took longer than any ratio could say: it is
 * not in the band, and counted as `stoppedShort`, so that a reader knows the band leaves it out.
 */
export function backtest(curves: readonly Curve[], target: number, stretch: number): Backtest {
  const reaches = (c: Curve) => c.points.some((p) => p.valAccuracy >= target);
  const reaching = curves.filter(reaches);
  const stoppedShort = curves.filter((c) => !reaches(c) && nearestCut(c.points, target, stretch, c.points.length) !== null).length;
  return summarise(target, stretch, reaching.length, reaching.flatMap((c) => backtestCurve(c, target, stretch) ?? []), stoppedShort);
}

/** The cases' ratios: median, band and shares within 10% and 25%. */
export function summarise(target: number, stretch: number, reached: number, cases: readonly BacktestCase[], stoppedShort = 0): Backtest {
  const ratios = cases.map((c) => c.ratio).sort((a, b) => a - b);
  const band = ratios.length >= PERCENTILE_RUNS ? 'percentiles' : 'extremes';
  const none = ratios.length === 0;
  const within = (f: number) => (none ? null : ratios.filter((r) => Math.abs(Math.log(r)) <= Math.log(f)).length / ratios.length);
  return {
    target,
    stretch,
    reached,
    stoppedShort,
    cases,
    median: none ? null : quantile(ratios, 0.5),
    low: none ? null : band === 'percentiles' ? quantile(ratios, 0.1) : ratios[0]!,
    high: none ? null : band === 'percentiles' ? quantile(ratios, 0.9) : ratios[ratios.length - 1]!,
    band,
    within10: within(1.1),
    within25: within(1.25),
  };
}

/**
 * What makes two runs the same problem for a learning curve: model, data (with its test file, label
 * column and split), optimizer and its settings but the rate, batch norm's split, and schedule. A
 * schedule that is not constant depends on the run's length too, so then its epochs count.
 */
export function problemKey(base: unknown): string | null {
  if (typeof base !== 'object' || base === null) return null;
  const b = base as Record<string, unknown>;
  if (b.model === undefined || b.dataset === undefined || b.optimizer === undefined) return null;
  const { lr: _lr, ...hyper } = (b.hyper ?? {}) as Record<string, unknown>;
  const schedule = (b.schedule ?? { kind: 'constant' }) as { kind?: unknown };
  const length = schedule.kind === 'constant' ? null : (b.epochs ?? null);
  return JSON.stringify([b.model, b.dataset, b.testFile ?? null, b.labelColumn ?? null, b.validationFraction, b.testFraction, b.optimizer, hyper, b.bnBatch ?? null, schedule, b.cosineRestart ?? null, b.warmupSteps ?? 0, length]);
}

/** A run's training settings: a sweep or recommend keeps them as `base`, a train run as its config. */
function runBase(config: unknown): unknown {
  if (typeof config !== 'object' || config === null) return null;
  const c = config as Record<string, unknown>;
  if ('base' in c) return c.base;
  // An adaptive train run changes its batch and rate as it goes: no run at one rate to learn from.
  return c.adaptive === undefined || c.adaptive === null ? c : null;
}

function isAuto(detail: unknown): boolean {
  if (typeof detail !== 'object' || detail === null) return false;
  const d = detail as Record<string, unknown>;
  return d.batchLabel === 'auto' || d.auto !== undefined;
}

export interface StoredProblem {
  /** "mlp on mnist, momentum". */
  readonly label: string;
  /** The targets its runs were given. */
  readonly targets: readonly number[];
  readonly curves: readonly Curve[];
}

/** The validation curves of the store's fixed-batch runs (sweep, recommend and train), by problem (problemKey), each run once; only `only`'s with it. */
export function storedProblems(store: Store, only?: string): Map<string, StoredProblem> {
  const out = new Map<string, { label: string; targets: Set<number>; curves: Curve[] }>();
  for (const run of store.listRuns().sort((a, b) => a.id - b.id)) {
    if (run.kind !== 'sweep' && run.kind !== 'recommend' && run.kind !== 'train') continue;
    const base = runBase(run.config) as Record<string, unknown> | null;
    const key = problemKey(base);
    if (key === null || (only !== undefined && key !== only)) continue;
    const problem = out.get(key) ?? { label: `${String(base!.modelName ?? '?')} on ${String(base!.dataset)}, ${String(base!.optimizer)}`, targets: new Set<number>(), curves: [] };
    out.set(key, problem);
    if (typeof base!.targetAccuracy === 'number') problem.targets.add(base!.targetAccuracy);
    const metrics = store.runMetrics(run.id);
    for (const t of store.trials(run.id)) {
      if (isAuto(t.detail)) continue;
      const points = (metrics.get(t.key) ?? []).filter((m) => m.epochs > 0 && Number.isFinite(m.valAccuracy)).map((m) => ({ examples: m.epochs, valAccuracy: m.valAccuracy }));
      if (points.length > 0) problem.curves.push({ source: `run ${run.id}, ${t.key}`, points });
    }
  }
  return new Map([...out].map(([k, p]) => [k, { label: p.label, targets: [...p.targets].sort((a, b) => a - b), curves: oncePerRun(p.curves) }]));
}

/**
 * The curves less those that repeat another's start: a run is deterministic given its settings and
 * seed, so the same advice verified again is one run, and so is a train run resumed for more
 * epochs and kept again (its shorter curve is the longer one's start). Order kept.
 */
export function oncePerRun(curves: readonly Curve[]): Curve[] {
  const byStart = new Map<string, Curve[]>();
  const kept = new Set<Curve>();
  for (const c of [...curves].sort((a, b) => b.points.length - a.points.length)) {
    const start = JSON.stringify(c.points[0]);
    const alike = byStart.get(start) ?? [];
    if (alike.some((k) => c.points.every((p, i) => p.examples === k.points[i]!.examples && p.valAccuracy === k.points[i]!.valAccuracy))) continue;
    alike.push(c);
    byStart.set(start, alike);
    kept.add(c);
  }
  return curves.filter((c) => kept.has(c));
}

/** The curves of `base`'s problem kept in the store. */
export function storedCurves(store: Store, base: unknown): readonly Curve[] {
  const key = problemKey(base);
  return key === null ? [] : (storedProblems(store, key).get(key)?.curves ?? []);
}

/** The pilot's extrapolation back-tested on the store's runs of its problem; null for a pilot that was not extrapolated. */
export function backtestPilot(store: Store, base: unknown, target: number, x: { readonly seenExamples: number; readonly examplesToTarget: number } | null): Backtest | null {
  if (x === null || !(x.seenExamples > 0)) return null;
  return backtest(storedCurves(store, base), target, x.examplesToTarget / x.seenExamples);
}

/** How far the extrapolation reached, and what the back-test says of it and of the `steps` predicted from it: two lines, three where runs stopped short. */
export function describeBacktest(b: Backtest, steps: number, fmt: (x: number) => string): string[] {
  // From the steps as printed, so that a reader multiplying them gets the same.
  const shown = Math.round(steps);
  const head = `extrapolated: the pilot's examples to the target lie ${b.stretch.toFixed(2)}× beyond what it trained`;
  const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;
  const short =
    b.stoppedShort > 0
      ? [`not in the band: ${runs(b.stoppedShort)} of this problem with such a cut stopped before the target, so ${b.stoppedShort === 1 ? 'it' : 'they'} took longer than any ratio there says`]
      : [];
  if (b.reached === 0) return [head, 'not back-tested: no run of this problem kept in the store reached the target (a sweep or --verify of it would give one)', ...short];
  if (b.median === null) {
    const which = b.reached === 1 ? 'the 1 run of this problem in the store that reached the target had no cut' : `none of the ${runs(b.reached)} of this problem in the store that reached the target had a cut`;
    return [head, `not back-tested: ${which} with about that far to go`, ...short];
  }
  const n = b.cases.length;
  const tested = `back-tested on ${runs(n)} of this problem kept in the store, ${n === 1 ? 'cut' : 'each cut'} where that extrapolation had as far to go`;
  if (n === 1) return [head, `${tested}: it took ${b.median.toFixed(2)}× what it said, so the ${fmt(shown)} steps predicted could be about ${fmt(Math.round(shown * b.median))} (one run gives no spread)`, ...short];
  const band = b.band === 'percentiles' ? `10th–90th percentile of ${n}` : `all ${n}`;
  return [
    head,
    `${tested}: they took ${b.low!.toFixed(2)}–${b.high!.toFixed(2)}× what it said ` +
      `(${band}; median ${b.median.toFixed(2)}×, ${Math.round(b.within10! * n)} within 10%), so the ${fmt(shown)} steps predicted could be about ${fmt(Math.round(shown * b.low!))}–${fmt(Math.round(shown * b.high!))}`,
    ...short,
  ];
}
