/**
 * The advisor's evidence: predicted time against batch size (with what a sweep measured), the
 * gradient noise scale along training, and the memory probes with their fitted line and budget.
 * Pure: rows in, Vega-Lite spec out.
 */
import type { NoiseRow, ProbeRow } from '../store/store.js';
import { fadeUnless, HEIGHT, legendFilter, LOG, WIDTH } from './common.js';
import { figure, logGrid, mebibytes } from './fields.js';
import type { Plot } from './render.js';

export interface PredictedPoint {
  readonly effectiveBatch: number;
  readonly microBatch: number;
  readonly iterSize: number;
  readonly seconds: number;
  readonly steps: number;
  readonly epochs: number;
  readonly lr: number;
  readonly samplesPerSec: number;
}

export interface MeasuredPoint {
  readonly batch: number;
  readonly seconds: number;
  /** Where it was measured: "sweep run 3, lr 0.02" or "verification". */
  readonly source: string;
}

const MIB = 2 ** 20;

/** The back-test's factors on the pilot's extrapolation (recommend/bounded/backtest.ts). */
export interface BacktestFactors {
  readonly low: number;
  readonly high: number;
  readonly runs: number;
  /** The 10th–90th percentile of the runs' ratios (from ten runs), or all of them. */
  readonly percentiles: boolean;
}

/** The band's ends, "0.90–2.11×", and which of the runs' ratios they span. */
const bandEnds = (b: BacktestFactors) => `${b.low.toFixed(2)}–${b.high.toFixed(2)}×`;
const bandSpan = (b: BacktestFactors) => (b.percentiles ? 'the 10th to the 90th percentile' : 'all of them');

export function predictedTimeByBatch(candidates: readonly PredictedPoint[], chosen: number | null, measured: readonly MeasuredPoint[], band: BacktestFactors | null = null): Plot {
  const x = { field: 'batch', type: 'quantitative', scale: LOG, title: 'effective batch size' } as const;
  const y = { field: 'seconds', type: 'quantitative', scale: LOG, title: 'training seconds to target' } as const;
  const rows = [
    ...candidates.map((c) => ({ series: 'predicted', batch: c.effectiveBatch, seconds: c.seconds, split: `${c.microBatch} × ${c.iterSize}`, steps: c.steps, epochs: c.epochs, lr: c.lr, samplesPerSec: c.samplesPerSec, source: 'prediction' })),
    ...measured.map((m) => ({ series: m.source === 'verification' ? 'verified' : 'measured by a sweep', batch: m.batch, seconds: m.seconds, source: m.source })),
  ];
  const pick = chosen === null ? undefined : candidates.find((c) => c.effectiveBatch === chosen);
  // The back-test's band: each prediction rests on the same extrapolated examples, so it moves by the same factors.
  const shade =
    band === null
      ? []
      : [
          {
            data: { values: candidates.map((c) => ({ batch: c.effectiveBatch, low: c.seconds * band.low, high: c.seconds * band.high })) },
            mark: { type: 'area', color: '#4e79a7', opacity: 0.15 },
            encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' } },
          },
        ];
  const layers: unknown[] = [
    ...shade,
    {
      data: { values: rows },
      params: [legendFilter('series', 'series')],
      mark: { type: 'line', point: { filled: true, size: 45 } },
      encoding: {
        x,
        y,
        color: { field: 'series', type: 'nominal', scale: { domain: ['predicted', 'measured by a sweep', 'verified'], range: ['#4e79a7', '#f28e2b', '#e15759'] }, title: '' },
        opacity: fadeUnless('series'),
        tooltip: [{ field: 'series' }, { field: 'batch', title: 'effective batch' }, { field: 'split', title: 'micro-batch × iter-size' }, { field: 'seconds', format: '.3f' }, { field: 'steps', format: ',.0f' }, { field: 'epochs', format: '.3f' }, { field: 'lr', title: 'learning rate', format: '.4g' }, { field: 'samplesPerSec', title: 'samples/s', format: ',.0f' }, { field: 'source' }],
      },
    },
    ...(pick
      ? [
          { data: { values: [{ batch: pick.effectiveBatch }] }, mark: { type: 'rule', color: '#555', strokeDash: [3, 3] }, encoding: { x } },
          { data: { values: [{ batch: pick.effectiveBatch, label: `chosen: B = ${figure(pick.effectiveBatch)}, ${pick.seconds.toFixed(2)} s predicted` }] }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, y: 4, fontSize: 11 }, encoding: { x, text: { field: 'label' } } },
        ]
      : []),
  ];
  return {
    name: 'predicted-time-by-batch',
    title: 'Predicted time to target against batch size',
    caption:
      'The advisor’s prediction for every effective batch: examples to target scaled from the pilot by the noise scale, divided by the measured samples/s of the batch’s micro-batch. ' +
      'Its minimum is the time-optimal batch size of C9, found without a sweep; the chosen one is the smallest within 2% of it. ' +
      (measured.length > 0 ? 'Measured points (a sweep of the same model, data and target in this store, and the verification) sit beside it.' : 'No sweep of the same model, data and target is in this store to set beside it.') +
      (band === null
        ? ''
        : ` The shaded band is the back-test: ${band.runs} runs of this problem kept in the store took ${bandEnds(band)} the examples the pilot's extrapolation said of them (${bandSpan(band)}), so every prediction could be off by as much.`),
    spec: { width: WIDTH, height: HEIGHT, layer: layers as never },
  };
}

export function noiseAlongTraining(rows: readonly NoiseRow[]): Plot {
  const finite = rows.filter((r) => Number.isFinite(r.bSimple) && r.bSimple > 0);
  const top = Math.max(1, ...finite.flatMap((r) => [r.bSimple, Number.isFinite(r.bSimpleHigh) ? r.bSimpleHigh : 0])) * 4;
  // An open interval (gradient lost in the noise) is drawn to 4× the largest finite figure and said so in the tooltip.
  const values = finite.map((r) => ({ ...r, low: Number.isFinite(r.bSimpleLow) && r.bSimpleLow > 0 ? r.bSimpleLow : null, high: Number.isFinite(r.bSimpleHigh) ? r.bSimpleHigh : top, highText: Number.isFinite(r.bSimpleHigh) ? figure(r.bSimpleHigh) : '∞ (open)' }));
  const x = { field: 'epochs', type: 'quantitative', title: 'epochs trained' } as const;
  const tooltip = [{ field: 'step' }, { field: 'epochs', format: '.3f' }, { field: 'trainLoss', title: 'train loss', format: '.4f' }, { field: 'bSimple', title: 'B_simple', format: ',.1f' }, { field: 'bSimpleLow', title: 'interval low', format: ',.1f' }, { field: 'highText', title: 'interval high' }, { field: 'gradSq', title: '|G|²', format: '.4g' }, { field: 'traceSigma', title: 'tr Σ', format: '.4g' }, { field: 'bSmall', title: 'B_small' }, { field: 'bBig', title: 'B_big' }];
  return {
    name: 'noise-along-training',
    title: 'Gradient noise scale along training, beside the loss',
    caption:
      'B_simple = tr Σ / |G|² (McCandlish et al. 2018) at each measurement, with its 90% interval as a band; below, the training loss at the same moments. ' +
      'As the loss falls the noise scale grows: below it a larger batch gives a more accurate direction (C6c), above it mostly the same direction at a higher price (C7c). ' +
      'An interval open at the top (the gradient lost in the noise at that B_big) is drawn to the top of the plot.',
    spec: {
      vconcat: [
        {
          width: WIDTH,
          height: HEIGHT - 60,
          layer: [
            { data: { values }, mark: { type: 'area', opacity: 0.25, color: '#4e79a7' }, encoding: { x, y: { field: 'low', type: 'quantitative', scale: LOG, title: 'B_simple (examples)' }, y2: { field: 'high' }, tooltip } },
            { data: { values }, mark: { type: 'line', point: { filled: true, size: 40 }, color: '#4e79a7' }, encoding: { x, y: { field: 'bSimple', type: 'quantitative', scale: LOG }, tooltip } },
          ],
        },
        {
          width: WIDTH,
          height: 110,
          data: { values: rows.filter((r) => Number.isFinite(r.trainLoss)) },
          mark: { type: 'line', point: { filled: true, size: 30, color: '#e15759' }, color: '#e15759' },
          encoding: { x, y: { field: 'trainLoss', type: 'quantitative', scale: LOG, title: 'train loss' }, tooltip },
        },
      ] as never,
    },
  };
}

export interface MemoryFitInput {
  readonly probes: readonly ProbeRow[];
  readonly fixedBytes: number | null;
  readonly perSampleBytes: number | null;
  readonly budgetBytes: number | null;
  readonly margin: number | null;
  readonly largestBatch: number | null;
}

export function memoryFit(m: MemoryFitInput): Plot {
  const x = { field: 'batch', type: 'quantitative', scale: LOG, title: 'micro-batch' } as const;
  const limit = m.budgetBytes !== null && m.margin !== null ? (1 - m.margin) * m.budgetBytes : null;
  const probes = m.probes.map((p, i) => ({
    order: i + 1,
    batch: p.batchSize,
    mib: p.peakBytes !== null ? p.peakBytes / MIB : limit !== null ? limit / MIB : null,
    outcome: !p.ok ? 'failed (killed or error)' : limit !== null && p.peakBytes !== null && p.peakBytes > limit ? 'over the limit' : 'fits',
    peak: p.peakBytes === null ? '– (stopped before its peak)' : mebibytes(p.peakBytes),
    reason: p.reason ?? '',
    seconds: p.seconds,
  }));
  const sizes = m.probes.map((p) => p.batchSize);
  const hi = Math.max(2, ...sizes, m.largestBatch ?? 1);
  const line = m.fixedBytes !== null && m.perSampleBytes !== null ? logGrid(1, hi, 40).map((batch) => ({ batch, mib: (m.fixedBytes! + m.perSampleBytes! * batch) / MIB })) : [];
  const y = { field: 'mib', type: 'quantitative', scale: LOG, title: 'peak memory (MiB)' } as const;
  // The budget's label above its line on the right, the limit's below its line on the left: the two lines are close.
  const hlines = [
    ...(m.budgetBytes !== null ? [{ mib: m.budgetBytes / MIB, label: `budget ${mebibytes(m.budgetBytes)}`, dy: -6, align: 'right', x: WIDTH - 4 }] : []),
    ...(limit !== null ? [{ mib: limit / MIB, label: `limit ${mebibytes(limit)} (budget less the margin)`, dy: 12, align: 'left', x: 4 }] : []),
  ];
  const layers: unknown[] = [
    { data: { values: line }, mark: { type: 'line', color: '#333', strokeDash: [6, 3] }, encoding: { x, y, tooltip: [{ field: 'batch', format: ',.0f' }, { field: 'mib', title: 'fitted MiB', format: ',.1f' }] } },
    {
      data: { values: probes },
      params: [legendFilter('outcome', 'outcome')],
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        x,
        y,
        color: { field: 'outcome', type: 'nominal', scale: { domain: ['fits', 'over the limit', 'failed (killed or error)'], range: ['#59a14f', '#f28e2b', '#e15759'] }, title: 'probe', legend: { labelLimit: 260 } },
        shape: { field: 'outcome', type: 'nominal', scale: { domain: ['fits', 'over the limit', 'failed (killed or error)'], range: ['circle', 'triangle-up', 'cross'] } },
        opacity: fadeUnless('outcome'),
        tooltip: [{ field: 'order', title: 'probe #' }, { field: 'batch', title: 'micro-batch' }, { field: 'peak', title: 'peak' }, { field: 'outcome' }, { field: 'reason' }, { field: 'seconds', format: '.2f' }],
      },
    },
    { data: { values: hlines }, mark: { type: 'rule', color: '#c00', strokeDash: [4, 3] }, encoding: { y, tooltip: [{ field: 'label' }] } },
    ...hlines.map((h) => ({ data: { values: [h] }, mark: { type: 'text', align: h.align, x: h.x, dy: h.dy, fontSize: 11, color: '#c00' }, encoding: { y, text: { field: 'label' } } })),
    ...(m.largestBatch !== null
      ? [
          { data: { values: [{ batch: m.largestBatch }] }, mark: { type: 'rule', color: '#555', strokeDash: [3, 3] }, encoding: { x } },
          { data: { values: [{ batch: m.largestBatch, label: `largest micro-batch: ${figure(m.largestBatch)}` }] }, mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -4, y: HEIGHT - 4, fontSize: 11 }, encoding: { x, text: { field: 'label' } } },
        ]
      : []),
  ];
  return {
    name: 'memory-fit',
    title: 'Peak memory against micro-batch, with the budget',
    caption:
      'Each probe is two real training updates at one micro-batch in a child process; the dashed line is the fit peak ≈ fixed + perSample·B' +
      (m.fixedBytes !== null && m.perSampleBytes !== null ? ` (${mebibytes(m.fixedBytes)} + ${figure(m.perSampleBytes / 1024)} KiB·B)` : '') +
      '. Where it crosses the limit is the largest micro-batch that fits: batching lets a data set far larger than memory be trained (C1), and a larger batch than this needs iter-size (C10). ' +
      'Probes that were killed over the limit are drawn at the limit.',
    spec: { width: WIDTH, height: HEIGHT, layer: layers as never },
  };
}

export interface MemorySplit {
  readonly parametersBytes: number;
  readonly gradientsBytes: number;
  readonly optimizerStateBytes: number;
  readonly workspaceBytes: number;
  readonly activationsBytesPerSample: number;
}

export function memoryByComponent(c: MemorySplit, microBatch: number): Plot {
  const parts = [
    ['parameters', c.parametersBytes],
    ['gradients', c.gradientsBytes],
    ['optimizer state', c.optimizerStateBytes],
    ['workspace (ONNX Runtime)', c.workspaceBytes],
    [`activations (${figure(microBatch)} × ${mebibytes(c.activationsBytesPerSample)})`, c.activationsBytesPerSample * microBatch],
  ] as const;
  const values = parts.map(([component, bytes], order) => ({ component, order, mib: Math.max(0, bytes) / MIB, at: `micro-batch ${figure(microBatch)}` }));
  return {
    name: 'memory-by-component',
    title: `Peak memory by component at micro-batch ${figure(microBatch)}`,
    caption:
      'Where the memory of one training step goes at the largest micro-batch: the fixed parts (parameters, gradients, optimizer state, runtime workspace) and the activations, which grow with the micro-batch. ' +
      'Only the last grows with the batch, which is why gradient accumulation (iter-size) reaches any effective batch in the memory of one micro-batch (C10).',
    spec: {
      width: WIDTH,
      height: 60,
      data: { values },
      params: [legendFilter('part', 'component')],
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'at', type: 'nominal', title: null },
        x: { field: 'mib', type: 'quantitative', stack: 'zero', title: 'MiB' },
        color: { field: 'component', type: 'nominal', sort: { field: 'order' }, title: 'component', legend: { orient: 'bottom', columns: 2, labelLimit: 320 } },
        order: { field: 'order' },
        opacity: fadeUnless('part'),
        tooltip: [{ field: 'component' }, { field: 'mib', title: 'MiB', format: ',.2f' }],
      },
    } as never,
  };
}

/** One rate of the bounded rate grid as the plot sees it (recommend's summary.pilotRates). */
export interface PilotRatePoint {
  readonly lr: number;
  readonly examplesToTarget: number | null;
  readonly reached: boolean;
  readonly errExponent: number | null;
  readonly seenExamples: number;
  readonly evaluations: readonly { readonly examples: number; readonly valAccuracy: number }[];
}

/** Points of the extrapolated line from `from` to `to` examples, through (to, err) with the given exponent. */
function extrapolatedLine(from: number, to: number, err: number, exponent: number, n = 12): { examples: number; error: number }[] {
  return Array.from({ length: n + 1 }, (_, i) => {
    const examples = from * Math.pow(to / from, i / n);
    return { examples, error: err * Math.pow(examples / to, exponent) };
  });
}

/** The back-test's band on the target line, and its label below it. */
function bandLayers(b: BacktestBand, targetError: number): object[] {
  const values = [{ from: b.examplesToTarget * b.low, to: b.examplesToTarget * b.high, error: targetError, label: `back-tested on ${b.runs} kept runs: ${bandEnds(b)}${b.percentiles ? ' (10th–90th percentile)' : ''}` }];
  const y = { field: 'error', type: 'quantitative' };
  return [
    { data: { values }, mark: { type: 'rule', color: '#555', strokeWidth: 7, opacity: 0.35, strokeCap: 'round' }, encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' }, y } },
    { data: { values }, mark: { type: 'text', align: 'right', baseline: 'top', dy: 8, color: '#444', fontSize: 11 }, encoding: { x: { field: 'to', type: 'quantitative' }, y, text: { field: 'label' } } },
  ];
}

/** The pilot's extrapolation back-tested on the store's runs (recommend/bounded/backtest.ts): its examples to the target, and the band the runs put on them. */
export interface BacktestBand extends BacktestFactors {
  readonly examplesToTarget: number;
}

export function pilotRatesExtrapolated(rates: readonly PilotRatePoint[], pilotLr: number | null, targetAccuracy: number, band: BacktestBand | null = null): Plot {
  const label = (lr: number) => `lr ${figure(lr)}${lr === pilotLr ? ' (pilot)' : ''}`;
  const targetError = 1 - targetAccuracy;
  const seen = rates.flatMap((r) => r.evaluations.filter((e) => e.examples > 0 && e.valAccuracy < 1).map((e) => ({ rate: label(r.lr), examples: e.examples, error: 1 - e.valAccuracy, part: 'validated' })));
  const ahead = rates.flatMap((r) =>
    r.examplesToTarget === null || r.reached || r.errExponent === null || !(r.examplesToTarget > r.seenExamples)
      ? []
      : extrapolatedLine(r.seenExamples, r.examplesToTarget, targetError, r.errExponent).map((p) => ({ rate: label(r.lr), ...p, part: 'extrapolated' })),
  );
  const ends = rates.flatMap((r) => (r.examplesToTarget === null ? [] : [{ rate: label(r.lr), examples: r.examplesToTarget, error: targetError, part: r.reached ? 'reached within the bound' : 'extrapolated' }]));
  const x = { field: 'examples', type: 'quantitative', scale: LOG, title: 'examples seen at the pilot batch' } as const;
  // With a band, room below the target line for its label.
  const y = { field: 'error', type: 'quantitative', scale: band === null ? LOG : { ...LOG, domainMin: targetError * 0.7 }, title: 'validation error (1 − accuracy)' } as const;
  const color = { field: 'rate', type: 'nominal', title: 'rate', sort: rates.map((r) => label(r.lr)) } as const;
  const tooltip = [{ field: 'rate' }, { field: 'part' }, { field: 'examples', format: ',.0f' }, { field: 'error', format: '.4f' }];
  return {
    name: 'pilot-rates-extrapolated',
    title: 'The bounded rate grid: each rate’s pilot, extrapolated to the target',
    caption:
      `Each rate of the grid at the pilot batch (the range test’s and each half the one before) trained a bounded part of a run; its validation error (solid) is fitted by a power of the examples seen and followed (dashed) to the target’s error of ${(targetError * 100).toFixed(2)}%. ` +
      'The rate that gets there in the fewest examples is the pilot’s: the rate rule carries it to every batch size, and its examples to the target are where the epochs each batch needs (C8c), and so the time-optimal batch (C9), are predicted from. A power law without a floor is optimistic far from the target, and a single seed’s curve jumps: the crossing is an estimate, drawn as one.' +
      (band === null
        ? ''
        : ` The grey bar on the target line is the back-test: ${band.runs} runs of this problem kept in the store, each cut where the same extrapolation had as far to go, took ${bandEnds(band)} the examples it said (${bandSpan(band)}), so the pilot's ${figure(Math.round(band.examplesToTarget))} examples could be anywhere in that band.`),
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        { data: { values: seen }, params: [legendFilter('rate', 'rate')], mark: { type: 'line', point: { filled: true, size: 30 } }, encoding: { x, y, color, opacity: fadeUnless('rate'), tooltip } },
        { data: { values: ahead }, mark: { type: 'line', strokeDash: [5, 4] }, encoding: { x, y, color, opacity: fadeUnless('rate'), tooltip, detail: { field: 'rate' } } },
        { data: { values: ends }, mark: { type: 'point', shape: 'diamond', size: 90, filled: true }, encoding: { x, y, color, opacity: fadeUnless('rate'), tooltip } },
        { data: { values: [{ error: targetError }] }, mark: { type: 'rule', color: '#c00', strokeDash: [4, 3] }, encoding: { y: { field: 'error', type: 'quantitative' } } },
        { data: { values: [{ error: targetError, label: `target ${(targetAccuracy * 100).toFixed(2)}%` }] }, mark: { type: 'text', align: 'left', baseline: 'bottom', x: 4, dy: -3, color: '#c00', fontSize: 11 }, encoding: { y: { field: 'error', type: 'quantitative' }, text: { field: 'label' } } },
        ...(band === null ? [] : bandLayers(band, targetError)),
      ] as never,
    },
  };
}
