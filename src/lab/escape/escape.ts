/**
 * `batchwise lab escape` (C2): does the sampling noise of small batches get training out of a
 * poor basin that the full gradient settles in?
 *
 * 1. The escape problem (problem.ts): one ReLU neuron f(x) = relu(w·x) with squared error on a
 *    finite data set of n examples, whose loss has a shallow poor basin around the start and a
 *    better basin beyond a ridge at w = 0. From the same start, SGD at each B for the same number
 *    of epochs and the same rate, over many seeds (the order of the examples): the fraction of
 *    runs that end beyond the ridge. The noise is the data's own: each batch's gradient is the
 *    mean of its examples' gradients, trained by the engine's compiled graphs.
 * 2. MNIST (a subset): the same MLP and rate at several B, each trained to a common training
 *    loss; the sharpness of where it stopped (the Hessian's top eigenvalue, hessian.ts) and its
 *    train–test gap, against B.
 */
import { sig, type LabLog, type LabResult } from '../experiment.js';
import { mnistSubset } from '../mnist-subset.js';
import { basinRuns, lossCurve, type BasinRow } from './basins.js';
import { fractionPlot, landscapePlot, sharpnessPlots } from './plots.js';
import { ESCAPE_START, escapeProblem, lossAt } from './problem.js';
import { sharpnessRuns, type SharpnessOptions, type SharpnessRow } from './sharpness.js';

export interface EscapeOptions {
  readonly problems: readonly ('synthetic' | 'mnist')[];
  /** Escape problem: examples, batch sizes ('full' = all), epochs, SGD rate, runs per B. */
  readonly examples: number;
  readonly batchSizes: readonly (number | 'full')[];
  readonly epochs: number;
  readonly lr: number;
  readonly seeds: number;
  readonly seed: number;
  readonly mnistTrain: number;
  readonly mnistTest: number;
  readonly mnist: Omit<SharpnessOptions, 'seed'>;
}

export const ESCAPE_DEFAULTS: EscapeOptions = {
  problems: ['synthetic', 'mnist'],
  examples: 32,
  batchSizes: [1, 2, 4, 8, 16, 'full'],
  epochs: 10,
  lr: 0.3,
  seeds: 50,
  seed: 1,
  mnistTrain: 2000,
  mnistTest: 1000,
  mnist: { batchSizes: [8, 32, 128, 512], lr: 0.05, lossTarget: 0.05, maxEpochs: 400, hidden: 32, powerIterations: 30 },
};

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export async function runEscape(o: EscapeOptions, log: LabLog = () => undefined): Promise<LabResult> {
  const p = escapeProblem({ examples: o.examples });
  const n = p.x.length;
  const basins: BasinRow[] = [];
  if (o.problems.includes('synthetic')) {
    const batches = [...new Set(o.batchSizes.map((b) => (b === 'full' ? n : Math.min(b, n))))].sort((a, b) => a - b);
    for (const batch of batches) {
      const row = await basinRuns(p, batch, o);
      basins.push(row);
      log(`  escape problem B = ${batch}: ${row.escaped} of ${row.runs} runs end in the better basin`);
    }
  }
  // Full-batch descent given as many updates as B = 1 makes: crossing is not a matter of more steps.
  const fullLong = basins.some((r) => r.batch === n) ? await basinRuns(p, n, { ...o, epochs: o.epochs * n }) : null;
  let mnistName = '';
  let sharp: SharpnessRow[] = [];
  if (o.problems.includes('mnist')) {
    const data = mnistSubset(o.mnistTrain, o.mnistTest);
    mnistName = data.name;
    sharp = await sharpnessRuns(data, { ...o.mnist, seed: o.seed }, log);
  }

  const parts: string[] = [];
  let holds = true;
  if (basins.length > 0) {
    const small = basins[0]!;
    const full = basins[basins.length - 1]!;
    const basinHolds = full.batch === n && full.fraction === 0 && fullLong?.fraction === 0 && small.fraction >= 0.5;
    holds &&= basinHolds;
    const still = basins.filter((r) => r.batch < n && r.fraction === 0).map((r) => r.batch);
    parts.push(
      full.batch !== n
        ? `cannot judge the escape problem without the full batch (--batch-sizes …,full)`
        : basinHolds
          ? `on the escape problem ${pct(small.fraction)} of the B = ${small.batch} runs cross the ridge into the better basin (mean final loss ${sig(small.meanFinalLoss)}) while full-batch descent stays in the poor one (loss ${sig(full.meanFinalLoss)}; still at w = ${sig(fullLong!.finalWeights[0]!)} after ${o.epochs * n} updates, as many as B = 1 makes)` +
            (still.length > 0 ? `, and so does every run at B = ${still.join(', ')}: the noise must be large enough` : '')
          : `on the escape problem only ${pct(small.fraction)} of the B = ${small.batch} runs end in the better basin (full batch: ${pct(full.fraction)})`,
    );
  }
  if (sharp.length > 1) {
    const [first, last] = [sharp[0]!, sharp[sharp.length - 1]!];
    const sharper = last.sharpness > 1.5 * first.sharpness;
    const rising = sharp.every((r, i) => i === 0 || r.sharpness >= sharp[i - 1]!.sharpness);
    const gapWidens = last.accuracyGap - first.accuracyGap > 0.02;
    holds &&= sharper;
    const gapText = gapWidens
      ? `the train–test accuracy gap widens from ${pct(first.accuracyGap)} to ${pct(last.accuracyGap)}`
      : `the train–test accuracy gap does not widen with it (${pct(first.accuracyGap)} at B = ${first.batch}, ${pct(last.accuracyGap)} at B = ${last.batch}), so on this subset the flatter minima bought no better generalisation`;
    parts.push(
      sharper
        ? `on MNIST the minimum reached is ${rising ? 'steadily ' : ''}sharper the larger B (top Hessian eigenvalue ${sig(first.sharpness)} at B = ${first.batch} to ${sig(last.sharpness)} at B = ${last.batch}, same rate and training loss), but ${gapText}`
        : `on MNIST the minimum reached is not clearly sharper at large B (top Hessian eigenvalue ${sig(first.sharpness)} at B = ${first.batch}, ${sig(last.sharpness)} at B = ${last.batch}), and ${gapText}`,
    );
  }
  const sentence = `${holds ? 'Bears out C2' : 'Does not bear out C2'}: ${parts.join('; ')}.`;

  const curveWs = Array.from({ length: 121 }, (_, i) => -1.5 + (2.4 * i) / 120);
  const plots = [];
  if (basins.length > 0) plots.push(landscapePlot(p, await lossCurve(p, curveWs), ESCAPE_START, lossAt(p, ESCAPE_START)), fractionPlot(basins, o.epochs, o.lr));
  if (sharp.length > 0) plots.push(...sharpnessPlots(sharp, `Every B trains the ${o.mnist.hidden}-unit MLP at rate ${o.mnist.lr} until its training loss is ${o.mnist.lossTarget} or less (at most ${o.mnist.maxEpochs} epochs), on ${mnistName}.`));

  const dash = '–';
  return {
    experiment: 'escape',
    claims: ['C2'],
    config: {
      ...o,
      model: 'escape problem: relu(w·x), one weight, squared error; MNIST: 784-h-10 ReLU MLP, softmax cross-entropy',
      optimizer: 'sgd',
      start: ESCAPE_START,
    },
    table: {
      head: ['problem', 'B', 'runs', 'epochs', 'final train loss', 'in better basin', 'λ_max', 'train − test accuracy', 'test − train loss'],
      rows: [
        ...basins.map((r) => ['escape', r.batch === n ? `${r.batch} (full)` : String(r.batch), String(r.runs), String(o.epochs), sig(r.meanFinalLoss), pct(r.fraction), dash, dash, dash]),
        ...sharp.map((r) => ['MNIST', String(r.batch), '1', `${r.epochs}${r.reachedTarget ? '' : ' (cap)'}`, sig(r.trainLoss), dash, sig(r.sharpness), pct(r.accuracyGap), sig(r.lossGap)]),
      ],
    },
    verdict: { holds, sentence },
    plots,
    figures: { problem: { examples: n, start: ESCAPE_START, poor: p.poor, better: p.better, ridgeLoss: p.ridgeLoss }, basins, fullBatchEqualUpdates: fullLong, mnist: sharp },
  };
}
