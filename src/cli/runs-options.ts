/** The `runs` command's options. */
import { z } from 'zod';
import { EXPORT_FORMATS, EXPORT_TABLES } from '../store/export.js';
import { intAtLeast, oneOf, type Decls } from './options.js';

const text = z.string().min(1);

export const runsDecls = {
  db: { flag: '--db <file>', help: 'the SQLite store that sweep, fit, noise and recommend wrote (required)', schema: text },
  run: { flag: '--run <id>', help: 'show this run\u2019s trials (ids from the listing)', schema: intAtLeast(1) },
  export: { flag: '--export <format>', help: `print a table instead: ${EXPORT_FORMATS.join(' or ')}`, schema: oneOf(EXPORT_FORMATS) },
  table: { flag: '--table <name>', help: `the table to export: ${EXPORT_TABLES.join(', ')} (default: trials with --run, else runs)`, schema: oneOf(EXPORT_TABLES) },
  out: { flag: '--out <file>', help: 'write the export to this file (atomically) instead of stdout', schema: text },
} satisfies Decls;
