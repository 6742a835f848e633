/**
 * What every export starts from: a recommended training plan, resolved once into the quantities
 * each framework's config is written in (full hyper-parameters, effective batch, updates).
 *
 * Batch identity, the same in every format:
 *   effectiveBatch = microBatch · iterSize · worldSize        (examples per update)
 *   updatesPerEpoch = ⌊trainExamples / effectiveBatch⌋         (as batchwise's trainer: the
 *                                                               remainder is not used that epoch)
 *   totalUpdates = updatesPerEpoch · epochs
 * Gradients are averaged over all effectiveBatch examples, so the learning rate is batchwise's
 * unchanged in every format whose accumulation and data parallelism also average (all five do).
 */
import { assert, UserError } from '../../errors.js';
import type { Hyper } from '../../optim/optimizer.js';
import { resolveHyper, type OptimizerName, type PartialHyper } from '../../optim/registry.js';
import { completeSchedule, type ParsedSchedule, type ScheduleSpec } from '../../optim/schedule.js';

export type ExportFormat = 'caffe' | 'lightning' | 'deepspeed' | 'hf' | 'tfjs';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['caffe', 'lightning', 'deepspeed', 'hf', 'tfjs'];

export interface TrainingPlan {
  readonly modelName: string;
  readonly optimizer: OptimizerName;
  /** lr, momentum, beta1, beta2, rho, eps, weightDecay, … as in src/optim/registry.ts; absent = default. */
  readonly hyper: PartialHyper;
  readonly schedule: ParsedSchedule;
  /** Updates of linear warm-up (src/optim/schedule.ts: update i < W runs at η·(i+1)/W). */
  readonly warmupSteps: number;
  /** Examples per forward/backward on one device. */
  readonly microBatch: number;
  /** Micro-batches accumulated per update on each device. */
  readonly iterSize: number;
  /** Data-parallel devices (processes); 1 for one device. */
  readonly worldSize: number;
  readonly epochs: number;
  /** Size of the training split, to turn epochs into updates. */
  readonly trainExamples: number;
  /** Validation accuracy the plan aims at, in [0, 1]; only reported in comments. */
  readonly targetAccuracy?: number;
  /** Examples per batch-norm group when the model has batch norm (see --bn-batch); absent: none. */
  readonly bnBatch?: number;
}

export interface ExportedConfig {
  readonly format: ExportFormat;
  /** A suggested file name; the caller writes `text` there. */
  readonly fileName: string;
  readonly text: string;
  /** What the format cannot express exactly, one sentence each. */
  readonly notes: string[];
}

/** A plan with everything derived that the exporters need. */
export interface ResolvedPlan {
  readonly plan: TrainingPlan;
  readonly hyper: Hyper;
  readonly effectiveBatch: number;
  readonly updatesPerEpoch: number;
  readonly totalUpdates: number;
  /** The schedule as batchwise's trainer would run it (cosine's length filled in). */
  readonly schedule: ScheduleSpec;
  /** Whether warm-up changes any learning rate: with W = 1, update 0 already runs at η. */
  readonly hasWarmup: boolean;
}

export function resolvePlan(plan: TrainingPlan): ResolvedPlan {
  const count = (name: keyof TrainingPlan, v: number) => assert(Number.isInteger(v) && v >= 1, `plan.${name} = ${v} is not a count >= 1`);
  count('microBatch', plan.microBatch);
  count('iterSize', plan.iterSize);
  count('worldSize', plan.worldSize);
  count('epochs', plan.epochs);
  count('trainExamples', plan.trainExamples);
  const effectiveBatch = plan.microBatch * plan.iterSize * plan.worldSize;
  const updatesPerEpoch = Math.floor(plan.trainExamples / effectiveBatch);
  assert(updatesPerEpoch >= 1, `effective batch ${effectiveBatch} exceeds the ${plan.trainExamples} training examples`);
  const totalUpdates = updatesPerEpoch * plan.epochs;
  const schedule = completeSchedule(plan.schedule, { totalUpdates, warmupSteps: plan.warmupSteps });
  return {
    plan,
    hyper: resolveHyper(plan.optimizer, plan.hyper),
    effectiveBatch,
    updatesPerEpoch,
    totalUpdates,
    schedule,
    hasWarmup: plan.warmupSteps > 1,
  };
}

/** The one-line error for a plan a format cannot express: names the format, the value and the fix. */
export function inexpressible(format: ExportFormat, what: string, why: string, fix: string): UserError {
  return new UserError(`--export ${format} cannot express ${what}: ${why}; ${fix}`);
}

/** Rprop is iRprop− in torch.optim.Rprop; only the torch-based exports have it. */
export function rejectRprop(format: ExportFormat, r: ResolvedPlan, framework: string): void {
  const name = r.plan.optimizer;
  if (name === 'rprop' || name === 'irprop+') {
    const torch = name === 'rprop' ? 'use --export lightning or deepspeed' : 'use --optimizer rprop with --export lightning or deepspeed';
    throw inexpressible(format, `--optimizer ${name}`, `${framework} has no Rprop`, `${torch}, or another --optimizer`);
  }
}

/** `--optimizer irprop+` and Rprop with weight decay have no torch.optim.Rprop equivalent. */
export function checkTorchRprop(format: ExportFormat, r: ResolvedPlan): void {
  if (r.plan.optimizer === 'irprop+') {
    throw inexpressible(format, '--optimizer irprop+', 'torch.optim.Rprop is iRprop−, without iRprop+\'s weight backtracking', 'use --optimizer rprop');
  }
  if (r.plan.optimizer === 'rprop' && r.hyper.weightDecay > 0) {
    throw inexpressible(format, `--optimizer rprop with --weight-decay ${r.hyper.weightDecay}`, 'torch.optim.Rprop takes no weight_decay', 'use --weight-decay 0 or another --optimizer');
  }
}

/** The effective batch's factors in a format's own words: "batch_size 64 × iter_size 4 × 2 GPUs". */
export function batchFactors(r: ResolvedPlan, micro: string, accumulation: string, devices: string): string {
  const { microBatch, iterSize, worldSize } = r.plan;
  const parts = [`${micro} ${microBatch}`, `${accumulation} ${iterSize}`];
  if (worldSize > 1) parts.push(`${worldSize} ${devices}`);
  return parts.join(' × ');
}

/** "512 examples per update = batch_size 64 × iter_size 4 × 2 GPUs", for comments and notes. */
export function batchSentence(r: ResolvedPlan, micro: string, accumulation: string, devices: string): string {
  return `${r.effectiveBatch} examples per update = ${batchFactors(r, micro, accumulation, devices)}`;
}

/** The updates-per-epoch note shared by the formats that count epochs themselves. */
export function epochNote(r: ResolvedPlan): string {
  const { trainExamples, epochs } = r.plan;
  return `batchwise runs ⌊${trainExamples} / ${r.effectiveBatch}⌋ = ${r.updatesPerEpoch} updates per epoch (the last ${trainExamples % r.effectiveBatch} examples of each shuffled epoch unused), ${r.totalUpdates} in ${epochs} epochs; a loader that keeps the last partial batch runs slightly more`;
}

export function targetComment(r: ResolvedPlan): string {
  const t = r.plan.targetAccuracy;
  return t === undefined ? '' : `, aiming at ${+(t * 100).toFixed(2)}% validation accuracy`;
}

/** batchwise's schedule in words, for notes and comments. */
export function scheduleText(r: ResolvedPlan): string {
  const s = r.schedule;
  const warm = r.plan.warmupSteps > 0 ? ` after ${r.plan.warmupSteps} warm-up updates` : '';
  switch (s.kind) {
    case 'constant':
      return `constant${warm}`;
    case 'step':
      return `×${s.gamma} every ${s.everySteps} updates${warm}`;
    case 'cosine':
      return `cosine to ${s.minLr} over ${s.totalSteps} updates${warm}`;
  }
}
