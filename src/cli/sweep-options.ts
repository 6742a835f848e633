/** The `sweep` command's options. */
import { z } from 'zod';
import { LR_RULES } from '../sweep/plan.js';
import { batchSizeSchema, intAtLeast, listOf, numberIn, oneOf, positiveNumber, type Decls, type Parsed } from './options.js';
import { runDecls, trainDecls } from './train-options.js';
import { queueAddressSchema } from './worker-options.js';

/** `pow2` (1, 2, 4, … and full) or a list of sizes and `full`; either with `auto` (auto trials beside the fixed ones). */
const batchSizesSchema = z.string().transform((s, ctx): { sizes: (number | 'full')[] | 'pow2'; auto: boolean } => {
  const parts = s.split(',').map((p) => p.trim());
  const auto = parts.includes('auto');
  const rest = parts.filter((p) => p !== 'auto');
  if (rest.length === 1 && rest[0] === 'pow2') return { sizes: 'pow2', auto };
  if (rest.length === 0 && auto) return { sizes: [], auto };
  const r = listOf(batchSizeSchema, 'whole numbers ≥ 1 or full').safeParse(rest.join(','));
  if (!r.success) {
    ctx.addIssue({ code: 'custom', message: 'must be pow2 (1, 2, 4, … and full) or a comma-separated list of sizes ≥ 1 and full, either with auto (e.g. 16,64,256,auto)' });
    return z.NEVER;
  }
  return { sizes: r.data, auto };
});

export const sweepDecls = {
  ...runDecls(),
  schedule: { ...trainDecls.schedule, default: 'constant' },
  batchSizes: { flag: '--batch-sizes <list|pow2>', help: 'micro-batch sizes to compare: a list like 1,8,64,full, or pow2 for 1, 2, 4, … and full; add auto (e.g. 16,64,256,auto) for trials with --batch-size auto beside them, one per grid rate and seed', schema: batchSizesSchema, default: 'pow2' },
  autoMin: { flag: '--auto-min <n>', help: 'with auto in --batch-sizes: the auto trials’ smallest batch, and their starting one unless --auto-start (default: the smallest fixed size, else 32)', schema: intAtLeast(1) },
  autoStart: { flag: '--auto-start <n>', help: 'with auto in --batch-sizes: the auto trials’ starting batch, whose grid rates they start from, --auto-min doubled (default: --auto-min); they may shrink from it down to --auto-min as well as grow', schema: intAtLeast(1) },
  autoMax: { flag: '--auto-max <n>', help: 'with auto in --batch-sizes: the auto trials’ largest batch (default: the largest fixed size, else 4096)', schema: intAtLeast(1) },
  targetAccuracy: { flag: '--target-accuracy <a>', help: 'validation accuracy each trial trains to (required)', schema: numberIn(0, 1, { minOpen: true }) },
  lrGrid: { flag: '--lr-grid <list>', help: 'learning rates tried at the reference batch and carried to every batch size by --lr-rule (default: the optimizer’s default rate ×½, ×1, ×2)', schema: listOf(positiveNumber, 'positive numbers') },
  lrRule: { flag: '--lr-rule <rule>', help: 'how a rate moves with the batch size: linear (∝B), sqrt (∝√B) or none', schema: oneOf(LR_RULES), default: 'sqrt' },
  lrRefBatch: { flag: '--lr-ref-batch <n>', help: 'the batch size the --lr-grid rates are for', schema: intAtLeast(1), default: '32' },
  seeds: { flag: '--seeds <k>', help: 'trials per (batch size, rate), with seeds --seed, --seed+1, …', schema: intAtLeast(1), default: '1' },
  budget: { flag: '--budget <seconds>', help: 'training seconds after which a trial stops short of the target', schema: positiveNumber, default: '60' },
  maxEpochs: { flag: '--max-epochs <e>', help: 'epochs after which a trial stops short of the target', schema: intAtLeast(1), default: '50' },
  evalsPerEpoch: { flag: '--evals-per-epoch <n>', help: 'validations per epoch: the grain of steps/seconds to target', schema: intAtLeast(1), default: '20' },
  until: { flag: '--until <when>', help: 'target: stop each trial at the target; budget: train on to the budget, for best/final accuracy', schema: oneOf(['target', 'budget'] as const), default: 'target' },
  prune: { flag: '--prune <factor>', help: 'stop a trial once it is this many times slower than another rate’s median at its batch size (0: never)', schema: numberIn(0, Infinity), default: '2' },
  stallAfter: { flag: '--stall-after <share>', help: 'share of a trial’s budget after which a trial still at chance accuracy with its loss no lower than at the start stops as stalled (0: never)', schema: numberIn(0, 1), default: '0.1' },
  extendGrid: { flag: '--no-extend-grid', help: 'keep to the --lr-grid even where a batch size’s best rate is its smallest or largest (by default the grid is extended past that edge, halving or doubling, up to 3 rates per side)', schema: z.boolean() },
  db: { flag: '--db <file>', help: 'SQLite file that keeps every finished trial; the same command again resumes', schema: z.string().min(1), default: 'runs/batchwise.db' },
  json: trainDecls.json,
  queue: { flag: '--queue <address>', help: 'hand the trials out as jobs on this Redis (redis://HOST:PORT or a unix socket) to `batchwise worker`s on any machines; this process plans, records and reports', schema: queueAddressSchema },
  retryFailed: { flag: '--retry-failed', help: 'run again the trials recorded as failed (a queued trial whose worker kept throwing or refused it)', schema: z.boolean() },
} satisfies Decls;

export type SweepOptions = Parsed<typeof sweepDecls>;
