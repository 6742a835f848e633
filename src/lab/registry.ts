/**
 * The lab's experiments by name, each with the seed's claims it shows and a runner that takes
 * the options common to all (any left undefined keeps the experiment's own default).
 */
import type { LabLog, LabResult } from './experiment.js';
import { ACCURACY_DEFAULTS, runAccuracy } from './accuracy/accuracy.js';
import { DIRECTION_DEFAULTS, runDirection } from './direction/direction.js';
import { ESCAPE_DEFAULTS, runEscape } from './escape/escape.js';
import { runRprop, RPROP_DEFAULTS } from './rprop/rprop.js';
import { runZigzag, ZIGZAG_DEFAULTS } from './zigzag/zigzag.js';

export interface LabOptions {
  readonly seed?: number | undefined;
  readonly batchSizes?: readonly (number | 'full')[] | undefined;
  readonly epochs?: number | undefined;
  readonly lr?: number | undefined;
  /** The synthetic problem: condition number, examples, target noise. */
  readonly condition?: number | undefined;
  readonly examples?: number | undefined;
  readonly noise?: number | undefined;
  /** The one mini-batch size of experiments that compare optimizers on the same batches. */
  readonly batch?: number | undefined;
  readonly problems?: readonly ('synthetic' | 'mnist')[] | undefined;
  /** MNIST subset size: the first this many training images. */
  readonly mnistTrain?: number | undefined;
  /** Repetitions with seeds seed, seed + 1, … */
  readonly seeds?: number | undefined;
}

export interface LabExperiment {
  readonly claims: readonly string[];
  readonly summary: string;
  run(o: LabOptions, log: LabLog): Promise<LabResult>;
}

/** The options actually given, so spreading them over defaults keeps the defaults of the rest. */
export function given<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

export const LAB_EXPERIMENTS: Readonly<Record<string, LabExperiment>> = {
  zigzag: {
    claims: ['C5', 'C6c'],
    summary: 'SGD paths of a linear neuron on elliptic loss contours for B = 1, a mini-batch and the full batch',
    run: (o, log) => {
      const { seed, batchSizes, epochs, lr, condition, examples, noise } = o;
      return runZigzag({ ...ZIGZAG_DEFAULTS, ...given({ seed, batchSizes, epochs, lr, condition, examples, noise }) }, log);
    },
  },
  rprop: {
    claims: ['C3', 'C4'],
    summary: 'iRprop− on the full batch against iRprop−, RMSProp and SGD on the same mini-batches, on the synthetic paraboloid and an MNIST subset',
    run: (o, log) => {
      const { seed, batch, condition, examples, noise, problems, mnistTrain } = o;
      const epochs = o.epochs === undefined ? {} : { epochs: { synthetic: o.epochs, mnist: o.epochs } };
      return runRprop({ ...RPROP_DEFAULTS, ...given({ seed, batch, condition, examples, noise, problems, mnistTrain }), ...epochs }, log);
    },
  },
  escape: {
    claims: ['C2'],
    summary: 'how often SGD leaves a poor basin for a better one beyond a ridge, against B, from one start over many seeds; and on an MNIST subset the sharpness of the minimum reached and the train–test gap',
    run: (o, log) => {
      const { seed, batchSizes, epochs, lr, examples, seeds, problems, mnistTrain } = o;
      return runEscape({ ...ESCAPE_DEFAULTS, ...given({ seed, batchSizes, epochs, lr, examples, seeds, problems, mnistTrain }) }, log);
    },
  },
  direction: {
    claims: ['C6c', 'C7c'],
    summary: 'cosine between mini-batch and full gradients against B on an MNIST subset, beside 1/√(1 + B_noise/B) from the measured noise scale',
    run: (o, log) => {
      const { seed, mnistTrain } = o;
      const numeric = o.batchSizes?.map((b) => (b === 'full' ? (mnistTrain ?? DIRECTION_DEFAULTS.mnistTrain) : b));
      return runDirection({ ...DIRECTION_DEFAULTS, ...given({ seed, mnistTrain, batchSizes: numeric, trainEpochs: o.epochs }) }, log);
    },
  },
  accuracy: {
    claims: ['C9'],
    summary: 'final test accuracy against B at a fixed budget of epochs over several seeds, on an MNIST subset, with the spread',
    run: (o, log) => {
      const { seed, mnistTrain, epochs, seeds } = o;
      const numeric = o.batchSizes?.map((b) => (b === 'full' ? (mnistTrain ?? ACCURACY_DEFAULTS.mnistTrain) : b));
      return runAccuracy({ ...ACCURACY_DEFAULTS, ...given({ seed, mnistTrain, epochs, seeds, batchSizes: numeric }) }, log);
    },
  },
};

export const LAB_NAMES = Object.keys(LAB_EXPERIMENTS);
