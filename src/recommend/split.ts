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

/**
 * The split of an effective batch over at most `maxWorkers` workers that takes the least time per
 * update by `secondsPerUpdate` (compute and all-reduce). With communication the whole world is not
 * always fastest: over a slow link, fewer workers with a larger iter-size can update sooner, since
 * the all-reduce is paid once per update whatever the iter-size. Every worker count that divides
 * the batch is tried; on a tie the larger world wins, as asked.
 */
export function fastestSplit(effectiveBatch: number, maxMicroBatch: number, maxWorkers: number, secondsPerUpdate: (s: BatchSplit) => number): BatchSplit {
  // The requested world must divide the batch, as without communication: the same refusal.
  let best = splitBatch(effectiveBatch, maxMicroBatch, maxWorkers);
  let bestSeconds = secondsPerUpdate(best);
  for (let workers = maxWorkers - 1; workers >= 1; workers--) {
    if (effectiveBatch % workers !== 0) continue;
    const s = splitBatch(effectiveBatch, maxMicroBatch, workers);
    const seconds = secondsPerUpdate(s);
    if (seconds < bestSeconds) {
      best = s;
      bestSeconds = seconds;
    }
  }
  return best;
}
