/** The `noise` command's options: a training run as `train` takes it, and where to measure. */
import { z } from 'zod';
import { batchSizeSchema, intAtLeast, type Decls, type Parsed } from './options.js';
import { runDecls, trainDecls } from './train-options.js';

export const noiseDecls = {
  ...runDecls(),
  batchSize: { ...trainDecls.batchSize, flag: '--batch-size <n|full>', schema: batchSizeSchema },
  iterSize: trainDecls.iterSize,
  lr: trainDecls.lr,
  epochs: { ...trainDecls.epochs, default: '1' },
  every: { flag: '--every <updates>', help: 'updates between measurements (default: a tenth of an epoch)', schema: intAtLeast(1) },
  bSmall: { flag: '--b-small <n>', help: 'examples per small-batch gradient', schema: intAtLeast(1), default: '32' },
  bBig: { flag: '--b-big <n>', help: 'examples per big-batch gradient, a multiple of --b-small (raise it when the interval is open-ended)', schema: intAtLeast(2), default: '512' },
  rounds: { flag: '--rounds <n>', help: 'rounds of --b-big examples per measurement', schema: intAtLeast(2), default: '8' },
  db: { flag: '--db <file>', help: 'also keep the measurements in this SQLite store (see batchwise runs)', schema: z.string().min(1) },
  json: trainDecls.json,
} satisfies Decls;

export type NoiseCommandOptions = Parsed<typeof noiseDecls>;
