/**
 * Worker-thread entry of an adaptive-batch run: engine/worker-main.ts's messages, plus an 'event'
 * for each batch change. Started by `trainInWorker(…, ADAPTIVE_WORKER)`.
 */
import { workerMain, type WorkerInput } from '../engine/worker-main.js';
import type { BatchChangeRow } from '../store/rows.js';
import { runAdaptive, type AdaptiveOptions } from './run.js';

/** The 'event' an adaptive run posts for each change. */
export interface BatchChangeEvent {
  readonly kind: 'batch-change';
  readonly change: BatchChangeRow;
  readonly seq: number;
}

await workerMain<WorkerInput & { readonly options: AdaptiveOptions }>((input, hooks, given, post) =>
  runAdaptive(input.config, input.options, { ...hooks, onBatchChange: (change, seq) => post({ type: 'event', event: { kind: 'batch-change', change, seq } satisfies BatchChangeEvent }) }, given),
);
