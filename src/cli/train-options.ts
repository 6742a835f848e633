/** The `train` command's options, and their translation into a RunConfig. */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { batchLadder, startRung } from '../adaptive/goodput.js';
import type { GivenKey, RunConfig } from '../engine/run-config.js';
import { BYTES_FORMS, parseBytes } from '../fit/bytes.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../optim/registry.js';
import { parseSchedule, SCHEDULE_FORMS } from '../optim/schedule.js';
import { loadModelSpec } from './model-file.js';
import { intAtLeast, trainBatchSizeSchema, numberIn, oneOf, positiveNumber, type Decls, type OptionDecl, type Parsed } from './options.js';

/** A fraction, written as a decimal or as a ratio like 1/12. */
const fraction = z.string().transform((s, ctx) => {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(s);
  const v = m ? Number(m[1]) / Number(m[2]) : s.trim() === '' ? NaN : Number(s);
  if (!(v >= 0 && v <= 0.5)) {
    ctx.addIssue({ code: 'custom', message: 'must be a fraction in [0, 0.5] (e.g. 0.1 or 1/12)' });
    return z.NEVER;
  }
  return v;
});
const text = z.string().min(1);
const opt = <T>(flag: string, help: string, schema: z.ZodType<T>, def?: string): OptionDecl<T> =>
  def === undefined ? { flag, help, schema } : { flag, help, schema, default: def };

/** Learning rates that train the mlp preset well at batch 32 with the default cosine schedule; for Rprop, the initial step Δ0. */
export const DEFAULT_LR: Record<OptimizerName, number> = {
  sgd: 0.05,
  momentum: 0.02,
  nesterov: 0.02,
  rmsprop: 0.0005,
  adam: 0.001,
  adagrad: 0.02,
  rprop: 0.001,
  'irprop+': 0.001,
};

export const trainDecls = {
  model: opt('--model <name|file>', 'mlp, cnn, resnet, or a JSON model file', text, 'mlp'),
  dataset: opt('--dataset <name|file>', 'mnist, a CSV file (label in the last column) or an IDX images file', text, 'mnist'),
  testFile: opt('--test-file <file>', 'a separate test set in the same format (default: hold out --test-fraction)', text),
  labelColumn: opt('--label-column <name|index>', 'CSV column holding the label (default: the last)', text),
  validationFraction: opt('--validation-fraction <f>', 'share of the training data held out for validation', fraction, '1/12'),
  testFraction: opt('--test-fraction <f>', 'share held out for testing when the data has no test set', fraction, '0.1'),
  batchSize: opt('--batch-size <n|full|auto>', 'examples per micro-batch; 1 = online learning, full = the whole training split, auto = the batch and rate follow the gradient noise scale during training (from --auto-start, else --auto-min, at --lr)', trainBatchSizeSchema, '32'),
  autoMin: opt('--auto-min <n>', 'with --batch-size auto: the smallest batch, and the starting one (the one --lr is for) unless --auto-start', intAtLeast(1), '32'),
  autoStart: opt('--auto-start <n>', 'with --batch-size auto: the starting batch, the one --lr is for, --auto-min doubled (default: --auto-min); the batch may shrink from it down to --auto-min as well as grow', intAtLeast(1)),
  autoMax: opt('--auto-max <n>', 'with --batch-size auto: the largest batch', intAtLeast(1), '4096'),
  memory: opt('--memory <size>', `with --batch-size auto: memory budget that caps the micro-batch (larger batches accumulate with iter-size), ${BYTES_FORMS}`, z.string().transform((s, ctx) => {
    try {
      return parseBytes(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be ${BYTES_FORMS}` });
      return z.NEVER;
    }
  })),
  iterSize: opt('--iter-size <k>', 'micro-batches whose mean gradient makes one update (Caffe iter_size)', intAtLeast(1), '1'),
  bnBatch: opt('--bn-batch <g>', 'examples per batch-norm group (ghost batch norm); must divide the micro-batch (default: the micro-batch)', intAtLeast(1)),
  optimizer: opt('--optimizer <name>', OPTIMIZER_NAMES.join(', '), oneOf(OPTIMIZER_NAMES), 'momentum'),
  lr: opt('--lr <x>', `learning rate (Rprop: initial step); default per optimizer: ${Object.entries(DEFAULT_LR).map(([k, v]) => `${k} ${v}`).join(', ')}`, positiveNumber),
  momentum: opt('--momentum <m>', 'momentum / Nesterov coefficient (default 0.9)', numberIn(0, 0.999999)),
  beta1: opt('--beta1 <b>', 'Adam β1 (default 0.9)', numberIn(0, 0.999999)),
  beta2: opt('--beta2 <b>', 'Adam β2 (default 0.999)', numberIn(0, 0.999999)),
  rho: opt('--rho <r>', 'RMSProp decay ρ (default 0.9)', numberIn(0, 0.999999)),
  eps: opt('--eps <e>', 'ε of Adam, RMSProp, AdaGrad', positiveNumber),
  etaPlus: opt('--eta-plus <x>', 'Rprop step growth η+ (default 1.2)', numberIn(1, Infinity, { minOpen: true })),
  etaMinus: opt('--eta-minus <x>', 'Rprop step shrink η− (default 0.5)', numberIn(0, 1, { minOpen: true })),
  stepMin: opt('--step-min <x>', 'Rprop smallest step Δmin (default 1e-6)', positiveNumber),
  stepMax: opt('--step-max <x>', 'Rprop largest step Δmax (default 50)', positiveNumber),
  weightDecay: opt('--weight-decay <l>', 'L2 penalty λ added to every gradient as λθ', numberIn(0, Infinity), '0'),
  schedule: opt('--schedule <s>', `learning-rate schedule: ${SCHEDULE_FORMS}`, text, 'cosine'),
  warmupSteps: opt('--warmup-steps <n>', 'updates of linear learning-rate warm-up', intAtLeast(0), '0'),
  epochs: opt('--epochs <e>', 'epochs to train in all (a resumed run keeps its checkpoint\'s unless given)', intAtLeast(1), '5'),
  targetAccuracy: opt('--target-accuracy <a>', 'stop once validation accuracy reaches a (0–1)', numberIn(0, 1, { minOpen: true })),
  evalEvery: opt('--eval-every <steps>', 'updates between validations (default: once an epoch)', intAtLeast(1)),
  seed: opt('--seed <s>', 'seed of initial weights, shuffles and splits', intAtLeast(0), '1'),
  threads: opt('--threads <t>', 'ONNX Runtime intra-op threads', intAtLeast(1), String(availableParallelism())),
  log: opt('--log <file.jsonl>', 'append every evaluation as a JSON line', text),
  save: opt('--save <dir>', 'write a checkpoint and model.onnx there at every evaluation', text),
  resume: opt('--resume <dir>', 'continue the checkpoint in dir (and keep saving there)', text),
  json: opt('--json', 'print the result as one JSON object on the last line of stdout', z.boolean()),
  db: opt('--db <file>', 'also keep the run (settings, evaluation curve, result) in this SQLite store, for report and serve', text),
} satisfies Decls;

export type TrainOptions = Parsed<typeof trainDecls>;

/** What each flag sets in a RunConfig (a resumed run refuses to change those the user gave). */
const CONFIG_KEY: Partial<Record<keyof TrainOptions, GivenKey>> = {
  model: 'model',
  dataset: 'dataset',
  testFile: 'testFile',
  labelColumn: 'labelColumn',
  validationFraction: 'validationFraction',
  testFraction: 'testFraction',
  batchSize: 'batchSize',
  iterSize: 'iterSize',
  bnBatch: 'bnBatch',
  optimizer: 'optimizer',
  lr: 'hyper.lr',
  momentum: 'hyper.momentum',
  beta1: 'hyper.beta1',
  beta2: 'hyper.beta2',
  rho: 'hyper.rho',
  eps: 'hyper.eps',
  etaPlus: 'hyper.etaPlus',
  etaMinus: 'hyper.etaMinus',
  stepMin: 'hyper.stepMin',
  stepMax: 'hyper.stepMax',
  weightDecay: 'hyper.weightDecay',
  schedule: 'schedule',
  warmupSteps: 'warmupSteps',
  seed: 'seed',
  epochs: 'epochs',
  targetAccuracy: 'targetAccuracy',
  evalEvery: 'evalEvery',
};

export function explicitConfigKeys(given: readonly string[]): GivenKey[] {
  return [...new Set(given.map((k) => CONFIG_KEY[k as keyof TrainOptions]).filter((k): k is GivenKey => k !== undefined))];
}

/** The options that describe the model, data and optimizer of a run: shared by train, sweep, fit and recommend. */
export const RUN_KEYS = [
  'model', 'dataset', 'testFile', 'labelColumn', 'validationFraction', 'testFraction', 'optimizer',
  'momentum', 'beta1', 'beta2', 'rho', 'eps', 'etaPlus', 'etaMinus', 'stepMin', 'stepMax', 'weightDecay',
  'schedule', 'warmupSteps', 'seed', 'threads',
] as const satisfies readonly (keyof typeof trainDecls)[];

export function runDecls<const K extends readonly (keyof typeof trainDecls)[]>(keys: K = RUN_KEYS as unknown as K): Pick<typeof trainDecls, K[number]> {
  return Object.fromEntries(keys.map((k) => [k, trainDecls[k]])) as Pick<typeof trainDecls, K[number]>;
}

export type SharedRunOptions = Pick<TrainOptions, (typeof RUN_KEYS)[number]>;

/** What a run needs beyond the shared options. */
export interface RunShape {
  readonly batchSize: number | 'full';
  readonly iterSize: number;
  /** Examples per batch-norm group; absent: the micro-batch. */
  readonly bnBatch?: number | undefined;
  readonly lr: number | undefined;
  readonly epochs: number;
  readonly targetAccuracy?: number | undefined;
  readonly evalEvery?: number | undefined;
}

export function toRunConfig(o: TrainOptions): RunConfig {
  if (o.batchSize !== 'auto') return baseRunConfig(o, { ...o, batchSize: o.batchSize });
  // The rate rule replaces the schedule (src/adaptive/goodput.ts): the rate given is the one at the starting batch.
  const start = o.autoStart ?? o.autoMin;
  startRung(batchLadder(o.autoMin, o.autoMax), start);
  const base = baseRunConfig(o, { ...o, batchSize: start, iterSize: 1 });
  return { ...base, schedule: { kind: 'constant' }, warmupSteps: 0, adaptive: { minBatch: o.autoMin, maxBatch: o.autoMax, memoryBytes: o.memory } };
}

export function baseRunConfig(o: SharedRunOptions, shape: RunShape): RunConfig {
  const labelColumn = o.labelColumn === undefined ? undefined : /^\d+$/.test(o.labelColumn) ? Number(o.labelColumn) : o.labelColumn;
  return {
    modelName: o.model,
    model: loadModelSpec(o.model),
    dataset: o.dataset,
    testFile: o.testFile,
    labelColumn,
    validationFraction: o.validationFraction,
    testFraction: o.testFraction,
    batchSize: shape.batchSize,
    iterSize: shape.iterSize,
    ...(shape.bnBatch !== undefined ? { bnBatch: shape.bnBatch } : {}),
    optimizer: o.optimizer,
    hyper: {
      lr: shape.lr ?? DEFAULT_LR[o.optimizer],
      momentum: o.momentum,
      beta1: o.beta1,
      beta2: o.beta2,
      rho: o.rho,
      eps: o.eps,
      etaPlus: o.etaPlus,
      etaMinus: o.etaMinus,
      stepMin: o.stepMin,
      stepMax: o.stepMax,
      weightDecay: o.weightDecay,
    },
    schedule: parseSchedule(o.schedule),
    warmupSteps: o.warmupSteps,
    epochs: shape.epochs,
    targetAccuracy: shape.targetAccuracy,
    evalEvery: shape.evalEvery,
    seed: o.seed,
    threads: o.threads,
  };
}
