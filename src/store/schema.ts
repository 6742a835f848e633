/**
 * The store's SQLite file: opening it, recognising it, and its schema by version.
 *
 * `PRAGMA user_version` is the schema version and `PRAGMA application_id` marks the file as a
 * batchwise store. `MIGRATIONS[v]` takes a file from version v to v + 1, so a later version adds
 * one entry and old files upgrade on open, each step in its own transaction.
 *
 * Durability: WAL journal with `synchronous = FULL`. WAL plus transactions alone make every
 * commit atomic, so a process killed at any moment leaves the file consistent either way; FULL
 * also syncs the WAL at each commit, so a power cut cannot lose a finished trial. A commit here
 * follows seconds to minutes of training, so that sync costs nothing a user could notice, while a
 * lost trial costs its whole training time again.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';

export type Db = Database.Database;

/** "bwst" in ASCII: what `PRAGMA application_id` holds in a batchwise store. */
export const APPLICATION_ID = 0x62777374;
export const SCHEMA_VERSION = 5;
/** How long a writer waits for another connection's lock before giving up. */
export const BUSY_TIMEOUT_MS = 10_000;

/**
 * Reals that the row types declare as plain numbers are nullable columns: SQLite stores NaN (a
 * diverged loss) as NULL, and the store reads NULL back as NaN.
 */
const V1 = `
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('sweep', 'recommend', 'fit', 'noise')),
  key         TEXT NOT NULL,
  label       TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted', 'failed')),
  config      TEXT NOT NULL,
  summary     TEXT,
  UNIQUE (kind, key)
);
CREATE TABLE trials (
  id                 INTEGER PRIMARY KEY,
  run_id             INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key                TEXT NOT NULL,
  batch_size         INTEGER NOT NULL,
  iter_size          INTEGER NOT NULL,
  lr                 REAL NOT NULL,
  seed               INTEGER NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('target-reached', 'completed', 'diverged', 'budget', 'pruned')),
  steps_to_target    INTEGER,
  epochs_to_target   REAL,
  seconds_to_target  REAL,
  samples_per_sec    REAL,
  best_val_accuracy  REAL,
  final_val_accuracy REAL,
  test_accuracy      REAL,
  steps              INTEGER NOT NULL,
  epochs             REAL,
  train_seconds      REAL,
  detail             TEXT NOT NULL,
  UNIQUE (run_id, key)
);
CREATE INDEX trials_by_run_batch ON trials (run_id, batch_size, lr, seed);
CREATE TABLE metrics (
  trial_id        INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  step            INTEGER NOT NULL,
  epochs          REAL,
  train_loss      REAL,
  val_loss        REAL,
  val_accuracy    REAL,
  train_seconds   REAL,
  samples_per_sec REAL,
  PRIMARY KEY (trial_id, seq)
) WITHOUT ROWID;
CREATE TABLE probes (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  batch_size INTEGER NOT NULL,
  ok         INTEGER NOT NULL CHECK (ok IN (0, 1)),
  peak_bytes INTEGER,
  reason     TEXT,
  seconds    REAL
);
CREATE INDEX probes_by_run ON probes (run_id, id);
CREATE TABLE noise (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step          INTEGER NOT NULL,
  epochs        REAL,
  train_loss    REAL,
  b_small       REAL,
  b_big         REAL,
  grad_sq       REAL,
  trace_sigma   REAL,
  b_simple      REAL,
  b_simple_low  REAL,
  b_simple_high REAL
);
CREATE INDEX noise_by_run ON noise (run_id, id);
`;

/**
 * Version 2: plain training runs ('train') and lab experiments ('lab') are runs too; a trial can
 * stop as 'stalled' (dead, not diverged); a run keeps the trial in progress (`progress`, JSON) so
 * that a reader in another process can show it live. SQLite cannot alter a CHECK, so runs and
 * trials are rebuilt (foreign keys are off while migrating; ids are kept).
 */
const V2 = `
CREATE TABLE runs_v2 (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('sweep', 'recommend', 'fit', 'noise', 'train', 'lab')),
  key         TEXT NOT NULL,
  label       TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted', 'failed')),
  config      TEXT NOT NULL,
  summary     TEXT,
  progress    TEXT,
  UNIQUE (kind, key)
);
INSERT INTO runs_v2 (id, kind, key, label, created_at, finished_at, status, config, summary)
  SELECT id, kind, key, label, created_at, finished_at, status, config, summary FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v2 RENAME TO runs;
CREATE TABLE trials_v2 (
  id                 INTEGER PRIMARY KEY,
  run_id             INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key                TEXT NOT NULL,
  batch_size         INTEGER NOT NULL,
  iter_size          INTEGER NOT NULL,
  lr                 REAL NOT NULL,
  seed               INTEGER NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('target-reached', 'completed', 'diverged', 'budget', 'pruned', 'stalled')),
  steps_to_target    INTEGER,
  epochs_to_target   REAL,
  seconds_to_target  REAL,
  samples_per_sec    REAL,
  best_val_accuracy  REAL,
  final_val_accuracy REAL,
  test_accuracy      REAL,
  steps              INTEGER NOT NULL,
  epochs             REAL,
  train_seconds      REAL,
  detail             TEXT NOT NULL,
  UNIQUE (run_id, key)
);
INSERT INTO trials_v2 SELECT * FROM trials;
DROP TABLE trials;
ALTER TABLE trials_v2 RENAME TO trials;
CREATE INDEX trials_by_run_batch ON trials (run_id, batch_size, lr, seed);
`;

/**
 * Version 3: measurements of the machine (the MatMul rate, a throughput curve, a memory fit),
 * kept under a key of everything they depend on (machine, threads, versions, model, data shape,
 * optimizer) so that a later recommend reuses them. A measurement outlives the run that made it
 * (run_id is then NULL), and one made before its run was stored has none yet.
 */
const V3 = `
CREATE TABLE machine (
  id         INTEGER PRIMARY KEY,
  key        TEXT NOT NULL UNIQUE,
  kind       TEXT NOT NULL CHECK (kind IN ('matmul', 'throughput', 'memory')),
  created_at TEXT NOT NULL,
  run_id     INTEGER REFERENCES runs (id) ON DELETE SET NULL,
  value      TEXT NOT NULL
);
`;

/**
 * Version 4: a trial can end 'failed' (a queued trial whose worker threw on every retry; the error
 * is in its detail) and records the host that ran it (NULL: this process, before version 4); a
 * batch size that adapts during training logs each change it made (`batch_changes`, one row per
 * change, keyed by run, trial key ('' for a plain training run) and sequence so that a resumed run
 * rewrites rather than duplicates what it logged before).
 */
const V4 = `
CREATE TABLE trials_v4 (
  id                 INTEGER PRIMARY KEY,
  run_id             INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key                TEXT NOT NULL,
  batch_size         INTEGER NOT NULL,
  iter_size          INTEGER NOT NULL,
  lr                 REAL NOT NULL,
  seed               INTEGER NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('target-reached', 'completed', 'diverged', 'budget', 'pruned', 'stalled', 'failed')),
  steps_to_target    INTEGER,
  epochs_to_target   REAL,
  seconds_to_target  REAL,
  samples_per_sec    REAL,
  best_val_accuracy  REAL,
  final_val_accuracy REAL,
  test_accuracy      REAL,
  steps              INTEGER NOT NULL,
  epochs             REAL,
  train_seconds      REAL,
  detail             TEXT NOT NULL,
  host               TEXT,
  UNIQUE (run_id, key)
);
INSERT INTO trials_v4 (id, run_id, key, batch_size, iter_size, lr, seed, status, steps_to_target, epochs_to_target, seconds_to_target,
    samples_per_sec, best_val_accuracy, final_val_accuracy, test_accuracy, steps, epochs, train_seconds, detail)
  SELECT id, run_id, key, batch_size, iter_size, lr, seed, status, steps_to_target, epochs_to_target, seconds_to_target,
    samples_per_sec, best_val_accuracy, final_val_accuracy, test_accuracy, steps, epochs, train_seconds, detail FROM trials;
DROP TABLE trials;
ALTER TABLE trials_v4 RENAME TO trials;
CREATE INDEX trials_by_run_batch ON trials (run_id, batch_size, lr, seed);
CREATE TABLE batch_changes (
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  trial_key   TEXT NOT NULL DEFAULT '',
  seq         INTEGER NOT NULL,
  step        INTEGER NOT NULL,
  examples    INTEGER NOT NULL,
  micro_batch INTEGER NOT NULL,
  iter_size   INTEGER NOT NULL,
  lr          REAL NOT NULL,
  b_noise     REAL,
  reason      TEXT NOT NULL,
  PRIMARY KEY (run_id, trial_key, seq)
) WITHOUT ROWID;
`;

/**
 * Version 5: besides the machine's measurements, recommend keeps what its bounded stages measured
 * on the data (the rate range test, and each rate's bounded pilot), under a key of everything
 * they depend on, the data's fingerprint included, so that a second recommend on the same model
 * and data reuses them. SQLite cannot alter a CHECK, so the table is rebuilt with its ids.
 */
const V5 = `
CREATE TABLE machine_v5 (
  id         INTEGER PRIMARY KEY,
  key        TEXT NOT NULL UNIQUE,
  kind       TEXT NOT NULL CHECK (kind IN ('matmul', 'throughput', 'memory', 'range-test', 'pilot')),
  created_at TEXT NOT NULL,
  run_id     INTEGER REFERENCES runs (id) ON DELETE SET NULL,
  value      TEXT NOT NULL
);
INSERT INTO machine_v5 SELECT id, key, kind, created_at, run_id, value FROM machine;
DROP TABLE machine;
ALTER TABLE machine_v5 RENAME TO machine;
`;

/** `MIGRATIONS[v]` upgrades a file at schema version v to v + 1. */
export const MIGRATIONS: readonly string[] = [V1, V2, V3, V4, V5];

const TABLES = ['runs', 'trials', 'metrics', 'probes', 'noise', 'machine', 'batch_changes'];

export interface OpenOptions {
  readonly readOnly: boolean;
}

/**
 * Opens (or, unless read-only, creates and upgrades) a store file. Every way the file can be
 * wrong for us is a UserError naming the path and what to do.
 */
export function openDatabase(path: string, o: OpenOptions): Db {
  if (o.readOnly && !existsSync(path)) {
    throw new UserError(`--db ${path}: no such file; give the file a sweep, fit, noise, recommend, train or lab run wrote with --db`);
  }
  let db: Db | undefined;
  try {
    if (!o.readOnly) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, o.readOnly ? { readonly: true, fileMustExist: true } : {});
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    checkIdentity(db, path, o.readOnly);
    if (!o.readOnly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db);
    }
    db.pragma('foreign_keys = ON');
    return db;
  } catch (e) {
    db?.close();
    throw asUserError(e, path);
  }
}

function checkIdentity(db: Db, path: string, readOnly: boolean): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = (db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all() as string[]).filter((t) => !t.startsWith('sqlite_'));
  const ours = appId === APPLICATION_ID || (appId === 0 && tables.length === 0 && version === 0);
  if (!ours) {
    const what = tables.length > 0 ? `its tables are ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}` : 'it is another application\u2019s';
    throw new UserError(`--db ${path}: a SQLite database but not a batchwise store (${what}); give --db a new file name or a store batchwise wrote`);
  }
  if (version > SCHEMA_VERSION) {
    throw new UserError(`--db ${path}: written by a newer batchwise (store schema version ${version}, this one reads up to ${SCHEMA_VERSION}); upgrade batchwise or give --db another file`);
  }
  if (readOnly && version < SCHEMA_VERSION) {
    const why = version === 0 ? 'an empty store with no runs yet' : `store schema version ${version}, older than ${SCHEMA_VERSION}`;
    throw new UserError(`--db ${path}: ${why}; ${version === 0 ? 'run a sweep, fit, noise, recommend, train or lab with this --db first' : 'run any writing command (sweep, fit, noise, recommend, train, lab) with this --db once to upgrade it'}`);
  }
  if (version === SCHEMA_VERSION) {
    const missing = TABLES.filter((t) => !tables.includes(t));
    if (missing.length > 0) throw new UserError(`--db ${path}: a damaged batchwise store (missing tables ${missing.join(', ')}); give --db a new file name`);
  }
}

function migrate(db: Db): void {
  // better-sqlite3 turns foreign keys on by default; a rebuilt table's DROP would then cascade.
  db.pragma('foreign_keys = OFF');
  let version = db.pragma('user_version', { simple: true }) as number;
  while (version < SCHEMA_VERSION) {
    const from = version;
    db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      if ((db.pragma('user_version', { simple: true }) as number) !== from) return;
      db.exec(MIGRATIONS[from]!);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${from + 1}`);
    }).immediate();
    version = db.pragma('user_version', { simple: true }) as number;
  }
}

/** SQLite's refusals of the file itself become one-line user errors; anything else stays a bug. */
function asUserError(e: unknown, path: string): unknown {
  if (e instanceof UserError) return e;
  const code = (e as { code?: unknown }).code;
  switch (code) {
    case 'SQLITE_NOTADB':
      return new UserError(`--db ${path}: not a SQLite database (${(e as Error).message}); give --db a new file name or a store batchwise wrote`);
    case 'SQLITE_CORRUPT':
      return new UserError(`--db ${path}: the SQLite file is corrupt (${(e as Error).message}); give --db a new file name`);
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
    case 'SQLITE_IOERR':
    case 'EACCES':
    case 'ENOTDIR':
    case 'EEXIST':
      return new UserError(`--db ${path}: cannot open it (${(e as Error).message}); give --db a writable file path`);
    case 'SQLITE_BUSY':
      return new UserError(`--db ${path}: locked by another process for over ${BUSY_TIMEOUT_MS / 1000} s; wait for it or give --db another file`);
    default:
      return e;
  }
}
