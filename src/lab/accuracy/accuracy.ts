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
import { sig, type LabLog, type LabResult } from '../experiment.js';
import { mnistSubset } from '../mnist-subset.js';
import { accuracyPlot, judgeAccuracy, meanOf, sdOf, type BatchAccuracy } from './plot.js';

export type { BatchAccuracy } from './plot.js';

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
  const { best, runnerUp, margin, clearOf, plateau, holds, sentence } = judgeAccuracy(rows, o.epochs, o.seeds);
  const pctS = (x: number) => `${(100 * x).toFixed(2)}%`;
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
