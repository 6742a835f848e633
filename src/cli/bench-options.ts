/** The `bench` command's options. */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { BENCH_MODELS } from '../bench/throughput.js';
import { OPTIMIZER_NAMES } from '../optim/registry.js';
import { intAtLeast, listOf, numberIn, oneOf, type Decls } from './options.js';

export const benchDecls = {
  model: { flag: '--model <names>', help: 'mlp, cnn, resnet, or several as mlp,cnn (one MatMul measurement for all)', schema: listOf(oneOf(BENCH_MODELS), 'mlp, cnn or resnet'), default: 'mlp' },
  batchSizes: { flag: '--batch-sizes <list>', help: 'comma-separated micro-batch sizes', schema: listOf(intAtLeast(1), 'whole numbers ≥ 1'), default: '1,8,32,128,512,2048' },
  optimizer: { flag: '--optimizer <name>', help: `optimizer whose updates are timed, at its default settings (${OPTIMIZER_NAMES.join(', ')}); PyTorch is compared for sgd only`, schema: oneOf(OPTIMIZER_NAMES), default: 'sgd' },
  threads: { flag: '--threads <t>', help: 'ONNX Runtime intra-op threads (and PyTorch threads)', schema: intAtLeast(1), default: String(availableParallelism()) },
  seconds: { flag: '--seconds <s>', help: 'measuring time per batch size, after warm-up', schema: numberIn(0.05, 600), default: '2' },
  torch: { flag: '--no-torch', help: 'skip the PyTorch comparison even where torch is installed', schema: z.boolean() },
  profile: { flag: '--profile', help: "instead of rates: ONNX Runtime's profile of each batch size's updates, by op type and by layer (forward, backward, update)", schema: z.boolean() },
  json: { flag: '--json', help: 'print one JSON object { matmulGflops, rows: [{ batchSize, samplesPerSec, gflops }] }', schema: z.boolean() },
} satisfies Decls;
