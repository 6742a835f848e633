/** The `recommend` command's options. */
import { z } from 'zod';
import { RECOMMEND_LR_RULES } from '../recommend/lr-rule.js';
import { PILOT_RUNS } from '../recommend/recommend.js';
import { EXPORT_FORMATS } from '../recommend/export/export-plan.js';
import { DEFAULT_INTERCONNECT, INTERCONNECT_PRESETS, parseInterconnect } from '../recommend/comm/interconnect.js';
import { intAtLeast, listOf, numberIn, oneOf, positiveNumber, type Decls, type Parsed } from './options.js';
import { fitDecls } from './fit-options.js';
import { runDecls, trainDecls } from './train-options.js';

const interconnectSchema = z.string().transform((s, ctx) => {
  const r = parseInterconnect(s);
  if (r.ok) return r.value;
  ctx.addIssue({ code: 'custom', message: r.problem });
  return z.NEVER;
});

export const recommendDecls = {
  ...runDecls(),
  schedule: { ...trainDecls.schedule, default: 'constant' },
  warmupSteps: { ...trainDecls.warmupSteps, help: 'updates of linear learning-rate warm-up at the least: where the batch is larger than --pilot-batch, the advice warms up until the noise scale reaches it' },
  lr: { flag: '--lr <x>', help: 'the rate the pilot stage starts from (default per optimizer, as for train): the range test ramps from it ÷ 200 to it × 50; to-target, the middle of the grid', schema: positiveNumber },
  lrGrid: { flag: '--lr-grid <list>', help: 'with --pilot-runs to-target: rates tried at --pilot-batch, the fewest steps to target wins (default: --lr × ¼, ½, 1, 2)', schema: listOf(positiveNumber, 'positive numbers') },
  extendGrid: { flag: '--no-extend-grid', help: 'keep to the rates given even where the best is the smallest or largest of them (by default rates past that edge are tried, halving or doubling, up to 3)', schema: z.boolean() },
  memory: { flag: '--memory <size>', help: 'memory budget for training, e.g. 2GiB or 512MB (default: the memory free on this machine)', schema: z.string().min(1) },
  margin: fitDecls.margin,
  targetAccuracy: { flag: '--target-accuracy <a>', help: 'validation accuracy to reach (required)', schema: numberIn(0, 1, { minOpen: true }) },
  worldSize: { flag: '--world-size <n>', help: 'data-parallel workers the effective batch may be split over; each update then pays a ring all-reduce of the gradients over --interconnect, so fewer may be faster', schema: intAtLeast(1), default: '1' },
  interconnect: {
    flag: '--interconnect <link>',
    help: `the link between workers (with --world-size > 1): a preset, ${Object.keys(INTERCONNECT_PRESETS).join(', ')} (nominal figures, see the README), or bandwidth,latency with units, e.g. 10Gbit/s,50us or 25GB/s,5us`,
    schema: interconnectSchema,
    default: DEFAULT_INTERCONNECT,
  },
  pilotRuns: {
    flag: '--pilot-runs <how>',
    help: 'bounded: a rate range test, then a pilot cut at --bound-epochs at each of --pilot-rates rates, the rest extrapolated (a fraction of the cost); to-target: a rate grid (--lr-grid) and a pilot each trained to the target (the slower, older method)',
    schema: oneOf(PILOT_RUNS),
    default: 'bounded',
  },
  boundEpochs: { flag: '--bound-epochs <e>', help: 'with --pilot-runs bounded: epochs the pilot trains before it extrapolates to the target', schema: positiveNumber, default: '0.5' },
  pilotRates: {
    flag: '--pilot-rates <n>',
    help: 'with --pilot-runs bounded: rates given a bounded pilot each, the range test\'s and each half the one before; the one that extrapolates to the target in the fewest examples is the pilot (1: the range test\'s alone)',
    schema: intAtLeast(1),
    default: '3',
  },
  refineEpochs: {
    flag: '--refine-epochs <e>',
    help: 'with --pilot-runs bounded: train the chosen rate\'s pilot again to e epochs (more than --bound-epochs) and predict from that longer run: a prediction nearer what training takes, for one more pilot of e epochs',
    schema: positiveNumber,
  },
  bnBatch: { ...trainDecls.bnBatch, help: 'examples per batch-norm group, kept at every batch size and split (default: --pilot-batch); only for models with batch norm' },
  pilotBatch: { flag: '--pilot-batch <n>', help: 'batch size of the pilot run that measures the noise scale', schema: intAtLeast(1), default: '32' },
  lrRule: { flag: '--lr-rule <rule>', help: 'rate at the chosen batch: noise (McCandlish ε_max/(1 + B_noise/B)), linear or sqrt', schema: oneOf(RECOMMEND_LR_RULES), default: 'noise' },
  pilotSeconds: { flag: '--pilot-seconds <s>', help: 'training seconds after which a --pilot-runs to-target pilot or rate stops short of the target', schema: positiveNumber, default: '60' },
  pilotEpochs: { flag: '--pilot-epochs <e>', help: 'epochs after which the pilot stops short of the target', schema: intAtLeast(1), default: '10' },
  evalsPerEpoch: { flag: '--evals-per-epoch <n>', help: 'validations per epoch (pilot and --verify), as in sweep', schema: intAtLeast(1), default: '20' },
  noiseRounds: { flag: '--noise-rounds <n>', help: 'rounds of B_big examples per noise-scale measurement', schema: intAtLeast(2), default: '8' },
  remeasure: { flag: '--remeasure', help: 'measure the memory fit, MatMul rate and throughput curve again, and train the range test and bounded pilots again, rather than reuse those the --db keeps for this model, threads and machine (and, for the range test and pilots, this data and seed)', schema: z.boolean() },
  verify: { flag: '--verify', help: 'train with the recommendation and report predicted against measured', schema: z.boolean() },
  verifyAuto: { flag: '--verify-auto', help: 'with --verify (implied): also train with --batch-size auto from the pilot batch at the rate the advice found there, up to the largest candidate batch within --memory, and report both', schema: z.boolean() },
  seeds: { flag: '--seeds <k>', help: 'with --verify (and --verify-auto): train the recommendation at k seeds (--seed, --seed + 1, …) and report the median and range', schema: intAtLeast(1), default: '1' },
  export: { flag: '--export <format>', help: `write the recommendation as another framework’s config: ${EXPORT_FORMATS.join(', ')}`, schema: oneOf(EXPORT_FORMATS) },
  out: { flag: '--out <file>', help: 'where --export writes (default: the format’s usual file name here); an existing file is never overwritten', schema: z.string().min(1) },
  db: { flag: '--db <file>', help: 'SQLite file that keeps the evidence (probes, noise scale, prediction)', schema: z.string().min(1), default: 'runs/batchwise.db' },
  json: trainDecls.json,
} satisfies Decls;

export type RecommendOptions = Parsed<typeof recommendDecls>;
