/**
 * The accuracy experiment's verdict and plot, pure functions of the per-seed accuracies, shared
 * by `batchwise lab accuracy` and the browser lab's accuracy page.
 */
import type { Plot } from '../../report/render.js';
import { sig } from '../experiment.js';

export interface BatchAccuracy {
  readonly batch: number;
  readonly lr: number;
  readonly accuracies: readonly number[];
  readonly mean: number;
  readonly sd: number;
}

export const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const sdOf = (xs: readonly number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - meanOf(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
/** Standard error of the difference of two means (Welch). */
const seDiff = (a: BatchAccuracy, b: BatchAccuracy) => Math.hypot(a.sd / Math.sqrt(a.accuracies.length), b.sd / Math.sqrt(b.accuracies.length));

/**
 * Names the accuracy-optimal batch size and says whether its lead is larger than the
 * seed-to-seed noise (two standard errors of the difference).
 */
export function judgeAccuracy(rows: readonly BatchAccuracy[], epochs: number, seeds: number) {
  const best = rows.reduce((a, b) => (b.mean > a.mean ? b : a));
  const others = rows.filter((r) => r !== best);
  const runnerUp = others.reduce((a, b) => (b.mean > a.mean ? b : a));
  // How many standard errors separate the best from each other batch size.
  const margin = (r: BatchAccuracy) => (best.mean - r.mean) / Math.max(seDiff(best, r), 1e-12);
  const clearOf = others.filter((r) => margin(r) > 2);
  // The best's plateau: every batch size within two standard errors of it.
  const plateau = rows.filter((r) => r === best || margin(r) <= 2);
  const atEdge = plateau.includes(rows[0]!) || plateau.includes(rows[rows.length - 1]!);
  const holds = !atEdge && clearOf.length > 0;
  const pctS = (x: number) => `${(100 * x).toFixed(2)}%`;
  const names = (rs: readonly BatchAccuracy[]) => rs.map((r) => r.batch).join(', ');
  const lead = `B = ${best.batch} is best at ${pctS(best.mean)} ± ${pctS(best.sd)} (sd over ${seeds} seeds), the runner-up B = ${runnerUp.batch} ${sig(margin(runnerUp), 2)} standard errors behind`;
  const sentence = holds
    ? `Bears out C9 at ${epochs} epochs: ${lead}; B = ${names(clearOf)} fall behind by more than two standard errors on both sides of it.`
    : clearOf.length > 0
      ? `Bears out C9 only in part at ${epochs} epochs: ${lead}; ${plateau.length > 1 ? `within the seed-to-seed noise accuracy is flat over B = ${names(plateau)}, which reaches` : 'the best is'} ${plateau[0]!.batch === 1 ? 'B = 1, so no one size is optimal there' : 'the edge of the sizes tried, so the optimum may lie beyond them'}, and accuracy falls clearly for B = ${names(clearOf)}.`
      : `Does not bear out C9 at ${epochs} epochs: ${lead}; every batch size tried is within two standard errors of the best.`;
  return { best, runnerUp, margin, clearOf, plateau, holds, sentence };
}

export function accuracyPlot(rows: readonly BatchAccuracy[], o: { readonly epochs: number; readonly seeds: number }): Plot {
  const x = { field: 'batch', type: 'quantitative', scale: { type: 'log', base: 2, nice: false }, title: 'batch size B (examples)' } as const;
  return {
    name: 'accuracy-by-batch',
    title: 'Final test accuracy against batch size at a fixed budget of epochs',
    caption: `Each small point is one seed, the line joins the means, bars are ± one standard deviation. With ${o.epochs} epochs for every B, the accuracy-optimal batch size sits where the error bars of its neighbours fall clear of it, if anywhere (C9).`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: `Test accuracy after ${o.epochs} epochs against B (${o.seeds} seeds)`,
      width: 420,
      height: 260,
      layer: [
        { data: { values: rows.flatMap((r) => r.accuracies.map((a) => ({ batch: r.batch, accuracy: a }))) }, mark: { type: 'point', size: 20, opacity: 0.6, color: '#7f7f7f' }, encoding: { x, y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { zero: false } } } },
        { data: { values: rows.map((r) => ({ batch: r.batch, lo: r.mean - r.sd, hi: r.mean + r.sd })) }, mark: { type: 'rule', color: '#1f77b4' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
        { data: { values: rows.map((r) => ({ batch: r.batch, mean: r.mean })) }, mark: { type: 'line', point: { filled: true, size: 50 }, color: '#1f77b4' }, encoding: { x, y: { field: 'mean', type: 'quantitative' } } },
      ],
    },
  };
}
