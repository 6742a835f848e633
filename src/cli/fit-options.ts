/** The `fit` command's options: the data and model flags are train's own, the budget flags its own. */
import { z } from 'zod';
import { BYTES_FORMS, parseBytes } from '../fit/bytes.js';
import { DEFAULT_MARGIN } from '../fit/memory-model.js';
import { DEFAULT_PROBE_TIMEOUT_SECONDS } from '../fit/probe.js';
import { intAtLeast, numberIn, positiveNumber, type Decls } from './options.js';
import { trainDecls } from './train-options.js';

const bytes = z.string().transform((s, ctx) => {
  try {
    return parseBytes(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: `must be ${BYTES_FORMS}` });
    return z.NEVER;
  }
});

const t = trainDecls;
export const fitDecls = {
  model: t.model,
  dataset: t.dataset,
  testFile: t.testFile,
  labelColumn: t.labelColumn,
  validationFraction: t.validationFraction,
  testFraction: t.testFraction,
  iterSize: t.iterSize,
  optimizer: t.optimizer,
  weightDecay: t.weightDecay,
  seed: t.seed,
  threads: t.threads,
  memory: { flag: '--memory <size>', help: 'memory budget of the device (required), e.g. 2GiB, 512MiB, 1.5GB, 1e9; beyond what this machine can probe, the answer is predicted from the fit', schema: bytes },
  margin: { flag: '--margin <f>', help: 'safety margin: a micro-batch fits when its peak ≤ (1 − margin)·budget', schema: numberIn(0, 0.9), default: String(DEFAULT_MARGIN) },
  maxBatch: { flag: '--max-batch <n>', help: 'largest micro-batch to consider (default: the training examples ÷ iter-size)', schema: intAtLeast(1) },
  probeMemory: { flag: '--probe-memory <size>', help: 'most memory the probes may use here (default: 80% of free memory); a larger --memory is predicted', schema: bytes },
  probeTimeout: { flag: '--probe-timeout <s>', help: 'seconds before one probe is abandoned', schema: positiveNumber, default: String(DEFAULT_PROBE_TIMEOUT_SECONDS) },
  db: { flag: '--db <file>', help: 'also keep the probes and the fitted line in this SQLite store (see batchwise runs)', schema: z.string().min(1) },
  json: { flag: '--json', help: 'print the result as one JSON object on the last line of stdout', schema: z.boolean() },
} satisfies Decls;
