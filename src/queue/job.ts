/**
 * A queued trial as a BullMQ job: everything a worker needs to train it (the trial's run
 * configuration and limits), and what it must check before it does (the package version and the
 * fingerprint of the examples the sweep saw). Its id is deterministic (sweep identity, trial key,
 * package version), so enqueuing a trial twice is one job, and a coordinator started again finds
 * the jobs of the trials it had handed out, finished or not.
 *
 * Results cross Redis as JSON, which has no NaN or ∞ (a trial without a validation split has NaN
 * losses): `encodeOutcome` writes them as strings that `decodeOutcome` turns back.
 */
import { z } from 'zod';
import type { RunConfig } from '../engine/run-config.js';
import { modelSpecSchema } from '../model/spec.js';
import type { PlannedTrial } from '../sweep/plan.js';
import type { TrialLimits, TrialOutcome } from '../sweep/trial.js';

/** One queue for every sweep: a job's id says which sweep it belongs to. */
export const QUEUE_NAME = 'batchwise-trials';
export const JOB_NAME = 'trial';
/** The payload's format; a worker refuses any other as malformed. */
export const JOB_FORMAT = 1;
/** Attempts of a trial whose worker throws, before it is recorded as failed. */
export const JOB_ATTEMPTS = 3;

export interface TrialJob {
  readonly format: typeof JOB_FORMAT;
  readonly packageVersion: string;
  /** The sweep's identity (sweep/identity.ts). */
  readonly sweep: string;
  /** Of every split's examples (identity.ts): a worker whose data differ refuses the trial. */
  readonly dataFingerprint: string;
  /** The seed of the sweep's train/validation/test split (a trial's own seed is in its config). */
  readonly splitSeed: number;
  readonly trial: PlannedTrial;
  readonly config: RunConfig;
  readonly limits: TrialLimits;
}

/** BullMQ ids may not hold ':' (its key separator); '.' and '-' are safe. */
export function trialJobId(sweep: string, trialKey: string, packageVersion: string): string {
  return `${sweep}.${trialKey}.v${packageVersion}`.replace(/[^\w.+-]/g, '_');
}

const finite = z.number().finite();
const count = z.number().int().min(0);
const trialSchema = z.object({
  key: z.string().min(1),
  batchSize: count.min(1),
  batchLabel: z.union([count.min(1), z.literal('full')]),
  lr: finite.positive(),
  gridLr: finite.positive(),
  seed: count,
});
const configSchema = z.looseObject({
  modelName: z.string(),
  model: modelSpecSchema,
  dataset: z.string().min(1),
  testFile: z.string().optional(),
  labelColumn: z.union([z.string(), count]).optional(),
  validationFraction: finite.min(0).max(0.5),
  testFraction: finite.min(0).max(0.5),
  batchSize: z.union([count.min(1), z.literal('full')]),
  iterSize: count.min(1),
  optimizer: z.string(),
  hyper: z.record(z.string(), finite.optional()),
  schedule: z.looseObject({ kind: z.string() }),
  warmupSteps: count,
  epochs: count.min(1),
  targetAccuracy: finite.optional(),
  seed: count,
  threads: count.min(1),
});
const limitsSchema = z.object({
  maxEpochs: count.min(1),
  maxSeconds: z.number().positive(),
  pruneSeconds: z.number().positive().optional(),
  evalsPerEpoch: count.min(1),
  untilBudget: z.boolean(),
  stallAfter: finite.min(0).max(1).optional(),
});
const jobSchema = z.object({
  format: z.literal(JOB_FORMAT),
  packageVersion: z.string().min(1),
  sweep: z.string().min(1),
  dataFingerprint: z.string().min(1),
  splitSeed: count,
  trial: trialSchema,
  config: configSchema,
  limits: limitsSchema,
});

export type ParsedJob = { readonly ok: true; readonly job: TrialJob } | { readonly ok: false; readonly reason: string };

/** Checks a payload read from Redis; the reason names the first field at fault. */
export function parseTrialJob(data: unknown): ParsedJob {
  const r = jobSchema.safeParse(data);
  if (r.success) return { ok: true, job: r.data as unknown as TrialJob };
  const issue = r.error.issues[0];
  return { ok: false, reason: `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}` };
}

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** A worker's result: the outcome, with non-finite numbers kept (as strings JSON can hold). */
export function encodeOutcome(o: TrialOutcome): string {
  return JSON.stringify(o, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

export function decodeOutcome(text: string): TrialOutcome {
  // Only number fields are ever written as these strings: a status or key never spells "NaN".
  return JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : v)) as TrialOutcome;
}
