/**
 * Export of one store table, for one run or for all, as CSV (RFC 4180; JSON columns as their JSON
 * text) or as a JSON array of objects (JSON columns nested). Column names are the row types'
 * field names, the same in both formats. In JSON, a NaN or infinite number becomes null, as
 * JSON.stringify writes it; CSV keeps `NaN` and `Infinity`.
 */
import { UserError } from '../errors.js';
import { toCsv, type CsvCell } from './csv.js';
import type { EpochMetricRow, NoiseRow, ProbeRow, RunRow, Store, TrialRow } from './store.js';

export type ExportFormat = 'csv' | 'json';
export type ExportTable = 'runs' | 'trials' | 'metrics' | 'probes' | 'noise';
export const EXPORT_FORMATS = ['csv', 'json'] as const satisfies readonly ExportFormat[];
export const EXPORT_TABLES = ['runs', 'trials', 'metrics', 'probes', 'noise'] as const satisfies readonly ExportTable[];

type Row = Record<string, unknown>;
export interface TableRows {
  readonly columns: readonly string[];
  /** Columns that hold JSON documents: text in CSV, nested in JSON. */
  readonly json: readonly string[];
  readonly rows: readonly Row[];
}
interface Table {
  readonly columns: readonly string[];
  /** Columns that hold JSON documents: text in CSV, nested in JSON. */
  readonly json: readonly string[];
  readonly rows: (store: Store, run: RunRow) => Row[];
}

const TRIAL_COLUMNS = [
  'runId', 'key', 'batchSize', 'iterSize', 'lr', 'seed', 'status', 'stepsToTarget', 'epochsToTarget', 'secondsToTarget',
  'samplesPerSec', 'bestValAccuracy', 'finalValAccuracy', 'testAccuracy', 'steps', 'epochs', 'trainSeconds', 'detail',
] as const satisfies readonly (keyof TrialRow)[];
const METRIC_COLUMNS = ['step', 'epochs', 'trainLoss', 'valLoss', 'valAccuracy', 'trainSeconds', 'samplesPerSec'] as const satisfies readonly (keyof EpochMetricRow)[];
const PROBE_COLUMNS = ['batchSize', 'ok', 'peakBytes', 'reason', 'seconds'] as const satisfies readonly (keyof ProbeRow)[];
const NOISE_COLUMNS = [
  'step', 'epochs', 'trainLoss', 'bSmall', 'bBig', 'gradSq', 'traceSigma', 'bSimple', 'bSimpleLow', 'bSimpleHigh',
] as const satisfies readonly (keyof NoiseRow)[];

const TABLES: Record<ExportTable, Table> = {
  runs: {
    columns: ['id', 'kind', 'key', 'label', 'createdAt', 'finishedAt', 'status', 'trialCount', 'config', 'summary'],
    json: ['config', 'summary'],
    rows: (store, run) => [{ ...run, trialCount: store.trialKeys(run.id).size }],
  },
  trials: { columns: TRIAL_COLUMNS, json: ['detail'], rows: (store, run) => store.trials(run.id) as unknown as Row[] },
  metrics: {
    // Each metric row carries its trial's settings, so one file plots every curve.
    columns: ['runId', 'trialKey', 'batchSize', 'iterSize', 'lr', 'seed', ...METRIC_COLUMNS],
    json: [],
    rows: (store, run) =>
      store.trials(run.id).flatMap((t) =>
        store.metrics(run.id, t.key).map((m) => ({ runId: run.id, trialKey: t.key, batchSize: t.batchSize, iterSize: t.iterSize, lr: t.lr, seed: t.seed, ...m })),
      ),
  },
  probes: { columns: ['runId', ...PROBE_COLUMNS], json: [], rows: (store, run) => store.probes(run.id).map((p) => ({ runId: run.id, ...p })) },
  noise: { columns: ['runId', ...NOISE_COLUMNS], json: [], rows: (store, run) => store.noise(run.id).map((n) => ({ runId: run.id, ...n })) },
};

/** The run with this id, or a UserError that names the store's runs and how to list them. */
export function requireRun(store: Store, runId: number): RunRow {
  const run = store.getRun(runId);
  if (run !== undefined) return run;
  const ids = store.listRuns().map((r) => r.id).reverse();
  const have = ids.length === 0 ? 'it has no runs yet' : `its runs are ${ids.length > 8 ? `${ids.slice(0, 4).join(', ')}, …, ${ids.slice(-2).join(', ')}` : ids.join(', ')}`;
  throw new UserError(`--run ${runId}: no such run in ${store.path} (${have}); list them with batchwise runs --db ${store.path}`);
}

/** The rows of one table: for the given run, or for every run, oldest run first. */
export function tableRows(store: Store, table: ExportTable, runId?: number): TableRows {
  const t = TABLES[table];
  const runs = runId === undefined ? store.listRuns().reverse() : [requireRun(store, runId)];
  return { columns: t.columns, json: t.json, rows: runs.flatMap((run) => t.rows(store, run)) };
}

function cell(v: unknown, isJson: boolean): CsvCell {
  if (isJson) return v === null || v === undefined ? null : JSON.stringify(v);
  if (v === undefined) return null;
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/** One table as CSV or as a JSON array; see the file comment for the two formats. */
export function renderTable(t: TableRows, format: ExportFormat): string {
  const { columns, json, rows } = t;
  if (format === 'json') {
    const ordered = rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
    return JSON.stringify(ordered, null, 2) + '\n';
  }
  const isJson = columns.map((c) => json.includes(c));
  return toCsv(columns, rows.map((r) => columns.map((c, i) => cell(r[c], isJson[i]!))));
}

export function exportTable(store: Store, table: ExportTable, format: ExportFormat, runId?: number): string {
  return renderTable(tableRows(store, table, runId), format);
}
