/**
 * The coordinator's side of a queued sweep: a TrialRunner (sweep.ts) that hands each trial out as
 * a BullMQ job and waits for its result, so `runSweep` plans, prunes, extends grids and records as
 * it does in process; only the trials train elsewhere.
 *
 * Exactly once. A job's id is the trial's deterministic key (job.ts): adding it again while it
 * waits, runs or sits finished is a no-op. A finished job stays in Redis until the sweep has
 * recorded its result (the store refuses a trial key it holds), and only then is removed. So a
 * coordinator killed at any moment and started again enqueues only the trials the store lacks,
 * and collects the results that finished meanwhile instead of training them again.
 *
 * Results are collected by polling the queue's finished jobs (a few Redis calls per `pollMs`),
 * not by listening for events, which a coordinator that was down would have missed.
 */
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSplits } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';
import type { PlannedTrial } from '../sweep/plan.js';
import type { TrialRunner } from '../sweep/sweep.js';
import type { TrialHooks, TrialLimits, TrialOutcome } from '../sweep/trial.js';
import { connectRedis, type QueueAddress } from './address.js';
import { decodeOutcome, JOB_ATTEMPTS, JOB_FORMAT, JOB_NAME, QUEUE_NAME, trialJobId, type TrialJob } from './job.js';

export interface CoordinatorSpec {
  readonly address: QueueAddress;
  /** The sweep's identity (sweep/identity.ts) and its data's fingerprint. */
  readonly sweep: string;
  readonly dataFingerprint: string;
  /** The sweep's base seed, which fixes its split (sweep/identity.ts). */
  readonly splitSeed: number;
  readonly packageVersion: string;
  /** Remove the failed jobs of trials handed out again (`sweep --retry-failed`). */
  readonly retryFailed: boolean;
  /** Lines for the user: a worker's refusal (once per distinct line), a trial failed. */
  readonly onLine: (line: string) => void;
  readonly pollMs?: number;
}

interface Pending {
  readonly trial: PlannedTrial;
  readonly hooks: TrialHooks;
  readonly resolve: (o: TrialOutcome | null) => void;
  started: boolean;
  lastStep: number;
}

export class QueueRunner implements TrialRunner {
  readonly parallel = true;
  private readonly pending = new Map<string, Pending>();
  private readonly removals: Promise<unknown>[] = [];
  private readonly said = new Set<string>();
  private polling: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly spec: CoordinatorSpec,
    private readonly connection: Redis,
    private readonly queue: Queue,
  ) {}

  /** Connects first: an unreachable Redis is a UserError before anything is written. */
  static async open(spec: CoordinatorSpec): Promise<QueueRunner> {
    const connection = await connectRedis(spec.address);
    const queue = new Queue(QUEUE_NAME, { connection });
    await queue.waitUntilReady();
    return new QueueRunner(spec, connection, queue);
  }

  jobId(trialKey: string): string {
    return trialJobId(this.spec.sweep, trialKey, this.spec.packageVersion);
  }

  async run(trial: PlannedTrial, config: RunConfig, _data: DataSplits, limits: TrialLimits, hooks: TrialHooks): Promise<TrialOutcome | null> {
    const id = this.jobId(trial.key);
    if (this.spec.retryFailed) {
      const old = await this.queue.getJob(id);
      if (old !== undefined && (await old.isFailed())) await old.remove();
    }
    const payload: TrialJob = { format: JOB_FORMAT, packageVersion: this.spec.packageVersion, sweep: this.spec.sweep, dataFingerprint: this.spec.dataFingerprint, splitSeed: this.spec.splitSeed, trial, config, limits };
    await this.queue.add(JOB_NAME, payload, { jobId: id, attempts: JOB_ATTEMPTS, backoff: { type: 'fixed', delay: 1000 } });
    const result = new Promise<TrialOutcome | null>((resolve) => this.pending.set(id, { trial, hooks, resolve, started: false, lastStep: -1 }));
    this.polling ??= this.poll();
    return result;
  }

  /** The sweep has recorded the trial: its job can go. */
  committed(trial: PlannedTrial): void {
    this.removals.push(this.queue.remove(this.jobId(trial.key)));
  }

  /** Waits for the removals of recorded jobs, then disconnects; unfinished jobs stay queued for the next coordinator. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) p.resolve(null);
    this.pending.clear();
    await this.polling;
    await Promise.all(this.removals);
    await this.queue.close();
    this.connection.disconnect();
  }

  private async poll(): Promise<void> {
    const every = this.spec.pollMs ?? 200;
    while (!this.closed && this.pending.size > 0) {
      if ([...this.pending.values()].some((p) => p.hooks.shouldStop?.())) {
        for (const p of this.pending.values()) p.resolve(null);
        this.pending.clear();
        break;
      }
      const [done, failed, active] = await Promise.all(['completed', 'failed', 'active'].map((s) => this.queue.getJobs([s as 'completed'])));
      for (const job of active!) this.progress(job);
      for (const job of done!) this.finish(job, (j) => ({ ...decodeOutcome(j.returnvalue as string), detail: this.jobDetail(j) }));
      for (const job of failed!) this.finish(job, (j, p) => this.failedOutcome(j, p.trial));
      await new Promise((r) => setTimeout(r, every));
    }
    this.polling = null;
  }

  private progress(job: Job): void {
    const p = this.pending.get(String(job.id));
    if (p === undefined) return;
    if (!p.started) {
      p.started = true;
      p.hooks.onStart?.();
    }
    const m = job.progress as { step?: number; valAccuracy?: number | null; trainSeconds?: number } | number;
    if (typeof m !== 'object' || m === null || typeof m.step !== 'number' || m.step === p.lastStep) return;
    p.lastStep = m.step;
    p.hooks.onMetric?.({ step: m.step, epochs: NaN, trainLoss: NaN, valLoss: NaN, valAccuracy: m.valAccuracy ?? NaN, trainSeconds: m.trainSeconds ?? NaN, samplesPerSec: NaN });
  }

  private finish(job: Job, outcome: (j: Job, p: Pending) => TrialOutcome): void {
    const id = String(job.id);
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    if (!p.started) p.hooks.onStart?.();
    p.resolve(outcome(job, p));
  }

  private jobDetail(job: Job): Record<string, unknown> {
    const d = decodeOutcome(job.returnvalue as string).detail ?? {};
    return { ...d, job: String(job.id), attempts: job.attemptsStarted, worker: job.processedBy ?? null };
  }

  /** A trial whose worker kept throwing, or refused it: recorded as failed with its error, not lost. */
  private failedOutcome(job: Job, trial: PlannedTrial): TrialOutcome {
    const error = job.failedReason || 'failed without a reason';
    // A refusal is about the worker, not the trial: said once however many trials it refuses.
    const line = / refuses /.test(error) ? error : `trial ${trial.key} failed after ${job.attemptsMade} attempt(s): ${error}`;
    if (!this.said.has(line)) {
      this.said.add(line);
      this.spec.onLine(line);
    }
    const host = job.processedBy?.replace(/#\d+$/, '');
    return {
      status: 'failed',
      stepsToTarget: null,
      epochsToTarget: null,
      secondsToTarget: null,
      samplesPerSec: NaN,
      bestValAccuracy: NaN,
      finalValAccuracy: NaN,
      testAccuracy: null,
      steps: 0,
      epochs: 0,
      trainSeconds: 0,
      divergedAtStep: null,
      metrics: [],
      ...(host !== undefined ? { host } : {}),
      detail: { job: String(job.id), attempts: job.attemptsMade, error },
    };
  }
}
