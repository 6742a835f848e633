/** `train --batch-size auto`: the batch and rate follow the gradient noise scale during training. */
export { runAdaptive, type AdaptiveResult, type AdaptiveState, type AdaptiveOptions } from './run.js';
export type { BatchChangeEvent } from './worker.js';
export type { ThroughputPoint } from './goodput.js';

/** The worker script for `trainInWorker(…, ADAPTIVE_WORKER)`. */
export const ADAPTIVE_WORKER = new URL('./worker.js', import.meta.url);
