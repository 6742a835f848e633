/**
 * The body of a training worker thread, shared by the fixed-batch entry (worker.ts) and any other
 * loop run the same way (an adaptive batch): it runs the loop with hooks that post its events, so
 * the main thread (and its progress bar) stays live while `session.run` blocks this thread, then
 * posts the result or the error. A stop is requested through a shared flag, read between runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../errors.js';
import type { GivenKey, RunConfig } from './run-config.js';
import type { RunHooks, RunInfo, RunOptions, RunResult } from './run.js';
import type { EvaluationEvent, Progress } from './train-loop.js';

export interface WorkerInput {
  readonly config: RunConfig;
  readonly options: RunOptions;
  readonly explicitlyGiven: GivenKey[];
  /** Int32Array over this buffer: element 0 set to 1 asks the run to stop. */
  readonly stopFlag: SharedArrayBuffer;
}

export type WorkerMessage =
  | { readonly type: 'start'; readonly info: RunInfo }
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'evaluation'; readonly evaluation: EvaluationEvent }
  | { readonly type: 'done'; readonly result: RunResult }
  /** Anything else a run reports (an adaptive batch's changes), relayed as is. */
  | { readonly type: 'event'; readonly event: unknown }
  | { readonly type: 'error'; readonly userError: boolean; readonly message: string; readonly stack?: string | undefined };

/** Runs `run` on this worker's input with posting hooks; `post` lets a loop send events of its own. */
export async function workerMain<I extends WorkerInput>(run: (input: I, hooks: RunHooks, given: Set<GivenKey>, post: (m: WorkerMessage) => void) => Promise<RunResult>): Promise<void> {
  const port = parentPort!;
  const input = workerData as I;
  const stop = new Int32Array(input.stopFlag);
  const post = (m: WorkerMessage) => port.postMessage(m);
  try {
    const hooks: RunHooks = {
      onStart: (info) => post({ type: 'start', info }),
      onProgress: (progress) => post({ type: 'progress', progress }),
      onEvaluation: (evaluation) => post({ type: 'evaluation', evaluation }),
      shouldStop: () => Atomics.load(stop, 0) === 1,
    };
    post({ type: 'done', result: await run(input, hooks, new Set(input.explicitlyGiven), post) });
  } catch (e) {
    const err = e as Error;
    post({ type: 'error', userError: e instanceof UserError, message: err.message, stack: err.stack });
  }
}
