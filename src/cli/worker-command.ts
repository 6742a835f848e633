/**
 * `batchwise worker --queue ADDRESS`: train the trials of queued sweeps (`sweep --queue`) on this
 * machine until Ctrl-C or SIGTERM, which let the trials in progress finish (a second one abandons
 * them: another worker takes them up once their lock expires). Needs the same batchwise version
 * and the sweep's data at the same path as the coordinator; a worker without them refuses the
 * trials, and the coordinator says why.
 */
import { availableParallelism } from 'node:os';
import { UserError } from '../errors.js';
import { startWorker } from '../queue/worker.js';
import { EXIT } from './parse.js';
import type { WorkerOptions } from './worker-options.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

export async function workerCommand(o: WorkerOptions): Promise<number> {
  if (o.queue === undefined) throw new UserError('--queue is required: the Redis the sweep enqueues on, e.g. --queue redis://10.0.0.5:6379');
  const threads = o.threads ?? Math.max(1, Math.floor(availableParallelism() / o.concurrency));
  const worker = await startWorker({ address: o.queue, concurrency: o.concurrency, threads, lockSeconds: o.lockSeconds, onLine: (l) => say(`batchwise worker: ${l}`) });
  say(`${worker.banner}; Ctrl-C to stop`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  say('batchwise worker: stopping after the trials in progress (again to abandon them to another worker)');
  const force = () => void worker.close(true);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await worker.close();
  return signal === 'SIGINT' ? EXIT.interrupted : EXIT.ok;
}
