/**
 * Seconds to target from several machines do not compare: a trial trained on a fast worker looks
 * better than the same trial on a slow one. Steps to target do not depend on the machine, so when
 * a sweep's trials come from more than one host, the coordinator measures its own training
 * throughput at each batch size that reached the target and names the time optimum from steps ×
 * batch size ÷ samples/s (analyse.ts, `mixedHosts`): the optimum for this machine.
 */
import { measureConfigThroughput } from '../bench/throughput.js';
import type { DataSplits } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';
import { analyseSweep, type SweepAnalysis } from '../sweep/analyse.js';
import { trialConfig, type RecordedTrial } from '../sweep/sweep.js';

export interface HostTimes {
  readonly analysis: SweepAnalysis;
  /** Samples/s of this machine by batch size. */
  readonly throughput: readonly { readonly batchSize: number; readonly samplesPerSec: number }[];
}

/** null when every trial came from one machine (its own seconds compare). */
export async function hostTimes(r: { readonly analysis: SweepAnalysis; readonly trials: readonly RecordedTrial[] }, base: RunConfig, data: DataSplits, seconds = 1): Promise<HostTimes | null> {
  if (r.analysis.mixedHosts === null) return null;
  const throughput: { batchSize: number; samplesPerSec: number }[] = [];
  for (const b of r.analysis.batches.filter((x) => x.stepsToTarget !== null)) {
    const config = trialConfig(base, { key: '', batchSize: b.batchSize, batchLabel: b.batchSize, lr: b.bestLr, gridLr: b.bestLr, seed: base.seed });
    throughput.push({ batchSize: b.batchSize, samplesPerSec: (await measureConfigThroughput(config, data, { seconds })).samplesPerSec });
  }
  return { analysis: analyseSweep(r.trials, new Map(throughput.map((t) => [t.batchSize, t.samplesPerSec]))), throughput };
}
