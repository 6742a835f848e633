/** Runs a training run in a worker thread and relays its events; resolves with the result. */
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import type { GivenKey, RunConfig } from './run-config.js';
import type { RunHooks, RunOptions, RunResult } from './run.js';
import type { WorkerInput, WorkerMessage } from './worker.js';

export interface WorkerRun<R extends RunResult = RunResult> {
  readonly result: Promise<R>;
  /** Ask the run to stop after the current `session.run`; it then saves and reports. */
  stop(): void;
}

/**
 * `entry`: the worker script, engine/worker.js or one that runs another loop with the same
 * messages (src/adaptive); `onEvent` hears its 'event' messages.
 */
export function trainInWorker<R extends RunResult = RunResult>(
  config: RunConfig,
  options: RunOptions,
  hooks: Omit<RunHooks, 'shouldStop'> & { readonly onEvent?: (e: unknown) => void },
  explicitlyGiven: GivenKey[] = [],
  entry: URL = new URL('./worker.js', import.meta.url),
): WorkerRun<R> {
  const stopFlag = new SharedArrayBuffer(4);
  const input: WorkerInput = { config, options, explicitlyGiven, stopFlag };
  const worker = new Worker(entry, { workerData: input });
  const result = new Promise<R>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'start') hooks.onStart?.(m.info);
      else if (m.type === 'progress') hooks.onProgress?.(m.progress);
      else if (m.type === 'evaluation') hooks.onEvaluation?.(m.evaluation);
      else if (m.type === 'event') hooks.onEvent?.(m.event);
      else if (m.type === 'done') {
        settled = true;
        resolve(m.result as R);
      } else {
        settled = true;
        if (m.userError) reject(new UserError(m.message));
        else reject(Object.assign(new Error(m.message), { stack: m.stack }));
      }
    });
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`training worker exited with code ${code} before reporting`));
    });
  });
  return {
    result: result.finally(() => void worker.terminate()),
    stop: () => Atomics.store(new Int32Array(stopFlag), 0, 1),
  };
}
