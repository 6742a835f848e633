/**
 * Machine measurements kept for reuse. The MatMul rate, the throughput curve and the memory fit
 * depend on the machine (CPU, cores, onnxruntime, Node, batchwise), the threads, the model, the
 * data's shape and the optimizer — not on the data's values nor on the target. They were about half
 * of what a recommendation cost (issue 10: memory 10 s + throughput 12 s of 40 s) and come out the
 * same on a second recommendation of the same model, so they are kept under a key of exactly what
 * they depend on and reused, saying so and how old they are; `--remeasure` measures them again.
 *
 * The bounded stages (the rate range test and each rate's bounded pilot) are kept the same way.
 * They depend on the data too, so their keys hold its fingerprint, and on the seed; they do not
 * depend on the target, which decides only where a pilot stops, so a kept pilot serves every target
 * for which it would have trained the same run (bounded-pilot.ts, `pilotServes`). With them, a
 * second recommendation on the same model and data, for another target, budget or world size,
 * trains nothing at all.
 */
import type { MachineInfo } from '../bench/machine.js';
import type { RunConfig } from '../engine/run-config.js';

export type MachineKind = 'matmul' | 'throughput' | 'memory';
/** Everything kept: the machine's measurements and the bounded stages' runs on the data. */
export type KeptKind = MachineKind | 'range-test' | 'pilot';

/** What the machine is, as far as its measurements depend on it. */
export interface MachineIdentity extends MachineInfo {
  readonly batchwise: string;
}

export interface KeptMeasurement {
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly runId: number | null;
  readonly value: unknown;
}

/** Where measurements are kept: the store (`recommend --db`), or a map in tests. */
export interface MachineMemo {
  recall(key: string): KeptMeasurement | undefined;
  keep(kind: KeptKind, key: string, value: unknown): void;
}

export interface MachineSource {
  readonly memo: MachineMemo;
  readonly machine: MachineIdentity;
  /** Measure again (and keep the new measurement) even where one is kept. */
  readonly remeasure: boolean;
  /** Milliseconds since the epoch; a fake clock in tests. */
  readonly now: () => number;
}

/** Where a measurement used by a recommendation came from. */
export interface Provenance {
  readonly reused: boolean;
  /** ISO 8601: when it was measured. */
  readonly measuredAt: string;
  readonly ageSeconds: number;
  /** The run that measured it, when known (a reused one measured before its run was stored has none). */
  readonly runId: number | null;
}

/** The data's shape: what the model's size, and so memory and speed, follow from. */
export interface DataShape {
  readonly featureShape: readonly number[];
  readonly numClasses: number;
}

/** JSON with object keys sorted, so that equal settings give one key whatever their order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const modelParts = (m: MachineIdentity, config: RunConfig, shape: DataShape) => ({
  machine: m,
  threads: config.threads,
  model: config.model,
  optimizer: config.optimizer,
  iterSize: config.iterSize,
  featureShape: shape.featureShape,
  numClasses: shape.numClasses,
});

export function matmulKey(m: MachineIdentity, threads: number, seconds: number): string {
  return stableJson({ kind: 'matmul', machine: m, threads, seconds });
}

export function throughputKey(m: MachineIdentity, config: RunConfig, shape: DataShape, o: { microBatches: readonly number[]; seconds: number }): string {
  return stableJson({ kind: 'throughput', ...modelParts(m, config, shape), microBatches: o.microBatches, seconds: o.seconds });
}

/** The training examples matter here: the search stops at them, and the probe holds them. */
export function memoryKey(m: MachineIdentity, config: RunConfig, shape: DataShape, o: { budgetBytes: number; margin: number; maxBatch: number; tolerance: number }): string {
  return stableJson({ kind: 'memory', ...modelParts(m, config, shape), ...o });
}

/**
 * What a training run at the pilot batch depends on: the machine and threads (its timings, and the
 * order of its sums), its settings less those the stage sets itself (batch, rate, length, target)
 * and the names of its data, and the data's fingerprint in their place.
 */
function trainingParts(m: MachineIdentity, config: RunConfig, data: string) {
  const { modelName: _n, dataset: _d, testFile: _t, labelColumn: _l, batchSize: _b, iterSize: _i, epochs: _e, targetAccuracy: _a, adaptive: _ad, hyper, ...rest } = config;
  const { lr: _lr, ...otherHyper } = hyper;
  return { machine: m, ...rest, hyper: otherHyper, data };
}

/** The range test sets its own schedule (the geometric ramp) and no warm-up, so neither is in its key. */
export function rangeTestKey(m: MachineIdentity, config: RunConfig, data: string, o: object): string {
  const { schedule: _s, warmupSteps: _w, ...parts } = trainingParts(m, config, data);
  return stableJson({ kind: 'range-test', ...parts, test: o });
}

export function pilotKey(m: MachineIdentity, config: RunConfig, data: string, o: object): string {
  return stableJson({ kind: 'pilot', ...trainingParts(m, config, data), pilot: o });
}

/**
 * The kept measurement to reuse, or null: none kept, none asked for (no memo), `--remeasure`, or
 * one that `serves` says cannot stand in for this one.
 */
export function recallMeasurement(source: MachineSource | undefined, key: string, serves?: (value: unknown) => boolean): { value: unknown; provenance: Provenance } | null {
  if (source === undefined || source.remeasure) return null;
  const kept = source.memo.recall(key);
  if (kept === undefined || (serves !== undefined && !serves(kept.value))) return null;
  const ageSeconds = Math.max(0, (source.now() - Date.parse(kept.createdAt)) / 1000);
  return { value: kept.value, provenance: { reused: true, measuredAt: kept.createdAt, ageSeconds, runId: kept.runId } };
}

/** Keeps a fresh measurement (when there is a memo) and says where it came from: here, now. */
export function keepMeasurement(source: MachineSource | undefined, kind: KeptKind, key: string, value: unknown, now = Date.now()): Provenance {
  source?.memo.keep(kind, key, value);
  return { reused: false, measuredAt: new Date(source?.now() ?? now).toISOString(), ageSeconds: 0, runId: null };
}

/**
 * The kept measurement, or a fresh one (then kept): the reuse decision in one call. `decided` hears
 * it before any measuring (null: measuring now), so that progress can say which.
 */
export async function measuredOrReused<T>(
  source: MachineSource | undefined,
  kind: KeptKind,
  key: string,
  measure: () => Promise<T>,
  decided?: (reused: Provenance | null) => void,
): Promise<{ value: T; provenance: Provenance }> {
  const found = recallMeasurement(source, key);
  decided?.(found?.provenance ?? null);
  if (found !== null) return { value: found.value as T, provenance: found.provenance };
  const value = await measure();
  return { value, provenance: keepMeasurement(source, kind, key, value) };
}

/** "40 s", "12 min", "2 h", "3 d": an age at the precision a reader weighs it by. */
export function formatAge(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** "run 3", or "an earlier recommend" when the run that measured it was not stored yet. */
export function measuredBy(runId: number | null): string {
  return runId === null ? 'an earlier recommend' : `run ${runId}`;
}

/** "reused from run 3, 2 h old" or "measured now". */
export function describeProvenance(p: Provenance): string {
  if (!p.reused) return 'measured now';
  return `reused from ${measuredBy(p.runId)}, ${formatAge(p.ageSeconds)} old`;
}
