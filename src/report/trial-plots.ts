/**
 * A sweep's trials one by one: the batch × rate grid of steps to target (with what stopped the
 * others), every trial's validation curve, and throughput against micro-batch beside the MatMul
 * ceiling. Pure: rows in, Vega-Lite spec out.
 */
import type { EpochMetricRow, TrialRow } from '../store/store.js';
import { fadeUnless, HEIGHT, legendFilter, LOG, trialDatum, WIDTH } from './common.js';
import { figure, percent } from './fields.js';
import type { Plot } from './render.js';

/** One cell of the heat map: a (batch, grid rate) pair, its seeds summed up. */
export interface HeatCell {
  readonly batch: number;
  readonly rate: string;
  readonly lr: number;
  readonly trials: number;
  /** Mean steps to target of the seeds that reached it; null when none did. */
  readonly steps: number | null;
  readonly reached: number;
  /** What stopped the trials that did not reach the target, e.g. "diverged" or "2 pruned, 1 budget". */
  readonly outcome: string;
  readonly label: string;
}

export function heatCells(trials: readonly TrialRow[]): HeatCell[] {
  const cells = new Map<string, ReturnType<typeof trialDatum>[]>();
  for (const t of trials.map(trialDatum)) {
    const k = `${t.batch}|${t.rate}`;
    cells.set(k, [...(cells.get(k) ?? []), t]);
  }
  return [...cells.values()].map((ts) => {
    const hit = ts.filter((t) => t.steps !== null);
    const counts = new Map<string, number>();
    for (const t of ts) if (t.steps === null) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
    const outcome = hit.length > 0 ? (counts.size === 0 ? 'target reached' : `reached ${hit.length} of ${ts.length}`) : [...counts].map(([s, n]) => (ts.length > 1 ? `${n} ${s}` : s)).join(', ');
    const steps = hit.length > 0 ? hit.reduce((s, t) => s + t.steps!, 0) / hit.length : null;
    return { batch: ts[0]!.batch, rate: ts[0]!.rate, lr: ts[0]!.lr, trials: ts.length, steps, reached: hit.length, outcome, label: steps !== null ? figure(Math.round(steps)) : outcome };
  });
}

export function lrHeatmap(trials: readonly TrialRow[]): Plot {
  const cells = heatCells(trials);
  const x = { field: 'batch', type: 'ordinal', title: 'batch size', sort: 'ascending' } as const;
  const y = { field: 'rate', type: 'ordinal', title: 'rate (grid value)', sort: { field: 'lr', op: 'min', order: 'descending' } } as const;
  const tooltip = [{ field: 'batch' }, { field: 'lr', title: 'learning rate' }, { field: 'outcome' }, { field: 'steps', title: 'mean steps to target', format: ',.1f' }, { field: 'trials', title: 'trials (seeds)' }];
  return {
    name: 'lr-heatmap',
    title: 'Steps to target over batch size × learning rate',
    caption:
      'Each cell is a (batch size, rate) pair, the rate given as its grid value (the sweep carries it to each batch size by its --lr-rule; the tooltip has the rate used): its colour and figure are the steps to target (fewer is darker); grey cells did not reach it, and ' +
      'say why (diverged: the rate was too high for that batch; pruned: already 2× slower than the best at its batch size; budget: out of time or epochs). ' +
      'The band of good rates moves up as the batch grows, which is why each batch size needs its own tuned rate before steps are compared (C7b, C8a).',
    spec: {
      width: { step: 46 },
      height: { step: 30 },
      layer: [
        {
          data: { values: cells.filter((c) => c.steps !== null) },
          mark: { type: 'rect', stroke: 'white' },
          encoding: { x, y, color: { field: 'steps', type: 'quantitative', scale: { type: 'log', scheme: 'viridis', reverse: true }, title: 'steps to target' }, tooltip },
        },
        // Cells that never reached the target are grey, named by what stopped them.
        { data: { values: cells.filter((c) => c.steps === null) }, mark: { type: 'rect', stroke: 'white', color: '#e0e0e0' }, encoding: { x, y, tooltip } },
        {
          data: { values: cells },
          mark: { type: 'text', fontSize: 9, limit: 44 },
          encoding: { x, y, text: { field: 'label' }, color: { condition: { test: 'datum.steps === null', value: '#444' }, value: 'white' }, tooltip },
        },
      ] as never,
    },
  };
}

/** A curve's points thinned to at most `max`, evenly by index, keeping the first, the last and the best. */
export function thinCurve<T extends { valAccuracy: number }>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  let best = 0;
  points.forEach((p, i) => {
    if (p.valAccuracy > points[best]!.valAccuracy) best = i;
  });
  const keep = new Set([0, points.length - 1, best]);
  const interior = max - keep.size;
  const step = (points.length - 1) / (interior + 1);
  for (let i = 1; i <= interior; i++) keep.add(Math.round(i * step));
  return [...keep].sort((a, b) => a - b).map((i) => points[i]!);
}

/** Points per curve so that all curves together stay near 10,000 (a 1,000-trial sweep draws quickly). */
export const curveBudget = (curves: number) => Math.max(10, Math.min(400, Math.floor(10_000 / Math.max(1, curves))));

export interface TrialCurve {
  readonly trial: TrialRow;
  readonly metrics: readonly EpochMetricRow[];
}

export function validationCurves(curves: readonly TrialCurve[], targetAccuracy: number | null): Plot {
  const max = curveBudget(curves.length);
  const total = curves.reduce((s, c) => s + c.metrics.length, 0);
  const rows = curves.flatMap(({ trial, metrics }) => {
    const d = trialDatum(trial);
    return thinCurve(metrics, max)
      .filter((m) => Number.isFinite(m.valAccuracy) && m.step > 0)
      .map((m) => ({ key: d.key, batch: d.batch, lr: d.lr, status: d.status, step: m.step, epochs: m.epochs, examples: m.step * d.batch, seconds: m.trainSeconds, accuracy: m.valAccuracy, valLoss: m.valLoss }));
  });
  const thinned = rows.length < total;
  const layers: unknown[] = [
    {
      data: { values: rows },
      params: [legendFilter('batchPick', 'batch')],
      transform: [{ calculate: "xAxis === 'seconds' ? datum.seconds : datum.examples", as: 'x' }],
      mark: { type: 'line', strokeWidth: 1.2, point: curves.length <= 12 ? { size: 14, filled: true } : false },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: LOG, title: 'examples seen · or training seconds (switch above)' },
        y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, axis: { format: '.0%' }, title: 'validation accuracy' },
        color: { field: 'batch', type: 'ordinal', scale: { scheme: 'viridis' }, title: 'batch size' },
        detail: { field: 'key' },
        opacity: fadeUnless('batchPick', 0.75, 0.04),
        tooltip: [{ field: 'key', title: 'trial' }, { field: 'batch' }, { field: 'lr', title: 'learning rate' }, { field: 'step' }, { field: 'epochs', format: '.3f' }, { field: 'examples', format: ',' }, { field: 'seconds', title: 'training seconds', format: '.3f' }, { field: 'accuracy', title: 'validation accuracy', format: '.2%' }, { field: 'status', title: 'trial status' }],
      },
    },
    ...(targetAccuracy === null
      ? []
      : [{ data: { values: [{ target: targetAccuracy }] }, mark: { type: 'rule', color: '#c00', strokeDash: [4, 3] }, encoding: { y: { field: 'target', type: 'quantitative' }, tooltip: [{ field: 'target', title: 'target', format: '.2%' }] } }]),
  ];
  return {
    name: 'validation-curves',
    title: 'Validation accuracy of every trial',
    caption:
      `Every trial's validation accuracy against the examples it had seen, or (switch) its training seconds${targetAccuracy === null ? '' : `, with the target at ${percent(targetAccuracy)}`}. ` +
      'Against examples, small batches rise first (each example moves the weights more, C8c); against seconds, larger batches catch up through throughput (C8b). ' +
      'Curves that fall apart or never rise are too-high rates (C8a). Click a batch size in the legend to isolate it.' +
      (thinned ? ` Curves are thinned to at most ${max} evaluations each (evenly spaced, keeping the first, last and best), ${figure(rows.length)} of ${figure(total)} points, so a large sweep still draws quickly.` : ''),
    spec: {
      width: WIDTH,
      height: HEIGHT,
      // A variable, not a selection: the radio buttons switch the x field (examples ↔ seconds) in place.
      params: [{ name: 'xAxis', value: 'examples', bind: { input: 'radio', options: ['examples', 'seconds'], name: 'x axis: ' } }],
      layer: layers as never,
    },
  };
}

/** The MatMul rate of the same run and what one example costs, to draw the ceiling in samples/s. */
export interface Ceiling {
  readonly matmulGflops: number;
  /** Training FLOPs per example (6 × multiply-adds). */
  readonly flopsPerExample: number;
}

export interface ThroughputPoint {
  readonly microBatch: number;
  readonly samplesPerSec: number;
  /** Which trial or measurement it came from, for the tooltip. */
  readonly source: string;
}

export function throughputByMicroBatch(points: readonly ThroughputPoint[], ceiling: Ceiling | null): Plot {
  const x = { field: 'microBatch', type: 'quantitative', scale: LOG, title: 'micro-batch (examples per forward/backward)' } as const;
  const y = { field: 'samplesPerSec', type: 'quantitative', scale: LOG, title: 'training samples/s' } as const;
  const withGflops = points.map((p) => ({ ...p, gflops: ceiling ? (p.samplesPerSec * ceiling.flopsPerExample) / 1e9 : null }));
  const cap = ceiling ? (ceiling.matmulGflops * 1e9) / ceiling.flopsPerExample : null;
  const layers: unknown[] = [
    { data: { values: withGflops }, mark: { type: 'line', color: '#4e79a7' }, encoding: { x, y: { ...y, aggregate: 'mean' } } },
    {
      data: { values: withGflops },
      mark: { type: 'point', filled: true, size: 50, color: '#4e79a7' },
      encoding: { x, y, tooltip: [{ field: 'source' }, { field: 'microBatch', title: 'micro-batch' }, { field: 'samplesPerSec', title: 'samples/s', format: ',.1f' }, { field: 'gflops', title: 'training GFLOP/s', format: '.2f' }] },
    },
    ...(cap === null
      ? []
      : [
          { data: { values: [{ cap, gflops: ceiling!.matmulGflops }] }, mark: { type: 'rule', color: '#c00', strokeDash: [5, 3] }, encoding: { y: { field: 'cap', type: 'quantitative' }, tooltip: [{ field: 'gflops', title: 'MatMul GFLOP/s', format: '.2f' }, { field: 'cap', title: 'as samples/s', format: ',.0f' }] } },
          { data: { values: [{ cap, label: `MatMul ceiling: ${figure(ceiling!.matmulGflops)} GFLOP/s = ${figure(Math.round(cap))} samples/s` }] }, mark: { type: 'text', align: 'left', dy: -7, x: 4, fontSize: 11, color: '#c00' }, encoding: { y: { field: 'cap', type: 'quantitative' }, text: { field: 'label' } } },
        ]),
  ];
  return {
    name: 'throughput-by-micro-batch',
    title: 'Throughput against micro-batch',
    caption:
      'Training samples/s at each micro-batch (the line joins the means). A larger micro-batch makes larger matrix products, which run closer to the machine’s ' +
      'MatMul rate (C6a, C8b) until the curve flattens; past that, a larger batch only costs examples. ' +
      (cap === null ? 'No MatMul rate is stored with this run (older runs, or one still in progress), so no ceiling is drawn.' : 'The red line is this run’s measured MatMul rate, converted to samples/s at this model’s FLOPs per example.'),
    spec: { width: WIDTH, height: HEIGHT, layer: layers as never },
  };
}

export function lossCurves(curves: readonly TrialCurve[]): Plot {
  const max = curveBudget(curves.length);
  const rows = curves.flatMap(({ trial, metrics }) =>
    thinCurve(metrics, max).flatMap((m) =>
      (
        [
          ['train', m.trainLoss],
          ['validation', m.valLoss],
        ] as const
      )
        .filter(([, loss]) => Number.isFinite(loss) && loss > 0)
        .map(([which, loss]) => ({ key: trial.key, series: `${which} (${trial.key})`, which, step: m.step, epochs: m.epochs, seconds: m.trainSeconds, loss })),
    ),
  );
  return {
    name: 'loss-curves',
    title: 'Training and validation loss',
    caption: 'The training loss (as logged at each evaluation) and the validation loss against the updates made. A validation loss that turns up while the training loss falls is over-fitting; a loss that jumps is a rate too high for the batch (C8a).',
    spec: {
      width: WIDTH,
      height: HEIGHT,
      data: { values: rows },
      params: [legendFilter('lossPick', 'series')],
      mark: { type: 'line', point: rows.length <= 400 ? { size: 14, filled: true } : false },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'updates' },
        y: { field: 'loss', type: 'quantitative', scale: LOG, title: 'loss' },
        color: { field: 'series', type: 'nominal', title: '' },
        opacity: fadeUnless('lossPick'),
        tooltip: [{ field: 'series' }, { field: 'step' }, { field: 'epochs', format: '.3f' }, { field: 'seconds', title: 'training seconds', format: '.3f' }, { field: 'loss', format: '.4f' }],
      },
    } as never,
  };
}
