/**
 * The store's row types, as callers see them, and their mapping from SQLite's rows (snake_case
 * columns, JSON as text, NaN stored as NULL).
 */
export type RunKind = 'sweep' | 'recommend' | 'fit' | 'noise' | 'train' | 'lab';
export type RunStatus = 'running' | 'finished' | 'interrupted' | 'failed';
export type TrialStatus = 'target-reached' | 'completed' | 'diverged' | 'budget' | 'pruned' | 'stalled' | 'failed';

export interface RunRow {
  readonly id: number;
  readonly kind: RunKind;
  /** Identity: a hash or JSON of the command's trajectory-defining settings. */
  readonly key: string;
  readonly label: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly status: RunStatus;
  readonly config: unknown;
  readonly summary: unknown | null;
  /** The work in progress while the run is running (for live readers), or null. */
  readonly progress: unknown | null;
}

export interface TrialRow {
  readonly runId: number;
  /** Unique within its run; what a resumed run checks to skip the trial. */
  readonly key: string;
  readonly batchSize: number;
  readonly iterSize: number;
  readonly lr: number;
  readonly seed: number;
  readonly status: TrialStatus;
  readonly stepsToTarget: number | null;
  readonly epochsToTarget: number | null;
  readonly secondsToTarget: number | null;
  readonly samplesPerSec: number;
  readonly bestValAccuracy: number;
  readonly finalValAccuracy: number;
  readonly testAccuracy: number | null;
  readonly steps: number;
  readonly epochs: number;
  readonly trainSeconds: number;
  readonly detail: unknown;
  /** The machine that trained it (os.hostname()); absent or null: the process that stored it. */
  readonly host?: string | null;
}

/** One change an adaptive batch size made during training (schema.ts, version 4). */
export interface BatchChangeRow {
  /** Updates done before the change took effect. */
  readonly step: number;
  /** Training examples seen before the change took effect. */
  readonly examples: number;
  readonly microBatch: number;
  readonly iterSize: number;
  readonly lr: number;
  /** The noise scale the change was based on (NaN: none measured yet). */
  readonly bNoise: number;
  /** Why, in a few words (e.g. "start", "goodput", "memory"). */
  readonly reason: string;
}

export interface EpochMetricRow {
  readonly step: number;
  readonly epochs: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly valAccuracy: number;
  readonly trainSeconds: number;
  readonly samplesPerSec: number;
}

export interface ProbeRow {
  readonly batchSize: number;
  readonly ok: boolean;
  readonly peakBytes: number | null;
  readonly reason: string | null;
  readonly seconds: number;
}

export interface NoiseRow {
  readonly step: number;
  readonly epochs: number;
  readonly trainLoss: number;
  readonly bSmall: number;
  readonly bBig: number;
  readonly gradSq: number;
  readonly traceSigma: number;
  readonly bSimple: number;
  readonly bSimpleLow: number;
  readonly bSimpleHigh: number;
}

/** The machine's own measurements, and what recommend's bounded stages measured on the data (version 5). */
export type MachineKind = 'matmul' | 'throughput' | 'memory' | 'range-test' | 'pilot';

/** A measurement kept for reuse (schema.ts, versions 3 and 5). */
export interface MachineRow {
  readonly key: string;
  readonly kind: MachineKind;
  /** ISO 8601, UTC: when it was measured. */
  readonly createdAt: string;
  /** The run that measured it, once stored; null before, or after that run was deleted. */
  readonly runId: number | null;
  readonly value: unknown;
}

/** A number column that the row type declares non-null: SQLite turned NaN into NULL. */
const num = (v: number | null): number => (v === null ? NaN : v);
export const json = (v: unknown): string => JSON.stringify(v ?? null);
const parse = (text: string | null): unknown => (text === null ? null : (JSON.parse(text) as unknown));

/**
 * JSON that keeps ±Infinity and NaN, which plain JSON turns into null: a kept measurement must
 * read back as it was measured (a pilot's noise interval can be unbounded above). They are
 * written as {"$number": "Infinity"} and read back as numbers.
 */
export const keptJson = (v: unknown): string => JSON.stringify(v ?? null, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? { $number: String(x) } : x));
const parseKept = (text: string): unknown =>
  JSON.parse(text, (_k, x: unknown) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
    const keys = Object.keys(x);
    const n = (x as { $number?: unknown }).$number;
    return keys.length === 1 && (n === 'Infinity' || n === '-Infinity' || n === 'NaN') ? Number(n) : x;
  }) as unknown;

export interface RunDb { id: number; kind: RunKind; key: string; label: string; created_at: string; finished_at: string | null; status: RunStatus; config: string; summary: string | null; progress: string | null }
type Nums<K extends string> = { [P in K]: number | null };
export type TrialDb = { run_id: number; key: string; batch_size: number; iter_size: number; lr: number; seed: number; status: TrialStatus; steps: number; detail: string; host: string | null } & Nums<
  'steps_to_target' | 'epochs_to_target' | 'seconds_to_target' | 'samples_per_sec' | 'best_val_accuracy' | 'final_val_accuracy' | 'test_accuracy' | 'epochs' | 'train_seconds'
>;
export type MetricDb = { step: number } & Nums<'epochs' | 'train_loss' | 'val_loss' | 'val_accuracy' | 'train_seconds' | 'samples_per_sec'>;
export type ProbeDb = { batch_size: number; ok: number; peak_bytes: number | null; reason: string | null; seconds: number | null };
export type NoiseDb = { step: number } & Nums<'epochs' | 'train_loss' | 'b_small' | 'b_big' | 'grad_sq' | 'trace_sigma' | 'b_simple' | 'b_simple_low' | 'b_simple_high'>;

export type MachineDb = { key: string; kind: MachineKind; created_at: string; run_id: number | null; value: string };

export const toMachine = (r: MachineDb): MachineRow => ({ key: r.key, kind: r.kind, createdAt: r.created_at, runId: r.run_id, value: parseKept(r.value) });

export const toRun = (r: RunDb): RunRow => ({
  id: r.id,
  kind: r.kind,
  key: r.key,
  label: r.label,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  status: r.status,
  config: parse(r.config),
  summary: parse(r.summary),
  progress: parse(r.progress),
});

export const toTrial = (r: TrialDb): TrialRow => ({
  runId: r.run_id,
  key: r.key,
  batchSize: r.batch_size,
  iterSize: r.iter_size,
  lr: r.lr,
  seed: r.seed,
  status: r.status,
  stepsToTarget: r.steps_to_target,
  epochsToTarget: r.epochs_to_target,
  secondsToTarget: r.seconds_to_target,
  samplesPerSec: num(r.samples_per_sec),
  bestValAccuracy: num(r.best_val_accuracy),
  finalValAccuracy: num(r.final_val_accuracy),
  testAccuracy: r.test_accuracy,
  steps: r.steps,
  epochs: num(r.epochs),
  trainSeconds: num(r.train_seconds),
  detail: parse(r.detail),
  // Absent rather than null when unknown, so a trial stored without a host reads back as written.
  ...(r.host === null ? {} : { host: r.host }),
});

export type BatchChangeDb = { step: number; examples: number; micro_batch: number; iter_size: number; lr: number; b_noise: number | null; reason: string };

export const toBatchChange = (r: BatchChangeDb): BatchChangeRow => ({
  step: r.step,
  examples: r.examples,
  microBatch: r.micro_batch,
  iterSize: r.iter_size,
  lr: r.lr,
  bNoise: num(r.b_noise),
  reason: r.reason,
});

export const toMetric = (r: MetricDb): EpochMetricRow => ({
  step: r.step,
  epochs: num(r.epochs),
  trainLoss: num(r.train_loss),
  valLoss: num(r.val_loss),
  valAccuracy: num(r.val_accuracy),
  trainSeconds: num(r.train_seconds),
  samplesPerSec: num(r.samples_per_sec),
});

export const toProbe = (r: ProbeDb): ProbeRow => ({ batchSize: r.batch_size, ok: r.ok === 1, peakBytes: r.peak_bytes, reason: r.reason, seconds: num(r.seconds) });

export const toNoise = (r: NoiseDb): NoiseRow => ({
  step: r.step,
  epochs: num(r.epochs),
  trainLoss: num(r.train_loss),
  bSmall: num(r.b_small),
  bBig: num(r.b_big),
  gradSq: num(r.grad_sq),
  traceSigma: num(r.trace_sigma),
  bSimple: num(r.b_simple),
  bSimpleLow: num(r.b_simple_low),
  bSimpleHigh: num(r.b_simple_high),
});
