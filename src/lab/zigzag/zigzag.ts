/**
 * `batchwise lab zigzag` (C5, C6c): SGD paths on the seed's elliptic paraboloid from one start,
 * for B = 1 (online learning), a mini-batch and the full batch, each for the same number of
 * examples, with the same learning rate. The engine trains (the compiled linear neuron with its
 * squared-error loss, one `session.run` per update so every weight vector along the way is read).
 */
import type { DataSplits } from '../../data/dataset.js';
import { Trainer } from '../../engine/trainer.js';
import { makeOptimizer } from '../../optim/registry.js';
import { sig, type LabLog, type LabResult } from '../experiment.js';
import { pathFigures, type PathFigures, type Point } from './path.js';
import { ellipseProblem, excessLoss, linearNeuron, startPoint, type EllipseProblem, type EllipseProblemSpec } from './problem.js';

export { linearNeuron, startPoint };
import { zigzagPlots } from './plots.js';

export interface ZigzagOptions extends EllipseProblemSpec {
  /** Examples per update; 'full' is the whole data set. */
  readonly batchSizes: readonly (number | 'full')[];
  readonly epochs: number;
  /** SGD's learning rate, the same for every batch size (H's largest eigenvalue is 1). */
  readonly lr: number;
}

export const ZIGZAG_DEFAULTS: ZigzagOptions = {
  condition: 10,
  angleDeg: -30,
  examples: 64,
  noise: 0.3,
  seed: 1,
  batchSizes: [1, 8, 'full'],
  epochs: 10,
  lr: 0.25,
};


export interface ZigzagRun extends PathFigures {
  readonly batch: number;
  readonly examplesSeen: number;
  /** L − L* at the end, measured by the engine's evaluation graph. */
  readonly finalExcessLoss: number;
  readonly path: readonly Point[];
}

export function problemSplits(p: EllipseProblem): DataSplits {
  const n = p.spec.examples;
  // The lab looks at the training loss surface itself; no held-out split is read.
  const train = { x: p.x, y: new Int32Array(n), targets: p.t, count: n, featureShape: [2] };
  return { name: `synthetic paraboloid (${n} examples, condition ${p.spec.condition})`, numClasses: 1, featureShape: [2], train, validation: train, test: train, normalization: { mean: Float32Array.of(0), std: Float32Array.of(1) } };
}


export async function runPath(p: EllipseProblem, batch: number, optimizerName: string, lr: number, epochs: number, seed: number): Promise<{ path: Point[]; trainer: Trainer }> {
  const trainer = await Trainer.create(linearNeuron(), makeOptimizer(optimizerName, { lr }), problemSplits(p), {
    microBatch: batch,
    iterSize: 1,
    seed,
    threads: 1,
    schedule: { kind: 'constant', warmupSteps: 0 },
  });
  const start = startPoint(p);
  trainer.restore({ ...trainer.snapshot(), params: [Float32Array.from(start)] });
  const path: Point[] = [start];
  for (let u = 0; u < trainer.stepsPerEpoch * epochs; u++) {
    await trainer.runUpdates(1);
    const w = trainer.state.params[0]!;
    path.push([w[0]!, w[1]!]);
  }
  return { path, trainer };
}

export async function runZigzag(o: ZigzagOptions, log: LabLog = () => undefined): Promise<LabResult> {
  const p = ellipseProblem(o);
  const batches = [...new Set(o.batchSizes.map((b) => (b === 'full' ? o.examples : Math.min(b, o.examples))))].sort((a, b) => a - b);
  const runs: ZigzagRun[] = [];
  for (const batch of batches) {
    const { path, trainer } = await runPath(p, batch, 'sgd', o.lr, o.epochs, o.seed);
    try {
      const end = path[path.length - 1]!;
      const measured = (await trainer.evaluate(trainer.data.train)).loss - p.minLoss;
      runs.push({ batch, examplesSeen: (path.length - 1) * batch, finalExcessLoss: measured, path, ...pathFigures(path, p.optimum, o.epochs) });
      log(`  B = ${batch}: ${path.length - 1} updates, ended ${sig(Math.hypot(end[0] - p.optimum[0], end[1] - p.optimum[1]))} from the optimum`);
    } finally {
      await trainer.release();
    }
  }
  const online = runs[0]!;
  const full = runs[runs.length - 1]!;
  const label = (b: number) => (b === o.examples ? `${b} (full)` : String(b));
  const holds = online.batch === 1 && full.batch === o.examples && online.lengthOverDisplacement > 3 * full.lengthOverDisplacement && online.reversalsPerEpoch > full.reversalsPerEpoch;
  const sentence = holds
    ? `Bears out C5 and C6c: online learning (B = 1) walks ${sig(online.lengthOverDisplacement)}× its net displacement with ${sig(online.reversalsPerEpoch)} reversals per epoch, ` +
      `the full batch ${sig(full.lengthOverDisplacement)}× with ${sig(full.reversalsPerEpoch)}; after the same ${full.examplesSeen} examples B = 1 ends ${sig(online.finalDistance)} from the optimum, ` +
      `still wandering, and the full batch ${sig(full.finalDistance)}, having made only ${full.updates} updates.`
    : online.batch !== 1 || full.batch !== o.examples
      ? `Cannot judge C5: compare B = 1 with the full batch (--batch-sizes 1,…,full).`
      : `Does not bear out C5 here: B = 1's path is ${sig(online.lengthOverDisplacement)}× its displacement against the full batch's ${sig(full.lengthOverDisplacement)}× ` +
        `(reversals per epoch ${sig(online.reversalsPerEpoch)} vs ${sig(full.reversalsPerEpoch)}); a smaller --lr or a rounder surface (--condition) hides the zig-zag.`;
  const startExcess = excessLoss(p, startPoint(p));
  return {
    experiment: 'zigzag',
    claims: ['C5', 'C6c'],
    config: {
      model: 'linear neuron y = w·x (2 weights, no bias), squared error',
      ...{ condition: o.condition, angleDeg: o.angleDeg, examples: o.examples, noise: o.noise, seed: o.seed },
      ...{ batchSizes: batches, epochs: o.epochs, optimizer: 'sgd', lr: o.lr },
    },
    table: {
      head: ['batch', 'updates', 'examples', 'path / displacement', 'reversals / epoch', 'distance to optimum', 'L − L*'],
      rows: runs.map((r) => [label(r.batch), String(r.updates), String(r.examplesSeen), sig(r.lengthOverDisplacement), sig(r.reversalsPerEpoch), sig(r.finalDistance), sig(r.finalExcessLoss)]),
    },
    verdict: { holds, sentence },
    plots: zigzagPlots(p, runs, startExcess, label),
    figures: {
      optimum: p.optimum,
      minLoss: p.minLoss,
      eigenvalues: p.eigenvalues,
      start: startPoint(p),
      startExcessLoss: startExcess,
      runs: runs.map(({ path, ...r }) => ({ ...r, path: path.map(([a, b]) => [Number(a.toPrecision(5)), Number(b.toPrecision(5))]) })),
    },
  };
}
