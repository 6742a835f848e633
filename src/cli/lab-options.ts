/** The `lab` command's options: where results go, and the experiment's own settings (absent: its default). */
import { z } from 'zod';
import { batchSizeSchema, intAtLeast, listOf, numberIn, oneOf, positiveNumber, type Decls, type Parsed } from './options.js';

export const labDecls = {
  out: { flag: '--out <dir>', help: 'write the plots here as PNG and SVG (with --web: the browser lab)', schema: z.string().min(1) },
  web: { flag: '--web', help: 'write the browser lab (trains in the page on onnxruntime-web) to --out as a static folder, instead of running an experiment', schema: z.boolean() },
  db: { flag: '--db <file>', help: 'also keep the result in this SQLite store, as a run of kind lab (see batchwise runs)', schema: z.string().min(1) },
  json: { flag: '--json', help: 'print the result (figures, verdict, plot specs) as one JSON object on stdout', schema: z.boolean() },
  seed: { flag: '--seed <n>', help: 'seed of the data, the shuffles and the weights', schema: intAtLeast(0), default: '1' },
  batchSizes: { flag: '--batch-sizes <list>', help: 'zigzag, escape, direction, accuracy: batch sizes to compare, e.g. 1,8,full (default 1,8,full; escape 1,2,4,8,16,full; direction 1,4,16,64,256,1024; accuracy 2,8,32,128,512)', schema: listOf(batchSizeSchema, 'whole numbers ≥ 1 or full') },
  batch: { flag: '--batch <n>', help: 'rprop: the mini-batch every mini-batch optimizer trains on (default 32)', schema: intAtLeast(1) },
  problems: { flag: '--problems <list>', help: 'rprop, escape: synthetic, mnist or both (default synthetic,mnist)', schema: listOf(oneOf(['synthetic', 'mnist'] as const), 'synthetic or mnist') },
  mnistTrain: { flag: '--mnist-train <n>', help: 'MNIST experiments: train on the first n training images (default 5000; escape 2000)', schema: intAtLeast(10) },
  seeds: { flag: '--seeds <k>', help: 'accuracy, escape: runs per batch size, with seeds --seed, --seed+1, … (default 4; escape 50)', schema: intAtLeast(2) },
  epochs: { flag: '--epochs <n>', help: 'passes over the data (default: zigzag 10, rprop 30, accuracy 5, escape 10 on its synthetic problem; direction: SGD epochs between its two measurements, 3)', schema: intAtLeast(1) },
  lr: { flag: '--lr <rate>', help: 'zigzag, escape: SGD’s learning rate on the synthetic problem, the same for every batch size (default 0.25; escape 0.3)', schema: positiveNumber },
  condition: { flag: '--condition <κ>', help: 'synthetic problem: condition number of the loss surface, how elongated its ellipses are (default 10)', schema: numberIn(1, 1e6) },
  examples: { flag: '--examples <n>', help: 'synthetic problem: examples in the data set (default 64; escape 32)', schema: intAtLeast(2) },
  noise: { flag: '--noise <σ>', help: 'synthetic problem: standard deviation of the targets’ noise, the disagreement between examples at the optimum (default 0.3)', schema: numberIn(0, 1e3) },
} satisfies Decls;

export type LabCommandOptions = Parsed<typeof labDecls>;
