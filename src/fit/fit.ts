/**
 * `fitMemory`: the largest micro-batch whose training step fits a memory budget, found by probing
 * in child processes (probe.ts) with the pure search (search.ts), plus the fitted line
 * peak ≈ fixed + perSample·B (memory-model.ts) that answers for budgets that were not probed.
 *
 * "Peak" is the child's peak RSS above its baseline: what building the Trainer and running
 * updates adds to a process that already holds Node, ONNX Runtime and the micro-batch's examples.
 * The real run also holds the whole data set; evaluation (in chunks) is not part of the probe.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSplits } from '../data/dataset.js';
import { atMicroBatch, type RunConfig } from '../engine/run-config.js';
import { loadRunData } from '../engine/run.js';
import { Interrupted, UserError } from '../errors.js';
import { paramCount, resolveModel } from '../model/model.js';
import { makeOptimizer } from '../optim/registry.js';
import { formatBytes } from './bytes.js';
import { analyticActivationBytesPerSample, DEFAULT_MARGIN, fitMemoryModel, largestBatchFor, memoryComponents, predictPeakBytes, type MemoryComponents, type MemoryModel } from './memory-model.js';
import { DEFAULT_PROBE_TIMEOUT_SECONDS, probeInChild } from './probe.js';
import { writeProbeData } from './probe-data.js';
import { searchLargestBatch, type ProbeOutcome, type ProbeRecord, type SearchResult } from './search.js';

export interface FitMemoryOptions {
  readonly budgetBytes: number;
  /** Safety margin: a batch fits when its peak ≤ (1 − margin)·budget. Default 0.1. */
  readonly margin?: number;
  /** Largest micro-batch to consider; default (and at most) the training examples ÷ iterSize. */
  readonly maxBatch?: number;
  /** Per probe. Default 300. */
  readonly timeoutSeconds?: number;
  /** The most the probes may use on this machine; default 80% of its free memory. A larger budget is predicted from the fit. */
  readonly probeLimitBytes?: number;
  /** The run's data, when the caller has loaded it already. */
  readonly data?: DataSplits;
  readonly onProbe?: (p: ProbeRecord) => void;
  /** Relative precision of the bisection (default 0: to the exact batch). */
  readonly tolerance?: number;
  /**
   * Polled before each probe: true ends the search with what is known so far. Polled during a
   * probe too: true kills it and rejects with Interrupted, since a probe cut short measured nothing.
   */
  readonly shouldStop?: () => boolean;
}

export interface FitResult {
  readonly budgetBytes: number;
  readonly margin: number;
  readonly largestBatch: number;
  /** False when the answer is predicted from the fit because the budget is more than this machine could probe. */
  readonly probed: boolean;
  readonly probes: ProbeRecord[];
  readonly model: MemoryModel;
  readonly components: MemoryComponents;
  readonly maxBatch: number;
  /** What the probes were allowed to use here: min(budget, probeLimitBytes). */
  readonly probeLimitBytes: number;
  readonly parameters: number;
  readonly trainExamples: number;
  /** The whole training split as one update: ⌊examples ÷ iterSize⌋ per micro-batch. */
  readonly fullBatchSize: number;
  /** Predicted peak at fullBatchSize. */
  readonly fullBatchPeakBytes: number;
  readonly wallSeconds: number;
}

/** Updates per probe: the first sizes ONNX Runtime's arena, the second shows that it suffices. */
const PROBE_UPDATES = 2;
/** Share of the free memory the probes may use by default. */
const PROBE_SHARE_OF_FREE = 0.8;

/**
 * The answer from a search under `probeLimitBytes` for a budget that may be larger: the search's
 * own when it ran under the whole budget or reached maxBatch, else the fitted line's (never below
 * what was probed to fit).
 */
export function decideLargest(search: SearchResult, fitted: MemoryModel, o: { budgetBytes: number; probeLimitBytes: number; margin: number; maxBatch: number }): { largestBatch: number; probed: boolean } {
  if (o.probeLimitBytes >= o.budgetBytes || search.largest >= o.maxBatch) return { largestBatch: search.largest, probed: true };
  return { largestBatch: Math.max(search.largest, largestBatchFor(fitted, o.budgetBytes, o.margin, o.maxBatch)), probed: false };
}

/** Why not even a micro-batch of 1 fits, as one line for the user; a crash is a bug and throws plainly. */
function nothingFits(first: ProbeRecord, o: { budgetBytes: number; probeLimitBytes: number; margin: number }): Error {
  const cap = o.probeLimitBytes < o.budgetBytes ? ` (this machine can probe only ${formatBytes(o.probeLimitBytes)})` : '';
  const limit = formatBytes((1 - o.margin) * o.probeLimitBytes);
  if (first.ok) {
    return new UserError(
      `even a micro-batch of 1 needs ${formatBytes(first.peakBytes!)} of training memory, more than the ${limit} that ` +
        `${formatBytes(o.probeLimitBytes)} less the ${Math.round(o.margin * 100)}% margin allows${cap}; raise --memory`,
    );
  }
  if (first.reason === 'over budget') return new UserError(`even a micro-batch of 1 needs more than ${formatBytes(o.probeLimitBytes)} of training memory${cap}; raise --memory`);
  if (first.reason?.startsWith('timeout')) return new UserError(`the probe of a micro-batch of 1 hit its ${first.reason}; raise --probe-timeout`);
  return new Error(`the probe of a micro-batch of 1 failed: ${first.reason}`);
}

export async function fitMemory(config: RunConfig, opts: FitMemoryOptions): Promise<FitResult> {
  const started = performance.now();
  const margin = opts.margin ?? DEFAULT_MARGIN;
  if (!(margin >= 0 && margin < 1)) throw new UserError(`the safety margin must be in [0, 1), got ${margin}`);
  if (!(opts.budgetBytes >= 1)) throw new UserError(`the memory budget must be at least 1 byte, got ${opts.budgetBytes}`);
  const data = opts.data ?? loadRunData(config);
  const model = resolveModel(config.model, data.featureShape, data.numClasses);
  const optimizer = makeOptimizer(config.optimizer, config.hyper);
  const dataMax = Math.floor(data.train.count / config.iterSize);
  if (dataMax < 1) throw new UserError(`--iter-size ${config.iterSize} is more than the ${data.train.count} training examples; use a smaller --iter-size`);
  const maxBatch = Math.min(opts.maxBatch ?? dataMax, dataMax);
  const probeLimitBytes = Math.min(opts.budgetBytes, opts.probeLimitBytes ?? PROBE_SHARE_OF_FREE * freemem());
  const limitBytes = (1 - margin) * probeLimitBytes;

  const dir = mkdtempSync(join(tmpdir(), 'batchwise-fit-'));
  let search: SearchResult;
  try {
    const file = writeProbeData(data, dir, maxBatch * config.iterSize);
    const probe = async (b: number): Promise<ProbeOutcome> => {
      const r = await probeInChild(
        { config: atMicroBatch(config, b), microBatch: b, updates: PROBE_UPDATES, data: file },
        {
          killAboveBytes: probeLimitBytes,
          timeoutSeconds: opts.timeoutSeconds ?? DEFAULT_PROBE_TIMEOUT_SECONDS,
          ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
        },
      );
      return { ok: r.ok, peakBytes: r.peakBytes, reason: r.reason, seconds: r.seconds };
    };
    search = await searchLargestBatch(probe, {
      maxBatch,
      limitBytes,
      ...(opts.onProbe ? { onProbe: opts.onProbe } : {}),
      ...(opts.tolerance !== undefined ? { tolerance: opts.tolerance } : {}),
      ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (search.probes.length === 0) throw new Interrupted('before the first memory probe');
  if (search.largest === 0) throw nothingFits(search.probes[0]!, { budgetBytes: opts.budgetBytes, probeLimitBytes, margin });

  const measured = search.probes.filter((p) => p.ok && p.peakBytes !== null).map((p) => ({ batchSize: p.batchSize, peakBytes: p.peakBytes! }));
  const fitted = fitMemoryModel(measured, analyticActivationBytesPerSample(model));
  const { largestBatch, probed } = decideLargest(search, fitted, { budgetBytes: opts.budgetBytes, probeLimitBytes, margin, maxBatch });
  return {
    budgetBytes: opts.budgetBytes,
    margin,
    largestBatch,
    probed,
    probes: search.probes,
    model: fitted,
    components: memoryComponents(model, optimizer.slots.length, fitted),
    maxBatch,
    probeLimitBytes,
    parameters: paramCount(model),
    trainExamples: data.train.count,
    fullBatchSize: dataMax,
    fullBatchPeakBytes: predictPeakBytes(fitted, dataMax),
    wallSeconds: (performance.now() - started) / 1000,
  };
}
