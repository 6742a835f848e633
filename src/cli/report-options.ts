/** The `report` command's options. */
import { z } from 'zod';
import { intAtLeast, oneOf, type Decls, type Parsed } from './options.js';

export const REPORT_FORMATS = ['html', 'svg', 'png'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const text = z.string().min(1);

export const reportDecls = {
  db: { flag: '--db <file>', help: 'the SQLite store that sweep, recommend, fit, noise or train --db wrote (required)', schema: text },
  run: { flag: '--run <id>', help: 'report this run only (ids from batchwise runs); default: every run in the store, newest first', schema: intAtLeast(1) },
  format: { flag: '--format <f>', help: 'html: one self-contained file (opens offline); svg or png: one file per plot in the --out folder', schema: oneOf(REPORT_FORMATS), default: 'html' },
  out: { flag: '--out <path>', help: 'the HTML file to write (default report.html; an older report there is replaced), or the folder for svg/png (default report-plots; plots of the same name are replaced)', schema: text },
} satisfies Decls;

export type ReportOptions = Parsed<typeof reportDecls>;

/** The command that shows a stored run, as the commands that store one print it at their end. */
export const reportCommandLine = (db: string, runId: number): string => `batchwise report --db ${/^[\w./:@%+,-]+$/.test(db) ? db : `'${db.replace(/'/g, `'\\''`)}'`} --run ${runId} --out run-${runId}.html`;
