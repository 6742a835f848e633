/**
 * The rprop experiment (C3, C4) in the page: iRprop− on the full batch against iRprop− on
 * mini-batches, and RMSProp and SGD on the same mini-batches, at `batchwise lab rprop`'s rates,
 * for the same examples, on a small MNIST subset (a 784-32-10 MLP) or on the lab's synthetic
 * paraboloid from its start. The loss and the step-sign flips are recorded by the lab's own
 * `trainRecording`, here over the page trainer. Browser-safe.
 */
import type { ResolvedModel } from '../../model/model.js';
import { makeOptimizer } from '../../optim/registry.js';
import { sig } from '../experiment.js';
import { trainRecording, type RecordableTrainer } from '../record.js';
import { rpropPlots } from '../rprop/plots.js';
import type { VariantResult } from '../rprop/rprop.js';
import { judgeC4, RATES, VARIANTS } from '../rprop/variants.js';
import { ellipseProblem, linearNeuron, startPoint } from '../zigzag/problem.js';
import { num, type Control, type PageExperiment, type PageResult, type RunContext } from './controls.js';
import { firstOf, mnistMlp } from './mnist-page.js';
import { PageTrainer, type PageSplit } from './page-trainer.js';

/** The synthetic problem as `batchwise lab rprop`'s: 256 examples, noise 0.3, long axis at −30°; MNIST smaller than the lab's. */
export const RPROP_PAGE = { examples: 256, noise: 0.3, angleDeg: -30, flipSample: 4, mnistTrain: 500 } as const;

const CONTROLS: readonly Control[] = [
  { kind: 'select', key: 'problem', param: 'problem', label: 'problem', options: [{ value: 'mnist', label: `MNIST (${RPROP_PAGE.mnistTrain} images, MLP)` }, { value: 'synthetic', label: 'paraboloid (linear neuron)' }], default: 'mnist' },
  { kind: 'range', key: 'batch', param: 'B', label: 'mini-batch B of the mini-batch runs', min: 2, max: 128, step: 1, default: 32 },
  { kind: 'range', key: 'condition', param: 'kappa', label: 'condition number κ of the paraboloid', min: 1, max: 100, step: 1, default: 10 },
  { kind: 'range', key: 'epochs', param: 'epochs', label: 'epochs (the same examples for every run)', min: 2, max: 40, step: 1, default: 8 },
  { kind: 'range', key: 'seed', param: 'seed', label: 'seed (data, shuffles)', min: 1, max: 50, step: 1, default: 1 },
];

/** The page trainer as `trainRecording` drives a trainer: one rate, losses checked for divergence. */
function recordable(t: PageTrainer, lr: number, test: PageSplit): RecordableTrainer<PageSplit> {
  return {
    get state() {
      return t.state;
    },
    stepsPerEpoch: t.stepsPerEpoch,
    effectiveBatch: t.batch,
    data: { train: t.split, test },
    evaluate: (s) => t.evaluate(s),
    async runUpdates(count) {
      const before = t.state.step;
      const losses = await t.runUpdates(count, lr);
      const bad = losses.findIndex((l) => !Number.isFinite(l));
      return { divergedAtStep: bad < 0 ? null : before + bad + 1 };
    },
  };
}

interface Setup {
  readonly split: PageSplit;
  readonly test: PageSplit;
  readonly model: ResolvedModel;
  /** The paraboloid's start (every run from it), or null: the MLP starts from the seed's weights. */
  readonly start: readonly number[] | null;
  /** Subtracted from every loss: L* for the paraboloid, 0 for MNIST. */
  readonly floor: number;
  readonly name: string;
}

async function setup(problem: 'mnist' | 'synthetic', condition: number, seed: number, mnist: RunContext['mnist']): Promise<Setup> {
  if (problem === 'mnist') {
    const d = await mnist();
    const split = firstOf(d.train, RPROP_PAGE.mnistTrain);
    return { split, test: d.test, model: mnistMlp(), start: null, floor: 0, name: `MNIST (first ${split.count})` };
  }
  const p = ellipseProblem({ condition, angleDeg: RPROP_PAGE.angleDeg, examples: RPROP_PAGE.examples, noise: RPROP_PAGE.noise, seed });
  const split: PageSplit = { x: p.x, targets: p.t, featureShape: [2], count: RPROP_PAGE.examples };
  return { split, test: split, model: linearNeuron(), start: startPoint(p), floor: p.minLoss, name: `paraboloid κ = ${condition}` };
}

export const rpropExperiment: PageExperiment = {
  controls: CONTROLS,
  async run({ ort, sessionOptions, stale, mnist }, view): Promise<PageResult | null> {
    const [batch, condition, epochs, seed] = ['batch', 'condition', 'epochs', 'seed'].map((k) => num(view, k)) as [number, number, number, number];
    const problem = view['problem'] === 'synthetic' ? 'synthetic' : 'mnist';
    const s = await setup(problem, condition, seed, mnist);
    const results: VariantResult[] = [];
    for (const v of VARIANTS) {
      if (stale()) return null;
      const b = v.fullBatch ? s.split.count : Math.min(batch, s.split.count);
      const lr = RATES[problem][v.optimizer as 'rprop' | 'rmsprop' | 'sgd'];
      const trainer = await PageTrainer.create(ort, s.model, makeOptimizer(v.optimizer, { lr }), s.split, b, seed, sessionOptions);
      try {
        if (s.start) trainer.state.params = [Float32Array.from(s.start)];
        const recording = await trainRecording(recordable(trainer, lr, s.test), epochs, RPROP_PAGE.flipSample);
        results.push({ problem, label: v.label, optimizer: v.optimizer, batch: b, lr, recording });
      } finally {
        await trainer.release();
      }
    }
    const final = (r: VariantResult) => r.recording.epochs[r.recording.epochs.length - 1]!;
    const loss = (r: VariantResult) => final(r).trainLoss - s.floor;
    const [full, mini, rms] = results.map(loss) as [number, number, number];
    const { rpropFails, rmsCopes } = judgeC4({ full, mini, rms });
    const flips = (r: VariantResult) => {
      const fs = r.recording.epochs.map((e) => e.flipFraction).filter((f): f is number => f !== null);
      return fs.length ? fs.reduce((a, c) => a + c, 0) / fs.length : NaN;
    };
    const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '–');
    const holds = rpropFails && rmsCopes;
    const sentence =
      `${holds ? 'Bears out' : 'Does not bear out'} C4 here: after ${epochs} epochs iRprop− is at ${problem === 'mnist' ? 'training loss' : 'L − L*'} ${sig(full)} on the full batch and ${sig(mini)} on batches of ${batch}, RMSProp on the same batches at ${sig(rms)}` +
      `${rpropFails ? '' : '; mini-batch Rprop is not twice worse than full-batch'}${rmsCopes || !rpropFails ? '' : '; RMSProp is not twice better than mini-batch Rprop'}.`;
    const plots = rpropPlots(results, { [problem]: s.floor }, { [problem]: s.name }, () => epochs).filter((pl) => problem === 'mnist' || pl.name !== 'rprop-accuracy');
    return {
      plots,
      table: {
        head: ['optimizer', 'batch', 'rate (Rprop: Δ₀)', 'updates', problem === 'mnist' ? 'final training loss' : 'final L − L*', 'test accuracy', 'step sign flips'],
        rows: results.map((r) => [r.label, String(r.batch), String(r.lr), String(final(r).updates), sig(loss(r)), Number.isNaN(final(r).testAccuracy) ? '–' : `${(100 * final(r).testAccuracy).toFixed(1)}%`, pct(flips(r))]),
      },
      verdict: { holds, sentence },
      summary: `trained ${results.reduce((a, r) => a + final(r).updates, 0)} updates of ${results.length} optimizers`,
    };
  },
};
