/**
 * `train --batch-size auto --db`: the throughput curve the goodput weighs batches by is a machine
 * measurement (model, optimizer, threads, machine; not the data's values nor the target), so it is
 * kept in the store's machine table and reused by the next auto run of the same model, as
 * `recommend` keeps its own (recommend/machine-memo.ts). A resumed run uses its checkpoint's.
 */
import type { ThroughputPoint } from '../adaptive/goodput.js';
import { batchwiseVersion, machineInfo } from '../bench/machine.js';
import type { RunConfig } from '../engine/run-config.js';
import { describeProvenance, recallMeasurement, stableJson, type MachineSource } from '../recommend/machine-memo.js';
import type { Store } from '../store/store.js';

export function adaptiveCurveKey(config: RunConfig): string {
  const a = config.adaptive!;
  return stableJson({
    // -2: the curve also has the in-step split's samples/s (adaptive/goodput.ts ThroughputPoint); an older one never splits.
    kind: 'adaptive-throughput-2',
    machine: { ...machineInfo(), batchwise: batchwiseVersion() },
    threads: config.threads,
    model: config.model,
    optimizer: config.optimizer,
    dataset: config.dataset,
    minBatch: a.minBatch,
    maxBatch: a.maxBatch,
    memoryBytes: a.memoryBytes ?? null,
    // The curve's micro-batches keep whole groups of it, and ghost batch norm runs at its own speed.
    bnBatch: config.bnBatch ?? null,
  });
}

function source(store: Store): MachineSource {
  return {
    memo: { recall: (key) => store.machine(key), keep: (kind, key, value) => store.keepMachine(kind, key, value, null) },
    machine: { ...machineInfo(), batchwise: batchwiseVersion() },
    remeasure: false,
    now: () => Date.now(),
  };
}

/** The kept curve and where it came from ("reused from run 3, 2 h old"), or null. */
export function recallCurve(store: Store, config: RunConfig): { curve: ThroughputPoint[]; said: string } | null {
  const found = recallMeasurement(source(store), adaptiveCurveKey(config));
  return found === null ? null : { curve: found.value as ThroughputPoint[], said: describeProvenance(found.provenance) };
}

export function keepCurve(store: Store, config: RunConfig, curve: readonly ThroughputPoint[], runId: number | null): void {
  store.keepMachine('throughput', adaptiveCurveKey(config), curve, runId);
}
