/**
 * A queue worker: takes trial jobs from Redis and trains each in a sandboxed child process
 * (processor.ts), `concurrency` at a time with `threads` ONNX Runtime threads each.
 *
 * A worker that dies (SIGKILL, a lost machine) stops renewing its jobs' locks; after
 * `lockSeconds` any live worker's stalled check puts such a job back in the queue, once
 * (`maxStalledCount` 1): a job that stalls twice fails, and the coordinator records it as failed
 * rather than losing it or retrying it for ever.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import { fileURLToPath } from 'node:url';
import { batchwiseVersion } from '../bench/machine.js';
import { connectRedis, describeAddress, type QueueAddress } from './address.js';
import { decodeOutcome, QUEUE_NAME } from './job.js';
import { THREADS_ENV } from './processor.js';

export interface WorkerSpec {
  readonly address: QueueAddress;
  readonly concurrency: number;
  readonly threads: number;
  /** How long a job's lock lasts without renewal: how soon a dead worker's trial is retried. */
  readonly lockSeconds: number;
  /** The processor file (default: processor.js beside this file); tests wrap it to inject faults. */
  readonly processorFile?: string;
  /** One line per event worth a log line (a trial done, failed or refused). */
  readonly onLine: (line: string) => void;
}

export interface RunningWorker {
  /** What it says at start. */
  readonly banner: string;
  /** Waits for the trials in progress (`force`: abandons them to another worker), then disconnects. */
  close(force?: boolean): Promise<void>;
}

export async function startWorker(spec: WorkerSpec): Promise<RunningWorker> {
  const connection = await connectRedis(spec.address);
  const lockDuration = spec.lockSeconds * 1000;
  const worker = new Worker(QUEUE_NAME, spec.processorFile ?? fileURLToPath(new URL('./processor.js', import.meta.url)), {
    connection,
    concurrency: spec.concurrency,
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 1,
    name: `${hostname()}#${process.pid}`,
    workerForkOptions: { env: { ...process.env, [THREADS_ENV]: String(spec.threads) } },
  });
  const key = (job: Job | undefined) => String(job?.data?.trial?.key ?? job?.id ?? '?');
  worker.on('completed', (job: Job) => {
    const o = decodeOutcome(job.returnvalue as string);
    spec.onLine(`trial ${key(job)}: ${o.status}` + (o.stepsToTarget !== null ? ` in ${o.stepsToTarget} steps` : '') + `, ${o.trainSeconds.toFixed(2)} s training`);
  });
  worker.on('failed', (job: Job | undefined, e: Error) => spec.onLine(`trial ${key(job)} failed (attempt ${job?.attemptsMade ?? '?'}): ${e.message}`));
  worker.on('error', (e: Error) => spec.onLine(`queue error: ${e.message}`));
  await worker.waitUntilReady();
  return {
    banner: `batchwise worker on ${hostname()} (batchwise ${batchwiseVersion()}): ${spec.concurrency} trial(s) at a time, ${spec.threads} thread(s) each, from ${describeAddress(spec.address)}`,
    close: async (force = false) => {
      await worker.close(force);
      connection.disconnect();
    },
  };
}
