/**
 * `batchwise lab accuracy` (C9): final test accuracy against B at a fixed budget of epochs, over
 * several seeds, on an MNIST subset. Names the accuracy-optimal batch size and says whether its
 * lead is larger than the seed-to-seed noise: with runs ending in different minima (C9's reason),
 * a difference smaller than the spread over seeds is no evidence of an optimum.
 *
 * The rate follows the batch by the square-root rule from a reference (lr = lr₃₂·√(B/32)), the
 * advisor's default, so that every batch size gets a comparable rate rather than one tuned for one.
 */
import { Trainer } from '../../engine/trainer.js';
import { resolveModel } from '../../model/model.js';
import { modelSpecSchema } from '../../model/spec.js';
import { makeOptimizer } from '../../optim/registry.js';
import type { Plot } from '../../report/render.js';
import { sig, type LabLog, type LabResult } from '../experiment.js';
import { mnistSubset } from '../mnist-subset.js';

export interface AccuracyOptions {
  readonly batchSizes: readonly number[];
  readonly seeds: number;
  readonly epochs: number;
  /** SGD rate at B = 32; other sizes get lr₃₂·√(B/32). */
  readonly lr32: number;
  readonly mnistTrain: number;
  readonly mnistTest: number;
  /** First seed; the others are seed + 1, seed + 2, … */
  readonly seed: number;
}

export const ACCURACY_DEFAULTS: AccuracyOptions = { batchSizes: [1, 4, 16, 64, 256], seeds: 4, epochs: 5, lr32: 0.05, mnistTrain: 5000, mnistTest: 2000, seed: 1 };

export interface BatchAccuracy {
  readonly batch: number;
  readonly lr: number;
  readonly accuracies: readonly number[];
  readonly mean: number;
  readonly sd: number;
}

const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sdOf = (xs: readonly number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - meanOf(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
/** Standard error of the difference of two means (Welch). */
const seDiff = (a: BatchAccuracy, b: BatchAccuracy) => Math.hypot(a.sd / Math.sqrt(a.accuracies.length), b.sd / Math.sqrt(b.accuracies.length));

export async function runAccuracy(o: AccuracyOptions, log: LabLog = () => undefined): Promise<LabResult> {
  const data = mnistSubset(o.mnistTrain, o.mnistTest);
  const model = resolveModel(modelSpecSchema.parse({ name: 'mlp-64', layers: [{ type: 'dense', units: 64 }, { type: 'relu' }, { type: 'dense', units: 10 }] }), [784], 10);
  const rows: BatchAccuracy[] = [];
  for (const batch of o.batchSizes) {
    const lr = o.lr32 * Math.sqrt(batch / 32);
    const accuracies: number[] = [];
    for (let s = 0; s < o.seeds; s++) {
      const trainer = await Trainer.create(model, makeOptimizer('sgd', { lr }), data, { microBatch: Math.min(batch, data.train.count), iterSize: 1, seed: o.seed + s, threads: 1, schedule: { kind: 'constant', warmupSteps: 0 } });
      try {
        for (let e = 0; e < o.epochs; e++) await trainer.runUpdates(trainer.stepsPerEpoch);
        accuracies.push((await trainer.evaluate(data.test)).accuracy);
      } finally {
        await trainer.release();
      }
    }
    const row = { batch, lr, accuracies, mean: meanOf(accuracies), sd: sdOf(accuracies) };
    rows.push(row);
    log(`  B = ${batch} (lr ${sig(lr)}): test accuracy ${(100 * row.mean).toFixed(2)}% ± ${(100 * row.sd).toFixed(2)} over ${o.seeds} seeds`);
  }
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
  const lead = `B = ${best.batch} is best at ${pctS(best.mean)} ± ${pctS(best.sd)} (sd over ${o.seeds} seeds), the runner-up B = ${runnerUp.batch} ${sig(margin(runnerUp), 2)} standard errors behind`;
  const sentence = holds
    ? `Bears out C9 at ${o.epochs} epochs: ${lead}; B = ${names(clearOf)} fall behind by more than two standard errors on both sides of it.`
    : clearOf.length > 0
      ? `Bears out C9 only in part at ${o.epochs} epochs: ${lead}; ${plateau.length > 1 ? `within the seed-to-seed noise accuracy is flat over B = ${names(plateau)}, which reaches` : 'the best is'} ${plateau[0]!.batch === 1 ? 'B = 1, so no one size is optimal there' : 'the edge of the sizes tried, so the optimum may lie beyond them'}, and accuracy falls clearly for B = ${names(clearOf)}.`
      : `Does not bear out C9 at ${o.epochs} epochs: ${lead}; every batch size tried is within two standard errors of the best.`;
  return {
    experiment: 'accuracy',
    claims: ['C9'],
    config: { ...o, model: '784-64-10 ReLU MLP', optimizer: 'sgd', lrRule: 'sqrt from B = 32' },
    table: {
      head: ['batch', 'lr', 'updates / epoch', 'test accuracy (mean)', '± sd', 'behind best (SE)'],
      rows: rows.map((r) => [String(r.batch), sig(r.lr), String(Math.floor(data.train.count / r.batch)), pctS(r.mean), pctS(r.sd), r === best ? 'best' : sig(margin(r), 2)]),
    },
    verdict: { holds, sentence },
    plots: [accuracyPlot(rows, o)],
    figures: { rows, best: best.batch, runnerUp: runnerUp.batch, marginOfRunnerUp: margin(runnerUp), plateau: plateau.map((r) => r.batch), clearlyBehind: clearOf.map((r) => r.batch) },
  };
}

function accuracyPlot(rows: readonly BatchAccuracy[], o: AccuracyOptions): Plot {
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
