/**
 * The escape problem trained by the engine: from the fixed start, SGD at each batch size over
 * many seeds (the seed draws the order of the examples, nothing else: the start is the same for
 * every run), counting the runs that end in the better basin (w < 0, beyond the ridge).
 */
import type { DataSplits } from '../../data/dataset.js';
import { Trainer } from '../../engine/trainer.js';
import { makeOptimizer } from '../../optim/registry.js';
import { ESCAPE_START, reluNeuron, type EscapeProblem } from './problem.js';

export function escapeSplits(p: EscapeProblem): DataSplits {
  const n = p.x.length;
  // Only the training loss surface is studied; no held-out split is read.
  const train = { x: p.x, y: new Int32Array(n), targets: p.t, count: n, featureShape: [1] };
  return { name: `escape problem (${n} examples)`, numClasses: 1, featureShape: [1], train, validation: train, test: train, normalization: { mean: Float32Array.of(0), std: Float32Array.of(1) } };
}

export interface BasinRow {
  readonly batch: number;
  readonly runs: number;
  /** Runs that end with w < 0, in the better basin. */
  readonly escaped: number;
  readonly fraction: number;
  /** Mean final training loss over the runs, from the engine's evaluation graph. */
  readonly meanFinalLoss: number;
  readonly finalWeights: readonly number[];
}

export async function basinRuns(p: EscapeProblem, batch: number, o: { readonly lr: number; readonly epochs: number; readonly seed: number; readonly seeds: number }): Promise<BasinRow> {
  const data = escapeSplits(p);
  const finalWeights: number[] = [];
  let lossSum = 0;
  // Full-batch descent is deterministic: the order of the examples does not change the mean.
  const runs = batch >= data.train.count ? 1 : o.seeds;
  for (let s = 0; s < runs; s++) {
    const trainer = await Trainer.create(reluNeuron(), makeOptimizer('sgd', { lr: o.lr }), data, { microBatch: batch, iterSize: 1, seed: o.seed + s, threads: 1, schedule: { kind: 'constant', warmupSteps: 0 } });
    try {
      trainer.restore({ ...trainer.snapshot(), params: [Float32Array.of(ESCAPE_START)] });
      for (let e = 0; e < o.epochs; e++) await trainer.runUpdates(trainer.stepsPerEpoch);
      finalWeights.push(trainer.state.params[0]![0]!);
      lossSum += (await trainer.evaluate(data.train)).loss;
    } finally {
      await trainer.release();
    }
  }
  const escaped = finalWeights.filter((w) => w < 0).length;
  return { batch, runs, escaped, fraction: escaped / runs, meanFinalLoss: lossSum / runs, finalWeights };
}

/** L(w) on a grid, measured by the engine's evaluation graph (the curve the plot draws). */
export async function lossCurve(p: EscapeProblem, ws: readonly number[]): Promise<{ w: number; loss: number }[]> {
  const trainer = await Trainer.create(reluNeuron(), makeOptimizer('sgd', { lr: 0.1 }), escapeSplits(p), { microBatch: 1, iterSize: 1, seed: 0, threads: 1, schedule: { kind: 'constant', warmupSteps: 0 } });
  try {
    const out: { w: number; loss: number }[] = [];
    for (const w of ws) {
      trainer.restore({ ...trainer.snapshot(), params: [Float32Array.of(w)] });
      out.push({ w, loss: (await trainer.evaluate(trainer.data.train)).loss });
    }
    return out;
  } finally {
    await trainer.release();
  }
}
