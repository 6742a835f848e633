/**
 * The largest micro-batch that fits, found with a probe passed in as a function, so the search
 * itself is pure and tested with a fake probe (as Lightning's batch-size finder is tested).
 *
 * Doubling from `start` (1, 2, 4, …, capped at maxBatch) until a probe does not fit or maxBatch
 * fits; then bisection between the last batch that fit and the first that did not. That is at
 * most ⌈log₂ maxBatch⌉ + 1 doublings and ⌈log₂ maxBatch⌉ bisection steps. It assumes that memory
 * grows with the batch, so no batch size is probed twice. With a `tolerance` t the bisection
 * stops once the bracket is within t of the answer: ⌈log₂(1/t)⌉ steps instead of up to log₂ B.
 */
import { assert } from '../errors.js';

/** What one probe of one micro-batch size measured. `peakBytes` is null when it did not finish. */
export interface ProbeOutcome {
  readonly ok: boolean;
  readonly peakBytes: number | null;
  /** Why it failed ('over budget', 'timeout', a crash), or null. */
  readonly reason: string | null;
  readonly seconds: number;
}

export interface ProbeRecord extends ProbeOutcome {
  readonly batchSize: number;
  /** ok and within the limit (the budget less its safety margin): the search counts it as fitting. */
  readonly fits: boolean;
}

export interface SearchOptions {
  /** The largest batch worth probing: the training examples available per micro-batch. */
  readonly maxBatch: number;
  /** First batch size probed (default 1). */
  readonly start?: number;
  /** A finished probe fits only when its peak is at most this many bytes (default: any finished probe fits). */
  readonly limitBytes?: number;
  /** Called after every probe, in order. */
  readonly onProbe?: (record: ProbeRecord) => void;
  /** Bisection stops once the bracket is within this share of the batch that fits (default 0: exact). */
  readonly tolerance?: number;
  /** Polled before each probe: true ends the search with what is known so far. */
  readonly shouldStop?: () => boolean;
}

export interface SearchResult {
  /** The largest batch that fit; 0 when none did. */
  readonly largest: number;
  /** Every probe, in the order made. */
  readonly probes: ProbeRecord[];
}

/** Whether an outcome counts as fitting under `limitBytes`. */
export function fitsLimit(o: ProbeOutcome, limitBytes: number | undefined): boolean {
  return o.ok && (limitBytes === undefined || (o.peakBytes !== null && o.peakBytes <= limitBytes));
}

export async function searchLargestBatch(probe: (batch: number) => Promise<ProbeOutcome>, opts: SearchOptions): Promise<SearchResult> {
  const { maxBatch } = opts;
  const start = Math.min(opts.start ?? 1, maxBatch);
  assert(Number.isInteger(maxBatch) && maxBatch >= 1, `maxBatch must be a whole number ≥ 1, got ${maxBatch}`);
  assert(Number.isInteger(start) && start >= 1, `start must be a whole number ≥ 1, got ${start}`);
  const probes: ProbeRecord[] = [];
  const tryBatch = async (batchSize: number): Promise<boolean> => {
    const outcome = await probe(batchSize);
    const record: ProbeRecord = { ...outcome, batchSize, fits: fitsLimit(outcome, opts.limitBytes) };
    probes.push(record);
    opts.onProbe?.(record);
    return record.fits;
  };

  // Doubling: lo fits (0 = nothing known to fit), hi does not (maxBatch + 1 = nothing known to fail).
  let lo = 0;
  let hi = maxBatch + 1;
  const tolerance = opts.tolerance ?? 0;
  const stopped = () => opts.shouldStop?.() ?? false;
  for (let b = start; !stopped(); b = Math.min(2 * b, maxBatch)) {
    if (!(await tryBatch(b))) {
      hi = b;
      break;
    }
    lo = b;
    if (b === maxBatch) break;
  }
  // Bisection: the answer is in [lo, hi).
  while (hi - lo > Math.max(1, tolerance * lo) && !stopped()) {
    const mid = Math.floor((lo + hi) / 2);
    if (await tryBatch(mid)) lo = mid;
    else hi = mid;
  }
  return { largest: lo, probes };
}
