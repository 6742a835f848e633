/**
 * Worker-thread entry of an adaptive-batch run: engine/worker.ts's messages, plus an 'event'
 * for each batch change. Started by `trainInWorker(…, ADAPTIVE_WORKER)`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInput, WorkerMessage } from '../engine/worker.js';
import { UserError } from '../errors.js';
import type { BatchChangeRow } from '../store/rows.js';
import { runAdaptive, type AdaptiveOptions } from './run.js';

/** The 'event' an adaptive run posts for each change. */
export interface BatchChangeEvent {
  readonly kind: 'batch-change';
  readonly change: BatchChangeRow;
  readonly seq: number;
}

const port = parentPort!;
const input = workerData as WorkerInput & { readonly options: AdaptiveOptions };
const stop = new Int32Array(input.stopFlag);
const post = (m: WorkerMessage) => port.postMessage(m);

try {
  const result = await runAdaptive(
    input.config,
    input.options,
    {
      onStart: (info) => post({ type: 'start', info }),
      onProgress: (progress) => post({ type: 'progress', progress }),
      onEvaluation: (evaluation) => post({ type: 'evaluation', evaluation }),
      onBatchChange: (change, seq) => post({ type: 'event', event: { kind: 'batch-change', change, seq } satisfies BatchChangeEvent }),
      shouldStop: () => Atomics.load(stop, 0) === 1,
    },
    new Set(input.explicitlyGiven),
  );
  post({ type: 'done', result });
} catch (e) {
  const err = e as Error;
  post({ type: 'error', userError: e instanceof UserError, message: err.message, stack: err.stack });
}
