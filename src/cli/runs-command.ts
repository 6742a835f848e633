/**
 * `batchwise runs`: what a store holds. Without --run, a table of its runs; with --run, that run's
 * trials (and its probes and noise measurements, where it has any); with --export, one table as
 * CSV or JSON, to stdout or atomically to --out. The store is opened read-only, so listing a
 * store while a sweep writes to it is safe.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { renderTable, requireRun, tableRows } from '../store/export.js';
import { Store, type RunRow, type TrialRow } from '../store/store.js';
import type { Parsed } from './options.js';
import { EXIT } from './parse.js';
import type { runsDecls } from './runs-options.js';
import { formatTable } from './table.js';

export type RunsOptions = Parsed<typeof runsDecls>;

export async function runsCommand(o: RunsOptions): Promise<number> {
  if (o.db === undefined) throw new UserError('--db is required: the SQLite file a sweep, fit, noise, recommend, train or lab run wrote (e.g. --db runs.db)');
  if (o.export === undefined) {
    if (o.table !== undefined) throw new UserError(`--table ${o.table} chooses what --export prints; add --export csv or --export json`);
    if (o.out !== undefined) throw new UserError(`--out ${o.out} is where --export writes; add --export csv or --export json`);
  }
  if (o.out !== undefined && resolve(o.out) === resolve(o.db)) throw new UserError(`--out ${o.out} is the --db store itself; give --out another file name`);
  const store = Store.openReadOnly(o.db);
  try {
    if (o.export !== undefined) {
      const table = o.table ?? (o.run === undefined ? 'runs' : 'trials');
      const rows = tableRows(store, table, o.run);
      const text = renderTable(rows, o.export);
      if (o.out === undefined) {
        process.stdout.write(text);
      } else {
        writeAtomic(o.out, text);
        const of = o.run === undefined ? 'every run' : `run ${o.run}`;
        process.stderr.write(`batchwise: wrote ${rows.rows.length} ${table} row(s) of ${of} as ${o.export.toUpperCase()} to ${o.out}\n`);
      }
      return EXIT.ok;
    }
    const lines = o.run === undefined ? listing(store) : runDetail(store, requireRun(store, o.run));
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}

/** Write to a temp file beside the target, then rename: a reader never sees half a file. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing to remove where the folder itself could not be made.
    }
    throw new UserError(`--out ${path}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a writable file path`);
  }
}

const DASH = '–';
/** One line, at most `max` characters. */
export function clip(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}
const when = (iso: string | null) => (iso === null ? DASH : iso.slice(0, 16).replace('T', ' '));
const short = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));
const fixed = (v: number | null, digits: number) => (v === null ? DASH : v.toFixed(digits));
const count = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : String(v));
const pct = (v: number | null) => (v === null ? DASH : Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : String(v));
const mib = (bytes: number | null) => (bytes === null ? DASH : (bytes / 2 ** 20).toFixed(1));

/** A run's summary in a few `key=value` words: nested keys dotted, numbers to 4 significant digits. */
export function briefSummary(summary: unknown, max = 60): string {
  if (summary === null || summary === undefined) return '';
  const words: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') words.push(`${key}=${String(v)}`);
    else if (typeof v === 'number') words.push(`${key}=${short(v)}`);
    else if (Array.isArray(v)) words.push(`${key}=[${v.length}]`);
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, key === '' ? k : `${key}.${k}`);
  };
  if (typeof summary !== 'object' || Array.isArray(summary)) walk(summary, 'summary');
  else walk(summary, '');
  return clip(words.join(' '), max);
}

function listing(store: Store): string[] {
  const runs = store.listRuns();
  if (runs.length === 0) return [`no runs in ${store.path} yet`];
  const trials = store.trialCounts();
  const rows = runs.map((r) => [String(r.id), r.kind, clip(r.label, 40), r.status, when(r.createdAt), String(trials.get(r.id) ?? 0), briefSummary(r.summary)]);
  return [
    ...formatTable(['id', 'kind', 'label', 'status', 'created (UTC)', 'trials', 'summary'], rows, ['r', 'l', 'l', 'l', 'l', 'r', 'l']),
    '',
    `${runs.length} run(s); see one with --run ID, export with --export csv|json [--table ${'runs|trials|metrics|probes|noise'}]`,
  ];
}

function trialCells(t: TrialRow): string[] {
  return [
    String(t.batchSize),
    String(t.iterSize),
    short(t.lr),
    String(t.seed),
    t.status,
    t.stepsToTarget === null ? DASH : String(t.stepsToTarget),
    fixed(t.epochsToTarget, 2),
    fixed(t.secondsToTarget, 1),
    count(t.samplesPerSec),
    pct(t.bestValAccuracy),
  ];
}

function runDetail(store: Store, run: RunRow): string[] {
  const out = [
    `run ${run.id}: ${run.kind} "${clip(run.label, 80)}", ${run.status}; created ${when(run.createdAt)} UTC, finished ${when(run.finishedAt)}`,
    `config: ${clip(JSON.stringify(run.config), 160)}`,
  ];
  if (run.summary !== null) out.push(`summary: ${clip(JSON.stringify(run.summary), 160)}`);
  const trials = store.trials(run.id);
  const probes = store.probes(run.id);
  const noise = store.noise(run.id);
  if (trials.length > 0 || run.kind === 'sweep' || run.kind === 'recommend') {
    out.push('', `trials: ${trials.length}`);
    if (trials.length > 0) {
      const head = ['batch', 'iter', 'lr', 'seed', 'status', 'steps→target', 'epochs→target', 's→target', 'samples/s', 'best val acc'];
      out.push(...formatTable(head, trials.map(trialCells), ['r', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r']));
    }
  }
  if (probes.length > 0) {
    out.push('', `memory probes: ${probes.length}, in the order run`);
    const rows = probes.map((p) => [String(p.batchSize), p.ok ? 'yes' : 'no', mib(p.peakBytes), fixed(p.seconds, 2), p.reason === null ? '' : clip(p.reason, 60)]);
    out.push(...formatTable(['batch', 'fits', 'peak MiB', 'seconds', 'reason'], rows, ['r', 'l', 'r', 'r', 'l']));
  }
  if (noise.length > 0) {
    const last = noise[noise.length - 1]!;
    out.push(
      '',
      `noise scale: ${noise.length} measurement(s); last at step ${last.step}: B_simple ${short(last.bSimple)} (${short(last.bSimpleLow)}–${short(last.bSimpleHigh)}), ` +
        `B_small ${last.bSmall}, B_big ${last.bBig}; all with --export csv --table noise`,
    );
  }
  return out;
}
