/**
 * `batchwise report`: the runs of a store as one self-contained HTML file, or each plot as its
 * own SVG or PNG (rendered headless, no browser) under a stable name `run-N-<plot>.svg|png`.
 * The store is opened read-only, so reporting on a sweep while it runs is safe.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { reportHtml } from '../report/html.js';
import { renderPng, renderSvg } from '../report/render.js';
import { plotsForRun, type RunView } from '../report/run-plots.js';
import { requireRun } from '../store/export.js';
import { Store } from '../store/store.js';
import { EXIT } from './parse.js';
import type { ReportOptions } from './report-options.js';

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

function writeAtomic(path: string, data: string | Buffer, what: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UserError(`${what} ${path}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a writable path`);
  }
}

export async function reportCommand(o: ReportOptions): Promise<number> {
  if (o.db === undefined) throw new UserError('--db is required: the SQLite file a sweep, recommend, fit, noise or train --db run wrote (e.g. --db runs/batchwise.db)');
  const out = o.out ?? (o.format === 'html' ? 'report.html' : 'report-plots');
  if (resolve(out) === resolve(o.db)) throw new UserError(`--out ${out} is the --db store itself; give --out another path`);
  if (o.format === 'html' && isDir(out)) throw new UserError(`--out ${out} is a folder; --format html writes one file: give a file name such as ${join(out, 'report.html')}`);
  if (o.format !== 'html' && existsSync(out) && !isDir(out)) throw new UserError(`--out ${out} is a file; --format ${o.format} writes one file per plot into a folder: give a folder name`);
  const store = Store.openReadOnly(o.db);
  let views: RunView[];
  try {
    const runs = o.run === undefined ? store.listRuns() : [requireRun(store, o.run)];
    if (runs.length === 0) throw new UserError(`${o.db} has no runs yet; make one with batchwise sweep, recommend, fit --db or noise --db`);
    views = runs.map((r) => plotsForRun(store, r.id));
  } finally {
    store.close();
  }
  const plots = views.reduce((n, v) => n + v.plots.length, 0);
  if (o.format === 'html') {
    writeAtomic(out, reportHtml(views, { source: o.db, generatedAt: new Date().toISOString().slice(0, 19).replace('T', ' ') + ' UTC' }), '--out');
    process.stdout.write(`wrote ${out}: ${views.length} run(s), ${plots} plot(s); open it in a browser (it needs no network)\n`);
    return EXIT.ok;
  }
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new UserError(`--out ${out}: cannot make that folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a writable folder`);
  }
  const written: string[] = [];
  for (const v of views) {
    for (const p of v.plots) {
      const file = join(out, `run-${v.run.id}-${p.name}.${o.format}`);
      // A file stands alone (slides, papers), so it carries its title; the HTML shows titles beside the plot instead.
      const spec = { ...p.spec, title: { text: p.title, anchor: 'start' as const, fontSize: 14 } };
      writeAtomic(file, o.format === 'svg' ? await renderSvg(spec) : await renderPng(spec), '--out');
      written.push(file);
    }
  }
  process.stdout.write(written.length === 0 ? `no plots to write: the run(s) have stored no trials, probes or noise measurements yet\n` : `${written.join('\n')}\n`);
  return EXIT.ok;
}
