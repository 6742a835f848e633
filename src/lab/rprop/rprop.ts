/**
 * `batchwise lab rprop` (C3, C4): iRprop− on the full batch against iRprop− on mini-batches, and
 * RMSProp and SGD on the same mini-batches, on the synthetic paraboloid and on an MNIST subset,
 * all for the same number of examples. Rprop uses only each gradient's sign; a mini-batch's
 * sign is a sample, and where the signal is weak it flips from batch to batch, so the per-weight
 * steps shrink and learning stalls (C4). RMSProp divides by a running RMS instead, so batch
 * gradients still average out. The flip fraction shows how often the step signs disagree.
 */
import type { DataSplits } from '../../data/dataset.js';
import { Trainer } from '../../engine/trainer.js';
import { resolveModel, type ResolvedModel } from '../../model/model.js';
import { modelSpecSchema } from '../../model/spec.js';
import { makeOptimizer, type OptimizerName } from '../../optim/registry.js';
import { sig, type LabLog, type LabResult } from '../experiment.js';
import { mnistSubset } from '../mnist-subset.js';
import { trainRecording, type Recording } from '../record.js';
import { ellipseProblem } from '../zigzag/problem.js';
import { linearNeuron, problemSplits, startPoint } from '../zigzag/zigzag.js';
import { rpropPlots } from './plots.js';
import { judgeC4, RATES, VARIANTS } from './variants.js';

export type RpropProblem = 'synthetic' | 'mnist';

export interface RpropOptions {
  readonly problems: readonly RpropProblem[];
  /** The mini-batch every mini-batch variant uses. */
  readonly batch: number;
  readonly epochs: { readonly synthetic: number; readonly mnist: number };
  readonly seed: number;
  /** MNIST subset: the first `mnistTrain` training images, the first `mnistTest` test images. */
  readonly mnistTrain: number;
  readonly mnistTest: number;
  /** The synthetic paraboloid (see zigzag): examples, condition number, target noise. */
  readonly examples: number;
  readonly condition: number;
  readonly noise: number;
  /** Updates per epoch whose step signs are read (see trainRecording). */
  readonly flipSample: number;
}

export const RPROP_DEFAULTS: RpropOptions = {
  problems: ['synthetic', 'mnist'],
  batch: 32,
  epochs: { synthetic: 30, mnist: 30 },
  seed: 1,
  mnistTrain: 5000,
  mnistTest: 2000,
  examples: 256,
  condition: 10,
  noise: 0.3,
  flipSample: 12,
};

export interface VariantResult {
  readonly problem: RpropProblem;
  readonly label: string;
  readonly optimizer: OptimizerName;
  readonly batch: number;
  readonly lr: number;
  readonly recording: Recording;
}

interface Setup {
  readonly data: DataSplits;
  readonly model: ResolvedModel;
  readonly start: ((t: Trainer) => void) | null;
  /** Subtracted from every loss: L* for the paraboloid (so its curves show L − L*), 0 for MNIST. */
  readonly lossFloor: number;
}

function setup(problem: RpropProblem, o: RpropOptions): Setup {
  if (problem === 'synthetic') {
    const p = ellipseProblem({ condition: o.condition, angleDeg: -30, examples: o.examples, noise: o.noise, seed: o.seed });
    const start = startPoint(p);
    return { data: problemSplits(p), model: linearNeuron(), start: (t) => t.restore({ ...t.snapshot(), params: [Float32Array.from(start)] }), lossFloor: p.minLoss };
  }
  const spec = modelSpecSchema.parse({ name: 'mlp-64', layers: [{ type: 'dense', units: 64 }, { type: 'relu' }, { type: 'dense', units: 10 }] });
  return { data: mnistSubset(o.mnistTrain, o.mnistTest), model: resolveModel(spec, [784], 10), start: null, lossFloor: 0 };
}

export async function runRpropVariants(o: RpropOptions, log: LabLog): Promise<{ results: VariantResult[]; floors: Record<string, number>; names: Record<string, string> }> {
  const results: VariantResult[] = [];
  const floors: Record<string, number> = {};
  const names: Record<string, string> = {};
  for (const problem of o.problems) {
    const s = setup(problem, o);
    floors[problem] = s.lossFloor;
    names[problem] = s.data.name;
    for (const v of VARIANTS) {
      const batch = v.fullBatch ? s.data.train.count : Math.min(o.batch, s.data.train.count);
      const lr = RATES[problem][v.optimizer as 'rprop' | 'rmsprop' | 'sgd'];
      // Every variant starts from the same weights (same seed) and sees the same examples.
      const trainer = await Trainer.create(s.model, makeOptimizer(v.optimizer, { lr }), s.data, { microBatch: batch, iterSize: 1, seed: o.seed, threads: 1, schedule: { kind: 'constant', warmupSteps: 0 } });
      try {
        s.start?.(trainer);
        const recording = await trainRecording(trainer, o.epochs[problem], o.flipSample);
        const last = recording.epochs[recording.epochs.length - 1]!;
        log(`  ${problem}: ${v.label} (B = ${batch}, ${v.optimizer === 'rprop' ? 'Δ₀' : 'lr'} ${lr}): loss ${sig(last.trainLoss - s.lossFloor)}${Number.isNaN(last.testAccuracy) ? '' : `, test accuracy ${(100 * last.testAccuracy).toFixed(1)}%`}`);
        results.push({ problem, label: v.label, optimizer: v.optimizer, batch, lr, recording });
      } finally {
        await trainer.release();
      }
    }
  }
  return { results, floors, names };
}

const meanFlips = (r: Recording) => {
  const fs = r.epochs.map((e) => e.flipFraction).filter((f): f is number => f !== null);
  return fs.length ? fs.reduce((a, b) => a + b, 0) / fs.length : NaN;
};

export async function runRprop(o: RpropOptions, log: LabLog = () => undefined): Promise<LabResult> {
  const { results, floors, names } = await runRpropVariants(o, log);
  const final = (r: VariantResult) => r.recording.epochs[r.recording.epochs.length - 1]!;
  const loss = (r: VariantResult) => final(r).trainLoss - floors[r.problem]!;
  const judged = o.problems.map((problem) => {
    const [full, mini, rms] = ['iRprop− full batch', 'iRprop− mini-batch', 'RMSProp mini-batch'].map((l) => results.find((r) => r.problem === problem && r.label === l)!);
    const { rpropFails, rmsCopes } = judgeC4({ full: loss(full!), mini: loss(mini!), rms: loss(rms!) });
    return { problem, full: full!, mini: mini!, rms: rms!, rpropFails, rmsCopes };
  });
  const holds = judged.every((j) => j.rpropFails && j.rmsCopes);
  const part = (j: (typeof judged)[number]) =>
    `on ${j.problem} ${j.rpropFails && j.rmsCopes ? 'it holds' : 'it does not'}: iRprop− ends at loss ${sig(loss(j.full))} on the full batch and ${sig(loss(j.mini))} on batches of ${j.mini.batch}, ` +
    `RMSProp on the same batches at ${sig(loss(j.rms))}${j.rpropFails ? '' : ' (mini-batch Rprop is not twice worse than full-batch)'}${j.rmsCopes || !j.rpropFails ? '' : ' (RMSProp is not twice better than mini-batch Rprop)'}`;
  const sentence = `${holds ? 'Bears out' : judged.some((j) => j.rpropFails && j.rmsCopes) ? 'Bears out only in part' : 'Does not bear out'} C4 (Rprop works on the full batch, fails on mini-batches, RMSProp copes), at equal examples: ${judged.map(part).join('; ')}.`;
  const epochsOf = (p: RpropProblem) => o.epochs[p];
  return {
    experiment: 'rprop',
    claims: ['C3', 'C4'],
    config: { ...o, rates: RATES, mnistModel: '784-64-10 ReLU MLP', syntheticModel: 'linear neuron, squared error (loss shown as L − L*)' },
    table: {
      head: ['problem', 'optimizer', 'batch', 'updates', 'examples', 'final loss', 'test accuracy', 'step sign flips'],
      rows: results.map((r) => {
        const f = final(r);
        return [r.problem, r.label, String(r.batch), String(f.updates), String(f.examplesSeen), sig(loss(r)), Number.isNaN(f.testAccuracy) ? '–' : `${(100 * f.testAccuracy).toFixed(1)}%`, pct(meanFlips(r.recording))];
      }),
    },
    verdict: { holds, sentence },
    plots: rpropPlots(results, floors, names, epochsOf),
    figures: { floors, results: results.map((r) => ({ problem: r.problem, label: r.label, optimizer: r.optimizer, batch: r.batch, lr: r.lr, divergedAtStep: r.recording.divergedAtStep, meanFlipFraction: meanFlips(r.recording), epochs: r.recording.epochs })) },
  };
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '–');
