/**
 * The dashboard's routes as a function from (method, raw URL) to a response, with no socket, so
 * every answer (including every refusal) is tested directly. Each route reads the store in a few
 * short statements and keeps no state: the store is the only truth, and a reader never holds a
 * transaction open while the writer works (SQLite WAL: readers do not block the writer).
 *
 * The paths are a closed set matched exactly. There is no file serving, so a traversal cannot
 * reach a file; it is still refused by name (400) so that a probe learns nothing from a 404.
 */
import { plotsForRun } from '../report/run-plots.js';
import type { Store } from '../store/store.js';
import { indexPage, runPage } from './pages.js';

export interface Reply {
  readonly status: number;
  readonly type: 'html' | 'json' | 'text';
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const text = (status: number, body: string, headers?: Record<string, string>): Reply => ({ status, type: 'text', body: `${body}\n`, ...(headers ? { headers } : {}) });
const json = (value: unknown): Reply => ({ status: 200, type: 'json', body: JSON.stringify(value, finiteOrNull) });

/** JSON has no NaN or infinities: they travel as null (the store reads a NULL column as NaN). */
function finiteOrNull(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

/** A path segment or query value that is a run id or a cursor: plain decimal digits, safe as an integer. */
function wholeNumber(s: string, min: number): number | null {
  if (!/^\d{1,15}$/.test(s)) return null;
  const v = Number(s);
  return v >= min ? v : null;
}

/** `..`, a dot or slash smuggled in percent-encoded, a backslash, a NUL: never a route of ours. */
const TRAVERSAL = /(^|\/)\.\.?(\/|$)|%2e|%2f|%5c|%00|\\/i;

export function route(store: Store, method: string, rawUrl: string): Reply {
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'only GET and HEAD are served', { Allow: 'GET, HEAD' });
  if (!rawUrl.startsWith('/')) return text(400, 'bad request target');
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  if (TRAVERSAL.test(path)) return text(400, 'bad path');
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  } catch {
    return text(400, 'bad query');
  }
  const parts = path.split('/').slice(1);

  if (path === '/') return { status: 200, type: 'html', body: indexPage(runsList(store)) };
  if (path === '/api/runs') return json({ runs: runsList(store) });
  if (parts[0] === 'runs' && parts.length === 2) {
    const id = runId(store, parts[1]!);
    if (typeof id !== 'number') return id;
    return { status: 200, type: 'html', body: runPage(store.getRun(id)!) };
  }
  if (parts[0] === 'api' && parts[1] === 'runs' && (parts.length === 3 || (parts.length === 4 && parts[3] === 'trials'))) {
    const id = runId(store, parts[2]!);
    if (typeof id !== 'number') return id;
    if (parts.length === 3) return json(plotsForRun(store, id));
    const afters = query.getAll('after');
    if (afters.length > 1) return text(400, 'give "after" once');
    const after = afters.length === 0 ? 0 : wholeNumber(afters[0]!, 0);
    if (after === null) return text(400, '"after" must be a trial cursor: a whole number ≥ 0');
    return json(trialsAfter(store, id, after));
  }
  return text(404, 'not found');
}

function runId(store: Store, segment: string): number | Reply {
  const id = wholeNumber(segment, 1);
  if (id === null || store.getRun(id) === undefined) return text(404, 'no such run');
  return id;
}

export interface RunListItem {
  readonly id: number;
  readonly kind: string;
  readonly label: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly status: string;
  readonly progress: unknown;
  readonly trials: number;
}

export function runsList(store: Store): RunListItem[] {
  const counts = store.trialCounts();
  return store.listRuns().map((r) => ({
    id: r.id,
    kind: r.kind,
    label: r.label,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    status: r.status,
    progress: r.progress,
    trials: counts.get(r.id) ?? 0,
  }));
}

/**
 * What a polling page needs: the trials after its cursor (with their ids; the last is the next
 * cursor) and the run's status and trial in progress. The run is read first: a trial recorded
 * between the two reads then shows as new, never as lost.
 */
function trialsAfter(store: Store, runId: number, after: number) {
  const run = store.getRun(runId)!;
  const rows = store.trialsAfter(runId, after);
  return {
    status: run.status,
    finishedAt: run.finishedAt,
    progress: run.progress,
    cursor: rows.length === 0 ? after : rows[rows.length - 1]!.id,
    trials: rows.map((r) => ({ id: r.id, ...r.trial })),
  };
}
