/**
 * An effective batch as micro-batch × iterSize × world size: each of `worldSize` workers runs
 * `iterSize` micro-batches of `microBatch` examples and the gradients are averaged into one update
 * (Caffe's iter_size, Lightning's accumulate_grad_batches, DeepSpeed's gradient_accumulation_steps).
 * The micro-batch is the largest that fits memory and divides the per-worker share exactly, so
 * every update sees exactly the effective batch and accumulation is as short as memory allows.
 */
import { UserError } from '../errors.js';

export interface BatchSplit {
  readonly effectiveBatch: number;
  readonly microBatch: number;
  readonly iterSize: number;
  readonly worldSize: number;
}

export function splitBatch(effectiveBatch: number, maxMicroBatch: number, worldSize = 1): BatchSplit {
  if (!Number.isInteger(effectiveBatch) || effectiveBatch < 1) throw new UserError(`batch ${effectiveBatch} must be a whole number ≥ 1`);
  if (effectiveBatch % worldSize !== 0) {
    throw new UserError(`an effective batch of ${effectiveBatch} does not split over --world-size ${worldSize}; use a world size that divides it`);
  }
  if (maxMicroBatch < 1) throw new UserError('not even a micro-batch of 1 fits the memory budget; raise --memory');
  const perWorker = effectiveBatch / worldSize;
  let microBatch = 1;
  for (let d = Math.min(perWorker, Math.floor(maxMicroBatch)); d >= 1; d--) {
    if (perWorker % d === 0) {
      microBatch = d;
      break;
    }
  }
  return { effectiveBatch, microBatch, iterSize: perWorker / microBatch, worldSize };
}
