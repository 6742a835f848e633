/** The escape experiment's plots: the landscape, the fraction that escapes, and sharpness and gap on MNIST. */
import type { Plot } from '../../report/render.js';
import type { BasinRow } from './basins.js';
import type { EscapeProblem } from './problem.js';
import type { SharpnessRow } from './sharpness.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const batchAxis = { field: 'batch', type: 'quantitative', scale: { type: 'log', base: 2, nice: false }, title: 'batch size B (examples)' } as const;

export function landscapePlot(p: EscapeProblem, curve: readonly { w: number; loss: number }[], start: number, startLoss: number): Plot {
  const marks = [
    { w: start, loss: startLoss, what: 'start' },
    { w: p.poor.w, loss: p.poor.loss, what: 'poor minimum' },
    { w: 0, loss: p.ridgeLoss, what: 'ridge' },
    { w: p.better.w, loss: p.better.loss, what: 'better minimum' },
  ];
  return {
    name: 'escape-landscape',
    title: 'The escape problem’s training loss against its one weight',
    caption: `L(w) of f(x) = relu(w·x) over ${p.x.length} examples, measured by the engine’s evaluation graph. Gradient descent from the start slides into the shallow poor basin (w ≈ ${p.poor.w.toFixed(2)}, just below the ridge at w = 0); the better basin lies beyond the ridge, at w = ${p.better.w.toFixed(2)}.`,
    spec: {
      $schema: SCHEMA,
      title: 'Training loss L(w) of the escape problem',
      width: 420,
      height: 240,
      layer: [
        { data: { values: curve }, mark: { type: 'line', color: '#1f77b4' }, encoding: { x: { field: 'w', type: 'quantitative', title: 'weight w' }, y: { field: 'loss', type: 'quantitative', title: 'training loss', scale: { zero: false } } } },
        {
          data: { values: marks },
          mark: { type: 'point', filled: true, size: 70 },
          encoding: {
            x: { field: 'w', type: 'quantitative' },
            y: { field: 'loss', type: 'quantitative' },
            color: { field: 'what', type: 'nominal', title: null, scale: { domain: marks.map((m) => m.what), range: ['#7f7f7f', '#d62728', '#ff7f0e', '#2ca02c'] } },
          },
        },
      ],
    },
  };
}

export function fractionPlot(rows: readonly BasinRow[], epochs: number, lr: number): Plot {
  return {
    name: 'escape-fraction',
    title: 'Fraction of runs that end in the better basin, against B',
    caption: `Each point: the share of runs (seeds: the order of the examples) that crossed the ridge within ${epochs} epochs of SGD at rate ${lr} from the same start. The full batch is deterministic and never crosses (C2: the sampling noise of small batches does).`,
    spec: {
      $schema: SCHEMA,
      title: `Runs ending in the better basin after ${epochs} epochs, against B`,
      width: 420,
      height: 240,
      data: { values: rows.map((r) => ({ batch: r.batch, fraction: r.fraction, runs: r.runs })) },
      mark: { type: 'line', point: { filled: true, size: 60, color: '#2ca02c' }, color: '#2ca02c' },
      encoding: { x: batchAxis, y: { field: 'fraction', type: 'quantitative', title: 'fraction in the better basin', scale: { domain: [0, 1] } }, tooltip: [{ field: 'runs' }] },
    },
  };
}

export function sharpnessPlots(rows: readonly SharpnessRow[], caption: string): Plot[] {
  const gap = rows.flatMap((r) => [
    { batch: r.batch, gap: r.accuracyGap, what: 'accuracy: train − test' },
    { batch: r.batch, gap: r.lossGap, what: 'loss: test − train' },
  ]);
  return [
    {
      name: 'escape-sharpness',
      title: 'Sharpness of the minimum reached on MNIST, against B',
      caption: `Top eigenvalue of the training loss’s Hessian where each batch size stopped (power iteration on finite-difference Hessian-vector products). ${caption}`,
      spec: {
        $schema: SCHEMA,
        title: 'Top Hessian eigenvalue at the minimum reached, against B (MNIST subset)',
        width: 420,
        height: 240,
        data: { values: rows.map((r) => ({ batch: r.batch, sharpness: r.sharpness })) },
        mark: { type: 'line', point: { filled: true, size: 60, color: '#d62728' }, color: '#d62728' },
        encoding: { x: batchAxis, y: { field: 'sharpness', type: 'quantitative', title: 'top Hessian eigenvalue λ_max' } },
      },
    },
    {
      name: 'escape-gap',
      title: 'Train–test gap on MNIST, against B',
      caption: `The same runs: how much better the model does on its training subset than on held-out images. ${caption}`,
      spec: {
        $schema: SCHEMA,
        title: 'Train–test gap at the minimum reached, against B (MNIST subset)',
        width: 420,
        height: 240,
        data: { values: gap },
        mark: { type: 'line', point: { filled: true, size: 60 } },
        encoding: { x: batchAxis, y: { field: 'gap', type: 'quantitative', title: 'gap' }, color: { field: 'what', type: 'nominal', title: null, legend: { labelLimit: 300 } } },
      },
    },
  ];
}
