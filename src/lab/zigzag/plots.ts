/**
 * The seed's figure, live: SGD paths drawn over the loss contours (exact ellipses of the data's
 * own H), and each path's distance to the optimum against examples seen. Specs only: rendering
 * is the report's.
 */
import type { Plot } from '../../report/render.js';
import type { Point } from './path.js';
import { contour, type EllipseProblem } from './problem.js';

interface PathRun {
  readonly batch: number;
  readonly path: readonly Point[];
}

/** Contour levels as fractions of the start's excess loss: the outermost passes through the start. */
const LEVELS = [1.6, 1, 0.5, 0.25, 0.1, 0.03];

/** `optimizer` names what stepped along the paths (the browser lab offers others than SGD). */
export function zigzagPlots(p: EllipseProblem, runs: readonly PathRun[], startExcess: number, label: (b: number) => string, optimizer = 'SGD'): Plot[] {
  const contours = LEVELS.flatMap((f) => contour(p, f * startExcess).map(([w1, w2], k) => ({ level: f, k, w1, w2 })));
  const paths = runs.flatMap((r) => r.path.map(([w1, w2], step) => ({ batch: `B = ${label(r.batch)}`, b: r.batch, step, w1, w2 })));
  // A square window around the contour through the start, so the ellipses keep their shape.
  const inner = contours.filter((c) => c.level === 1);
  const xs = inner.map((c) => c.w1);
  const ys = inner.map((c) => c.w2);
  const [cx, cy] = [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
  const half = 0.6 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  const xDomain = [cx - half, cx + half];
  const yDomain = [cy - half, cy + half];
  const batchOrder = runs.map((r) => `B = ${label(r.batch)}`);
  const pathsPlot: Plot = {
    name: 'zigzag-paths',
    title: `${optimizer} paths on the loss contours of a linear neuron`,
    caption:
      `From one start (square) toward the optimum (cross), each batch size sees the same number of examples with the same learning rate. ` +
      `B = 1 zig-zags, each step following its own example (C5); the larger the batch, the straighter the path (C6c).`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: `${optimizer} paths on the loss contours (linear neuron, squared error)`, subtitle: `condition number ${p.spec.condition}, ${p.spec.examples} examples, same examples seen per path` },
      width: 440,
      height: 440,
      resolve: { scale: { color: 'independent' } },
      layer: [
        {
          data: { values: contours },
          mark: { type: 'line', strokeWidth: 1.5, clip: true },
          encoding: {
            x: { field: 'w1', type: 'quantitative', scale: { domain: xDomain, nice: false }, title: 'w₁' },
            y: { field: 'w2', type: 'quantitative', scale: { domain: yDomain, nice: false }, title: 'w₂' },
            detail: { field: 'level' },
            order: { field: 'k' },
            color: { field: 'level', type: 'quantitative', scale: { type: 'log', range: ['#d62728', '#f5c77e'] }, legend: null },
          },
        },
        {
          data: { values: paths },
          mark: { type: 'line', strokeWidth: 1.3, clip: true, point: { size: 9, filled: true } },
          encoding: {
            x: { field: 'w1', type: 'quantitative' },
            y: { field: 'w2', type: 'quantitative' },
            order: { field: 'step' },
            color: { field: 'batch', type: 'nominal', sort: batchOrder, scale: { range: ['#1f1f1f', '#1f77b4', '#2ca02c', '#9467bd', '#8c564b'] }, title: 'batch' },
          },
        },
        {
          data: { values: [{ w1: runs[0]?.path[0]?.[0] ?? 0, w2: runs[0]?.path[0]?.[1] ?? 0, what: 'start' }, { w1: p.optimum[0], w2: p.optimum[1], what: 'optimum' }] },
          mark: { type: 'point', size: 120, strokeWidth: 2.5, color: '#000' },
          encoding: {
            x: { field: 'w1', type: 'quantitative' },
            y: { field: 'w2', type: 'quantitative' },
            shape: { field: 'what', type: 'nominal', scale: { domain: ['start', 'optimum'], range: ['square', 'cross'] }, title: null },
          },
        },
      ],
    },
  };
  const n = p.spec.examples;
  const distances = runs.flatMap((r) =>
    r.path.map(([w1, w2], step) => ({ batch: `B = ${label(r.batch)}`, epochs: (step * r.batch) / n, distance: Math.max(1e-6, Math.hypot(w1 - p.optimum[0], w2 - p.optimum[1])) })),
  );
  const distancePlot: Plot = {
    name: 'zigzag-distance',
    title: 'Distance to the optimum against examples seen',
    caption:
      'Per example, B = 1 closes in fastest but then wanders in a ball around the optimum whose size the batch sets; ' +
      'the full batch moves smoothly but makes one update per epoch (C7b).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Distance to the optimum against examples seen',
      width: 440,
      height: 260,
      data: { values: distances },
      mark: { type: 'line', strokeWidth: 1.3 },
      encoding: {
        x: { field: 'epochs', type: 'quantitative', title: 'examples seen (epochs)' },
        y: { field: 'distance', type: 'quantitative', scale: { type: 'log' }, title: '‖w − w*‖' },
        color: { field: 'batch', type: 'nominal', sort: batchOrder, scale: { range: ['#1f1f1f', '#1f77b4', '#2ca02c', '#9467bd', '#8c564b'] }, title: 'batch' },
      },
    },
  };
  return [pathsPlot, distancePlot];
}
