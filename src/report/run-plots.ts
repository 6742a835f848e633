/**
 * A run as the dashboard and the report show it: its row, cards of plain figures, and its plots.
 *
 * Minimal version, replaced by the report branch on merge (same signature): one plot for any run
 * with trials (validation accuracy of each trial against examples seen) and one card with the
 * run's status. The dashboard renders whatever `plots` and `cards` hold, so it does not change
 * when this file grows.
 */
import type { RunRow, Store } from '../store/store.js';
import type { Plot } from './render.js';

/** A box of labelled figures, as plain data (the page lays it out). */
export interface Card {
  readonly title: string;
  readonly items: readonly { readonly label: string; readonly value: string }[];
}

export interface RunView {
  readonly run: RunRow;
  readonly cards: readonly Card[];
  readonly plots: readonly Plot[];
}

export function plotsForRun(store: Store, runId: number): RunView {
  const run = store.getRun(runId);
  if (run === undefined) throw new Error(`plotsForRun: no run ${runId}`);
  const trials = store.trials(runId);
  const cards: Card[] = [
    {
      title: `${run.kind} run ${run.id}`,
      items: [
        { label: 'status', value: run.status },
        { label: 'created (UTC)', value: run.createdAt },
        { label: 'finished (UTC)', value: run.finishedAt ?? '–' },
        { label: 'trials', value: String(trials.length) },
      ],
    },
  ];
  const points = trials.flatMap((t) =>
    store
      .metrics(runId, t.key)
      .filter((m) => m.step > 0 && Number.isFinite(m.valAccuracy))
      .map((m) => ({ trial: t.key, batchSize: t.batchSize, lr: t.lr, examples: m.step * t.batchSize * t.iterSize, valAccuracy: m.valAccuracy })),
  );
  const plots: Plot[] = points.length === 0 ? [] : [validationAccuracyByExamples(points)];
  return { run, cards, plots };
}

interface CurvePoint {
  readonly trial: string;
  readonly batchSize: number;
  readonly lr: number;
  readonly examples: number;
  readonly valAccuracy: number;
}

function validationAccuracyByExamples(points: readonly CurvePoint[]): Plot {
  return {
    name: 'validation-accuracy-by-examples',
    title: 'Validation accuracy against examples seen',
    caption: 'Each trial\u2019s validation accuracy at each evaluation, against the training examples it had seen (steps × effective batch).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 560,
      height: 300,
      data: { values: points as CurvePoint[] },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'examples', type: 'quantitative', scale: { type: 'log' }, title: 'examples seen' },
        y: { field: 'valAccuracy', type: 'quantitative', title: 'validation accuracy', scale: { zero: false } },
        color: { field: 'trial', type: 'nominal', title: 'trial', sort: { field: 'batchSize', op: 'min' } },
        tooltip: [
          { field: 'trial', type: 'nominal' },
          { field: 'batchSize', type: 'quantitative', title: 'batch' },
          { field: 'lr', type: 'quantitative' },
          { field: 'examples', type: 'quantitative', format: ',' },
          { field: 'valAccuracy', type: 'quantitative', format: '.4f', title: 'val accuracy' },
        ],
      },
    },
  };
}
