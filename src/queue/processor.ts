/**
 * The sandboxed processor: BullMQ runs this file in a child process of `batchwise worker`, one
 * per concurrent job, so a CPU-bound trial never blocks the worker's event loop, which renews the
 * job's lock (a trial run in the worker itself would lose its lock and be trained twice).
 *
 * Job in, result out: it checks the payload, the package version and the data, trains the trial
 * (sweep/trial.ts) and returns its outcome. What no retry can fix — a malformed payload, another
 * package version, missing or different data — fails the job at once (UnrecoverableError) with a
 * one-line reason that the coordinator prints; anything else thrown is retried (JOB_ATTEMPTS).
 */
import { hostname } from 'node:os';
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { batchwiseVersion } from '../bench/machine.js';
import type { DataSplits } from '../data/dataset.js';
import { loadRunData } from '../engine/run.js';
import type { RunConfig } from '../engine/run-config.js';
import { dataFingerprint } from '../data/fingerprint.js';
import { runTrial } from '../sweep/trial.js';
import { encodeOutcome, JOB_FORMAT, parseTrialJob } from './job.js';

/** The worker's --threads, handed to this child in its environment (worker.ts). */
export const THREADS_ENV = 'BATCHWISE_TRIAL_THREADS';

/** The data of the last job: a sweep's trials share it, and loading MNIST takes seconds. */
let cached: { key: string; data: DataSplits; fingerprint: string } | null = null;

function dataFor(config: RunConfig, splitSeed: number): { data: DataSplits; fingerprint: string } {
  const key = JSON.stringify([config.dataset, config.testFile, config.labelColumn, config.validationFraction, config.testFraction, splitSeed, config.model.input]);
  if (cached?.key !== key) {
    const data = loadRunData({ ...config, seed: splitSeed });
    cached = { key, data, fingerprint: dataFingerprint(data) };
  }
  return cached;
}

export default async function processTrial(job: SandboxedJob): Promise<string> {
  const host = hostname();
  const parsed = parseTrialJob(job.data);
  if (!parsed.ok) throw new UnrecoverableError(`worker ${host} rejected malformed job ${job.id}: ${parsed.reason} (not a batchwise trial of job format ${JOB_FORMAT})`);
  const { config, limits, trial, packageVersion, dataFingerprint: wanted, splitSeed } = parsed.job;
  const version = batchwiseVersion();
  if (packageVersion !== version) {
    throw new UnrecoverableError(`worker ${host} refuses the sweep's trials: it runs batchwise ${version}, the sweep ${packageVersion}; install batchwise ${packageVersion} on every worker`);
  }
  let data: { data: DataSplits; fingerprint: string };
  try {
    data = dataFor(config, splitSeed);
  } catch (e) {
    throw new UnrecoverableError(`worker ${host} refuses the sweep's trials: it cannot load the data set ${config.dataset} (${(e as Error).message}); copy it to the same path on every worker`);
  }
  if (data.fingerprint !== wanted) {
    throw new UnrecoverableError(`worker ${host} refuses the sweep's trials: its data set ${config.dataset} differs from the sweep's (fingerprint ${data.fingerprint}, not ${wanted}); copy the coordinator's file to every worker`);
  }
  const threads = Number(process.env[THREADS_ENV]) || config.threads;
  const outcome = await runTrial({ ...config, threads }, data.data, limits, {
    onMetric: (m) => void job.updateProgress({ step: m.step, valAccuracy: Number.isFinite(m.valAccuracy) ? m.valAccuracy : null, trainSeconds: m.trainSeconds }),
  });
  // runTrial is null only when asked to stop, and nothing here asks.
  if (outcome === null) throw new Error(`trial ${trial.key} stopped without a result`);
  return encodeOutcome({ ...outcome, host, detail: { threads } });
}
