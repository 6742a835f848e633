/**
 * Worker-thread entry: runs one training run and posts its events, so the main thread (and its
 * progress bar) stays live while `session.run` blocks this thread.
 * A stop is requested through a shared flag, read between runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../errors.js';
import type { GivenKey, RunConfig } from './run-config.js';
import { runTraining, type RunOptions } from './run.js';

export interface WorkerInput {
  readonly config: RunConfig;
  readonly options: RunOptions;
  readonly explicitlyGiven: GivenKey[];
  /** Int32Array over this buffer: element 0 set to 1 asks the run to stop. */
  readonly stopFlag: SharedArrayBuffer;
}

export type WorkerMessage =
  | { readonly type: 'start'; readonly info: import('./run.js').RunInfo }
  | { readonly type: 'progress'; readonly progress: import('./train-loop.js').Progress }
  | { readonly type: 'evaluation'; readonly evaluation: import('./train-loop.js').EvaluationEvent }
  | { readonly type: 'done'; readonly result: import('./run.js').RunResult }
  /** Anything else a run reports (an adaptive batch's changes), relayed as is. */
  | { readonly type: 'event'; readonly event: unknown }
  | { readonly type: 'error'; readonly userError: boolean; readonly message: string; readonly stack?: string | undefined };

const port = parentPort!;
const input = workerData as WorkerInput;
const stop = new Int32Array(input.stopFlag);
const post = (m: WorkerMessage) => port.postMessage(m);

try {
  const result = await runTraining(
    input.config,
    input.options,
    {
      onStart: (info) => post({ type: 'start', info }),
      onProgress: (progress) => post({ type: 'progress', progress }),
      onEvaluation: (evaluation) => post({ type: 'evaluation', evaluation }),
      shouldStop: () => Atomics.load(stop, 0) === 1,
    },
    new Set(input.explicitlyGiven),
  );
  post({ type: 'done', result });
} catch (e) {
  const err = e as Error;
  post({ type: 'error', userError: e instanceof UserError, message: err.message, stack: err.stack });
}
