/**
 * A sweep's answer to "what does a larger batch buy?": steps, examples and seconds to the target
 * against the batch size, and accuracy against it. Pure: trials and the sweep's analysis in, a
 * Vega-Lite spec out. Every (batch, rate) trial is a point coloured by its rate; the tuned rate
 * per batch size is joined by a line.
 */
import type { SweepAnalysis } from '../sweep/analyse.js';
import type { TrialRow } from '../store/store.js';
import { fadeUnless, HEIGHT, legendFilter, LOG, TRIAL_TOOLTIP, trialDatum, WIDTH, type TrialDatum } from './common.js';
import { figure, logGrid, percent } from './fields.js';
import type { Plot } from './render.js';

export interface SweepInput {
  readonly trials: readonly TrialRow[];
  readonly analysis: SweepAnalysis;
  readonly targetAccuracy: number | null;
}

export const REGIMES = ['perfect scaling', 'diminishing returns', 'no further gain'] as const;
const REGIME_COLOURS = ['#59a14f', '#f28e2b', '#e15759'];
const CURVE_DASH = { domain: ['tuned rate per batch', 'fit S_min·(1 + B_crit/B)', 'perfect scaling'], range: [[1, 0], [7, 4], [2, 3]] };
const X = { field: 'batch', type: 'quantitative', scale: LOG, title: 'batch size (examples per update)' } as const;
const target = (t: number | null) => (t === null ? 'the target' : `${percent(t)} validation accuracy`);

function reachedPoints(input: SweepInput): TrialDatum[] {
  return input.trials.map(trialDatum).filter((t) => t.steps !== null);
}

/** The best (tuned-rate) trial per batch size, as the analysis chose it. */
function tunedLine(a: SweepAnalysis, value: (b: SweepAnalysis['batches'][number]) => number | null, curve: string) {
  return a.batches.flatMap((b) => {
    const y = value(b);
    return y === null ? [] : [{ curve, batch: b.batchSize, y, lr: b.bestLr, regime: b.regime ?? '–' }];
  });
}

/** The shaded regime of each doubling: from the previous batch size that reached the target to this one. */
export function regimeBands(a: SweepAnalysis): { from: number; to: number; regime: string; stepRatio: number }[] {
  const out: { from: number; to: number; regime: string; stepRatio: number }[] = [];
  let prev: number | null = null;
  for (const b of a.batches) {
    if (b.stepsToTarget === null) continue;
    if (prev !== null && b.regime !== null && b.stepRatio !== null) out.push({ from: prev, to: b.batchSize, regime: b.regime, stepRatio: b.stepRatio });
    prev = b.batchSize;
  }
  return out;
}

/** With several seeds, the tuned rate's min–max per batch size as a bar around its median. */
function spreadLayers(a: SweepAnalysis, range: (b: SweepAnalysis['batches'][number]) => readonly [number, number] | null, yTitle: string): unknown[] {
  if (Math.max(1, ...a.batches.map((b) => b.seeds)) <= 1) return [];
  const values = a.batches.flatMap((b) => {
    const r = range(b);
    return r === null ? [] : [{ batch: b.batchSize, low: r[0], high: r[1], seeds: b.seeds }];
  });
  return [
    {
      data: { values },
      mark: { type: 'rule', color: '#333', strokeWidth: 3, opacity: 0.45 },
      encoding: {
        x: X,
        y: { field: 'low', type: 'quantitative', scale: LOG, title: yTitle },
        y2: { field: 'high' },
        tooltip: [{ field: 'batch', title: 'batch' }, { field: 'low', title: 'fastest seed', format: ',.3~f' }, { field: 'high', title: 'slowest seed', format: ',.3~f' }, { field: 'seeds', title: 'seeds' }],
      },
    },
  ];
}

/** The caption's words for the seeds: medians with bars, and whether the optimum stands out of the spread. */
function seedsText(a: SweepAnalysis): string {
  const seeds = Math.max(1, ...a.batches.map((b) => b.seeds));
  if (seeds <= 1) return '';
  const ties = a.timeOptimalTies;
  return (
    ` With ${seeds} seeds the line joins medians and the bars run from the fastest seed to the slowest` +
    (ties.length > 1 ? `; the time optimum cannot be told apart from B = ${ties.slice(1).map((b) => figure(b)).join(', ')} within that spread.` : '; the time optimum stands clear of the other batch sizes’ spread.')
  );
}

function pointsLayer(values: TrialDatum[], y: string, yTitle: string) {
  return {
    data: { values },
    params: [legendFilter('rate', 'rate')],
    mark: { type: 'point', filled: true, size: 55 },
    encoding: {
      x: X,
      y: { field: y, type: 'quantitative', scale: LOG, title: yTitle },
      color: { field: 'rate', type: 'nominal', title: 'rate (grid value)', sort: { field: 'lr' } },
      opacity: fadeUnless('rate'),
      tooltip: TRIAL_TOOLTIP,
    },
  };
}

function curvesLayer(values: { curve: string; batch: number; y: number }[], yTitle: string, yFormat: string) {
  // Only the lines drawn get a legend entry.
  const keep = CURVE_DASH.domain.map((d, i) => [d, CURVE_DASH.range[i]!] as const).filter(([d]) => values.some((v) => v.curve === d));
  const present = { domain: keep.map(([d]) => d), range: keep.map(([, r]) => r) };
  return {
    data: { values },
    mark: { type: 'line', color: '#333', strokeWidth: 1.5 },
    encoding: {
      x: X,
      y: { field: 'y', type: 'quantitative', scale: LOG, title: yTitle },
      strokeDash: { field: 'curve', type: 'nominal', scale: present, title: 'line', sort: present.domain, legend: { labelLimit: 260 } },
      detail: { field: 'curve' },
      tooltip: [{ field: 'curve' }, { field: 'batch', title: 'batch', format: ',.4~r' }, { field: 'y', title: yTitle, format: yFormat }],
    },
  };
}

/** A dashed rule at x with its label, written toward the middle of the swept range [lo, hi] so it stays inside the plot. */
function markerLayers(x: number, label: string, range: readonly number[], where: 'top' | 'bottom' = 'top') {
  const mid = Math.sqrt(Math.min(...range) * Math.max(...range));
  const side = x > mid ? { align: 'right', dx: -4 } : { align: 'left', dx: 4 };
  const place = { ...(where === 'top' ? { baseline: 'top', y: 4 } : { baseline: 'bottom', y: HEIGHT - 4 }), ...side };
  return [
    { data: { values: [{ x, label }] }, mark: { type: 'rule', color: '#555', strokeDash: [3, 3] }, encoding: { x: { field: 'x', type: 'quantitative', scale: LOG }, tooltip: [{ field: 'label' }] } },
    { data: { values: [{ x, label }] }, mark: { type: 'text', fontSize: 11, color: '#333', ...place }, encoding: { x: { field: 'x', type: 'quantitative', scale: LOG }, text: { field: 'label' } } },
  ];
}

/** The fitted S = S_min(1 + B_crit/B) on a log grid over the swept batch sizes (60 points). */
export function criticalBatchCurve(a: SweepAnalysis, lo: number, hi: number): { batch: number; y: number }[] {
  const c = a.criticalBatch;
  if (c === null) return [];
  return logGrid(lo, hi, 60).map((batch) => ({ batch, y: c.minSteps * (1 + c.criticalBatch / batch) }));
}

export function stepsToTargetByBatch(input: SweepInput): Plot {
  const a = input.analysis;
  const points = reachedPoints(input);
  const sizes = a.batches.map((b) => b.batchSize);
  const lo = Math.min(...sizes);
  const hi = Math.max(...sizes);
  const tuned = tunedLine(a, (b) => b.stepsToTarget, CURVE_DASH.domain[0]!);
  const first = tuned[0];
  const curves = [
    ...tuned,
    ...criticalBatchCurve(a, lo, hi).map((p) => ({ curve: CURVE_DASH.domain[1]!, ...p })),
    // Perfect scaling from the smallest batch that reached the target: steps halve as B doubles.
    ...(first ? logGrid(first.batch, hi, 2).map((batch) => ({ curve: CURVE_DASH.domain[2]!, batch, y: (first.y * first.batch) / batch })) : []),
  ];
  const c = a.criticalBatch;
  const layers: unknown[] = [
    {
      data: { values: regimeBands(a) },
      mark: { type: 'rect', opacity: 0.13 },
      encoding: {
        x: { field: 'from', type: 'quantitative', scale: LOG },
        x2: { field: 'to' },
        fill: { field: 'regime', type: 'nominal', scale: { domain: [...REGIMES], range: REGIME_COLOURS }, title: 'regime per doubling' },
        tooltip: [{ field: 'regime' }, { field: 'from', title: 'from batch' }, { field: 'to', title: 'to batch' }, { field: 'stepRatio', title: 'steps shrink per ×2', format: '.3f' }],
      },
    },
    curvesLayer(curves, 'steps to target', ',.1f'),
    ...spreadLayers(a, (b) => b.stepsRange, 'steps to target'),
    pointsLayer(points, 'steps', 'steps to target'),
    ...(c ? markerLayers(c.criticalBatch, `B_crit ≈ ${figure(Math.round(c.criticalBatch))}`, sizes, 'bottom') : []),
  ];
  return {
    name: 'steps-to-target-by-batch',
    title: `Steps to ${target(input.targetAccuracy)} against batch size`,
    caption:
      'Each point is one (batch size, rate) trial that reached the target; the solid line joins the tuned rate per batch size. ' +
      'Where the points follow the dotted perfect-scaling line, doubling the batch halves the updates (C6b/C6c); where they bend away ' +
      'to the flat S_min, a larger batch no longer buys fewer updates (C7c). The dashed line is the fit S = S_min(1 + B_crit/B)' +
      (c ? ` with S_min ${figure(c.minSteps)} steps and B_crit ≈ ${figure(c.criticalBatch)}` : ' (not fitted: it needs three batch sizes that reached the target, and steps that level off)') +
      '; the shading is the regime of each doubling (steps shrink ≥ 1.7×, 1.1–1.7×, less), left blank where the seeds’ spread allows more than one.' +
      seedsText(a) +
      ' Click a legend entry to show one rate.',
    spec: { width: WIDTH, height: HEIGHT, layer: layers as never, resolve: { scale: { color: 'independent' } } },
  };
}

export function examplesToTargetByBatch(input: SweepInput): Plot {
  const a = input.analysis;
  const points = reachedPoints(input);
  const sizes = a.batches.map((b) => b.batchSize);
  const c = a.criticalBatch;
  const curves = [
    ...tunedLine(a, (b) => (b.stepsToTarget === null ? null : b.stepsToTarget * b.batchSize), CURVE_DASH.domain[0]!),
    // E = S·B = S_min(B + B_crit): flat (E_min) below B_crit, growing in proportion to B above it.
    ...(c ? logGrid(Math.min(...sizes), Math.max(...sizes), 60).map((batch) => ({ curve: CURVE_DASH.domain[1]!, batch, y: c.minSteps * (batch + c.criticalBatch) })) : []),
  ];
  return {
    name: 'examples-to-target-by-batch',
    title: `Examples (epochs) to ${target(input.targetAccuracy)} against batch size`,
    caption:
      'Examples seen before the target (steps × batch; the tooltip gives epochs). Flat while the batch is small, then rising: a larger batch ' +
      'needs more epochs for the same accuracy (C8c), which is what makes a time optimum (C9). The dashed line is the same fit, E = S_min(B + B_crit).',
    spec: { width: WIDTH, height: HEIGHT, layer: [curvesLayer(curves, 'examples to target', ',.0f'), pointsLayer(points, 'examples', 'examples to target')] as never },
  };
}

export function secondsToTargetByBatch(input: SweepInput): Plot {
  const a = input.analysis;
  const points = input.trials.map(trialDatum).filter((t) => t.seconds !== null);
  const t = a.timeOptimal;
  const layers = [
    curvesLayer(tunedLine(a, (b) => b.secondsToTarget, CURVE_DASH.domain[0]!), 'seconds to target', '.3f'),
    ...spreadLayers(a, (b) => b.secondsRange, 'seconds to target'),
    pointsLayer(points, 'seconds', 'seconds to target'),
    ...(t ? markerLayers(t.batchSize, `time optimum: B = ${figure(t.batchSize)}, ${t.secondsToTarget!.toFixed(2)} s`, a.batches.filter((b) => b.secondsToTarget !== null).map((b) => b.batchSize)) : []),
  ];
  return {
    name: 'seconds-to-target-by-batch',
    title: `Training seconds to ${target(input.targetAccuracy)} against batch size`,
    caption:
      'Wall-clock training seconds (evaluation excluded) to the target. Larger batches process examples faster (C8b) but need more of them (C8c); ' +
      `the two pull against each other and the minimum is the time-optimal batch size (C9)${t ? `: B = ${figure(t.batchSize)} at lr ${t.bestLr}` : ''}.` +
      seedsText(a),
    spec: { width: WIDTH, height: HEIGHT, layer: layers as never },
  };
}

export function accuracyByBatch(input: SweepInput): Plot {
  const a = input.analysis;
  const tunedLr = new Map(a.batches.map((b) => [b.batchSize, b.bestLr]));
  const rows = input.trials
    .filter((t) => tunedLr.get(t.batchSize * t.iterSize) === t.lr)
    .flatMap((t) => {
      const d = trialDatum(t);
      const m = [
        ['best validation', d.bestValAccuracy],
        ['final validation', d.finalValAccuracy],
        ['test', d.testAccuracy],
      ] as const;
      return m.filter(([, v]) => v !== null).map(([measure, accuracy]) => ({ ...d, measure, accuracy }));
    });
  const seeds = Math.max(1, ...a.batches.map((b) => b.seeds));
  const best = a.accuracyOptimal;
  const x = { ...X, scale: LOG };
  const layers: unknown[] = [
    {
      data: { values: rows },
      params: [legendFilter('measure', 'measure')],
      mark: { type: 'line', point: { filled: true, size: 40 } },
      encoding: {
        x,
        y: { aggregate: 'mean', field: 'accuracy', type: 'quantitative', scale: { zero: false }, axis: { format: '.1%' }, title: seeds > 1 ? `accuracy (mean of ${seeds} seeds)` : 'accuracy' },
        color: { field: 'measure', type: 'nominal', title: 'measure' },
        opacity: fadeUnless('measure'),
        tooltip: [{ field: 'measure' }, { field: 'batch', title: 'batch' }, { aggregate: 'mean', field: 'accuracy', title: 'mean accuracy', format: '.2%' }, { aggregate: 'count', title: 'seeds' }],
      },
    },
    ...(seeds > 1
      ? [{ data: { values: rows }, mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, y: { aggregate: 'min', field: 'accuracy', type: 'quantitative' }, y2: { aggregate: 'max', field: 'accuracy' }, color: { field: 'measure', type: 'nominal' }, opacity: fadeUnless('measure', 0.5, 0.05) } }]
      : []),
    ...(best ? markerLayers(best.batchSize, `accuracy optimum: B = ${figure(best.batchSize)}, ${percent(best.bestValAccuracy)}`, a.batches.map((b) => b.batchSize), 'bottom') : []),
  ];
  return {
    name: 'accuracy-by-batch',
    title: 'Best, final and test accuracy against batch size',
    caption:
      'Accuracy of the tuned rate at each batch size' + (seeds > 1 ? ` (mean over ${seeds} seeds; bars: lowest to highest seed)` : '') +
      '. Runs end in different optima, so one batch size is best in accuracy, not only in time (C9). ' +
      'Trials that stop at the target end near it, which makes accuracy close to a tie: `sweep --until budget` trains on and measures it properly.',
    spec: { width: WIDTH, height: HEIGHT, layer: layers as never },
  };
}
