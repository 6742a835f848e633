/**
 * The MNIST half of C2: the minimum each batch size reaches, and how sharp it is. Every batch
 * size trains the same MLP from the same initialisation with the same SGD rate (so the
 * noise, rate/B, falls as B grows) until its training loss falls below a common target, capped
 * at a number of epochs: the runs end at the same height, and what differs is where. Then the
 * top Hessian eigenvalue of the training loss there (hessian.ts) and the train–test gap.
 */
import type { DataSplits } from '../../data/dataset.js';
import { Trainer } from '../../engine/trainer.js';
import { resolveModel } from '../../model/model.js';
import { modelSpecSchema } from '../../model/spec.js';
import { makeOptimizer } from '../../optim/registry.js';
import type { LabLog } from '../experiment.js';
import { sig } from '../experiment.js';
import { FullGradient, topHessianEigenvalue } from './hessian.js';

export interface SharpnessOptions {
  readonly batchSizes: readonly number[];
  readonly lr: number;
  /** Stop once the mean training loss is at or below this. */
  readonly lossTarget: number;
  readonly maxEpochs: number;
  readonly hidden: number;
  readonly seed: number;
  readonly powerIterations: number;
}

export interface SharpnessRow {
  readonly batch: number;
  readonly epochs: number;
  readonly reachedTarget: boolean;
  readonly trainLoss: number;
  readonly testLoss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** Train accuracy − test accuracy. */
  readonly accuracyGap: number;
  /** Test loss − train loss. */
  readonly lossGap: number;
  /** Top eigenvalue of the training loss's Hessian at the end. */
  readonly sharpness: number;
  readonly powerIterations: number;
}

export const mlp = (hidden: number) =>
  resolveModel(modelSpecSchema.parse({ name: `mlp-${hidden}`, layers: [{ type: 'dense', units: hidden }, { type: 'relu' }, { type: 'dense', units: 10 }] }), [784], 10);

export async function sharpnessRuns(data: DataSplits, o: SharpnessOptions, log: LabLog): Promise<SharpnessRow[]> {
  const model = mlp(o.hidden);
  const fg = await FullGradient.create(model, data.train);
  const rows: SharpnessRow[] = [];
  try {
    for (const requested of o.batchSizes) {
      const batch = Math.min(requested, data.train.count);
      const trainer = await Trainer.create(model, makeOptimizer('sgd', { lr: o.lr }), data, { microBatch: batch, iterSize: 1, seed: o.seed, threads: 1, schedule: { kind: 'constant', warmupSteps: 0 } });
      try {
        let train = await trainer.evaluate(data.train);
        let epochs = 0;
        while (train.loss > o.lossTarget && epochs < o.maxEpochs) {
          await trainer.runUpdates(trainer.stepsPerEpoch);
          epochs++;
          train = await trainer.evaluate(data.train);
        }
        const test = await trainer.evaluate(data.test);
        const top = await topHessianEigenvalue(fg, trainer.state.params, { seed: o.seed, maxIterations: o.powerIterations, tolerance: 1e-3, eps: 1e-3 });
        const row: SharpnessRow = {
          batch,
          epochs,
          reachedTarget: train.loss <= o.lossTarget,
          trainLoss: train.loss,
          testLoss: test.loss,
          trainAccuracy: train.accuracy,
          testAccuracy: test.accuracy,
          accuracyGap: train.accuracy - test.accuracy,
          lossGap: test.loss - train.loss,
          sharpness: top.eigenvalue,
          powerIterations: top.iterations,
        };
        rows.push(row);
        log(`  MNIST B = ${batch}: ${epochs} epochs, train loss ${sig(train.loss)}, test accuracy ${(100 * test.accuracy).toFixed(1)}%, top Hessian eigenvalue ${sig(top.eigenvalue)}`);
      } finally {
        await trainer.release();
      }
    }
  } finally {
    await fg.release();
  }
  return rows;
}
