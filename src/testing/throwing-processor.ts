/**
 * The queue's processor with one fault: the trial whose key is in BATCHWISE_TEST_THROW_KEY throws
 * on every attempt, as a worker whose machine keeps failing would. For the queue tests only.
 */
import type { SandboxedJob } from 'bullmq';
import processTrial from '../queue/processor.js';

export default async function throwingProcessor(job: SandboxedJob): Promise<string> {
  const key = (job.data as { trial?: { key?: string } } | null)?.trial?.key;
  if (key !== undefined && key === process.env['BATCHWISE_TEST_THROW_KEY']) throw new Error(`injected fault: the worker throws on trial ${key}`);
  return processTrial(job);
}
