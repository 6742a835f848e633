/**
 * What a data-parallel update pays on top of its compute: one all-reduce of the gradients. The
 * ring algorithm (reduce-scatter then all-gather; Patarasuk & Yuan 2009, and Thakur, Rabenseifner
 * & Gropp 2005 for its cost) takes 2(N−1) steps, in each of which every worker sends one N-th of
 * the gradients to its neighbour, so
 *   T = 2(N−1)/N · bytes / bandwidth + 2(N−1) · latency,
 * once per update however many micro-batches were accumulated: iter-size amortises it.
 * The reduction's arithmetic and any overlap with the backward pass are left out.
 */
import type { Interconnect } from './interconnect.js';

/** fp32 gradients, one per parameter, as batchwise trains. */
export const GRADIENT_BYTES_PER_PARAMETER = 4;

export function ringAllReduceSeconds(workers: number, bytes: number, link: Interconnect): number {
  if (workers <= 1) return 0;
  return ((2 * (workers - 1)) / workers) * (bytes / link.bytesPerSec) + 2 * (workers - 1) * link.latencySeconds;
}
