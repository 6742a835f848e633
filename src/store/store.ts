/**
 * The advisor's store: runs (a sweep, a recommendation, a memory fit, a noise measurement), the
 * trials of a sweep with their per-evaluation metrics, memory probes and noise measurements, in
 * one SQLite file (see schema.ts for the file, its versions and its durability).
 *
 * A run is found again by its kind and identity key, so rerunning a command resumes its run. Each
 * trial is written with all its metrics in one transaction, and a trial already stored is
 * refused, so a resumed sweep can never count one twice nor leave one half written.
 */
import { assert } from '../errors.js';
import { json, keptJson, toBatchChange, toMachine, toMetric, toNoise, toProbe, toRun, toTrial, type BatchChangeDb, type BatchChangeRow, type EpochMetricRow, type MachineDb, type MachineKind, type MachineRow, type MetricDb, type NoiseDb, type NoiseRow, type ProbeDb, type ProbeRow, type RunDb, type RunKind, type RunRow, type RunStatus, type TrialDb, type TrialRow } from './rows.js';
import { openDatabase, type Db } from './schema.js';

export type { BatchChangeRow, EpochMetricRow, MachineKind, MachineRow, NoiseRow, ProbeRow, RunKind, RunRow, RunStatus, TrialRow, TrialStatus } from './rows.js';

export interface OpenRunResult {
  /** The run as it is now: status 'running', not finished. */
  readonly run: RunRow;
  readonly created: boolean;
  /** For a run found again: its status before this open (e.g. 'interrupted'); null when created. */
  readonly previousStatus: RunStatus | null;
}

export class Store {
  private constructor(
    private readonly db: Db,
    /** The path the store was opened with, for messages. */
    readonly path: string,
  ) {}

  /** Opens or creates the store (and its folder), upgrading an older schema. */
  static open(path: string): Store {
    return new Store(openDatabase(path, { readOnly: false }), path);
  }

  /** Opens an existing store for reading; a missing or foreign file is a UserError naming the path. */
  static openReadOnly(path: string): Store {
    return new Store(openDatabase(path, { readOnly: true }), path);
  }

  close(): void {
    this.db.close();
  }

  /**
   * The run of this kind with this identity key, created if absent. A run found again is marked
   * 'running' (and unfinished) again, since the caller is about to continue it; its label and
   * config stay as first stored.
   */
  openRun(kind: RunKind, key: string, label: string, config: unknown): OpenRunResult {
    return this.db
      .transaction((): OpenRunResult => {
        const found = this.db.prepare<[RunKind, string], RunDb>('SELECT * FROM runs WHERE kind = ? AND key = ?').get(kind, key);
        if (found !== undefined) {
          this.db.prepare(`UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?`).run(found.id);
          return { run: this.getRun(found.id)!, created: false, previousStatus: found.status };
        }
        const { lastInsertRowid } = this.db
          .prepare(`INSERT INTO runs (kind, key, label, created_at, status, config) VALUES (?, ?, ?, ?, 'running', ?)`)
          .run(kind, key, label, new Date().toISOString(), json(config));
        return { run: this.getRun(Number(lastInsertRowid))!, created: true, previousStatus: null };
      })
      .immediate();
  }

  finishRun(runId: number, status: RunStatus, summary: unknown): void {
    const { changes } = this.db
      .prepare('UPDATE runs SET status = ?, finished_at = ?, summary = ?, progress = NULL WHERE id = ?')
      .run(status, status === 'running' ? null : new Date().toISOString(), summary === undefined ? null : json(summary), runId);
    assert(changes === 1, `finishRun: no run ${runId}`);
  }

  /**
   * What a running run is doing now (null when nothing), for readers in other processes.
   *
   * Committed without a sync (synchronous = NORMAL for this one statement): progress is a hint
   * rewritten every second or so, a crash can lose at most the latest one (WAL keeps the file
   * consistent either way), and the next trial's FULL commit syncs it with the trial. A sync per
   * hint measured about 8 ms, a few times per trial of a fast sweep.
   */
  setProgress(runId: number, progress: unknown): void {
    this.db.pragma('synchronous = NORMAL');
    try {
      const { changes } = this.db.prepare('UPDATE runs SET progress = ? WHERE id = ?').run(progress === null ? null : json(progress), runId);
      assert(changes === 1, `setProgress: no run ${runId}`);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  /** Newest first. */
  listRuns(): RunRow[] {
    return this.db.prepare<[], RunDb>('SELECT * FROM runs ORDER BY id DESC').all().map(toRun);
  }

  getRun(id: number): RunRow | undefined {
    const r = this.db.prepare<[number], RunDb>('SELECT * FROM runs WHERE id = ?').get(id);
    return r === undefined ? undefined : toRun(r);
  }

  /** Trials stored per run id (runs without trials are absent). */
  trialCounts(): Map<number, number> {
    const rows = this.db.prepare<[], { run_id: number; n: number }>('SELECT run_id, count(*) AS n FROM trials GROUP BY run_id').all();
    return new Map(rows.map((r) => [r.run_id, r.n]));
  }

  /**
   * Stores the trial and its metrics in one transaction. A trial whose (runId, key) is already
   * stored is refused: returns false and changes nothing.
   */
  recordTrial(trial: TrialRow, metrics: readonly EpochMetricRow[]): boolean {
    const insertTrial = this.db.prepare(
      `INSERT INTO trials (run_id, key, batch_size, iter_size, lr, seed, status, steps_to_target, epochs_to_target, seconds_to_target,
         samples_per_sec, best_val_accuracy, final_val_accuracy, test_accuracy, steps, epochs, train_seconds, detail, host)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, key) DO NOTHING`,
    );
    const insertMetric = this.db.prepare(
      `INSERT INTO metrics (trial_id, seq, step, epochs, train_loss, val_loss, val_accuracy, train_seconds, samples_per_sec) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const t = trial;
    return this.db
      .transaction((): boolean => {
        const r = insertTrial.run(t.runId, t.key, t.batchSize, t.iterSize, t.lr, t.seed, t.status, t.stepsToTarget, t.epochsToTarget, t.secondsToTarget,
          t.samplesPerSec, t.bestValAccuracy, t.finalValAccuracy, t.testAccuracy, t.steps, t.epochs, t.trainSeconds, json(t.detail), t.host ?? null);
        if (r.changes === 0) return false;
        const trialId = Number(r.lastInsertRowid);
        let seq = 0;
        for (const m of metrics) {
          insertMetric.run(trialId, seq++, m.step, m.epochs, m.trainLoss, m.valLoss, m.valAccuracy, m.trainSeconds, m.samplesPerSec);
        }
        return true;
      })
      .immediate();
  }

  /**
   * Forgets the run's trials of status 'failed' (a queued trial whose worker kept throwing), with
   * their metrics, so that `sweep --retry-failed` can record them afresh; returns their keys.
   */
  dropFailedTrials(runId: number): string[] {
    return this.db
      .transaction((): string[] => this.db.prepare<[number], string>(`DELETE FROM trials WHERE run_id = ? AND status = 'failed' RETURNING key`).pluck().all(runId))
      .immediate();
  }

  /** Ordered by batch size, learning rate, seed (then iter size and key). */
  trials(runId: number): TrialRow[] {
    return this.db
      .prepare<[number], TrialDb>('SELECT * FROM trials WHERE run_id = ? ORDER BY batch_size, lr, seed, iter_size, key')
      .all(runId)
      .map(toTrial);
  }

  /**
   * The run's trials stored after the trial with id `afterId`, in the order stored, with their ids:
   * a live reader's cursor (`afterId` 0 gives them all).
   */
  trialsAfter(runId: number, afterId: number): { readonly id: number; readonly trial: TrialRow }[] {
    return this.db
      .prepare<[number, number], TrialDb & { id: number }>('SELECT * FROM trials WHERE run_id = ? AND id > ? ORDER BY id')
      .all(runId, afterId)
      .map((r) => ({ id: r.id, trial: toTrial(r) }));
  }

  trialKeys(runId: number): Set<string> {
    return new Set(this.db.prepare<[number], string>('SELECT key FROM trials WHERE run_id = ?').pluck().all(runId));
  }

  /** The trial's metrics in the order they were recorded; empty for an unknown trial. */
  metrics(runId: number, trialKey: string): EpochMetricRow[] {
    return this.db
      .prepare<[number, string], MetricDb>(
        `SELECT m.* FROM metrics m JOIN trials t ON t.id = m.trial_id WHERE t.run_id = ? AND t.key = ? ORDER BY m.seq`,
      )
      .all(runId, trialKey)
      .map(toMetric);
  }

  /** Every trial's metrics in one query (a report of a 1,000-trial sweep would otherwise make 1,000), by trial key, each in recorded order. */
  runMetrics(runId: number): Map<string, EpochMetricRow[]> {
    const rows = this.db
      .prepare<[number], MetricDb & { trial_key: string }>(
        `SELECT t.key AS trial_key, m.* FROM trials t CROSS JOIN metrics m ON m.trial_id = t.id WHERE t.run_id = ? ORDER BY t.id, m.seq`,
      )
      .all(runId);
    const out = new Map<string, EpochMetricRow[]>();
    for (const r of rows) {
      const list = out.get(r.trial_key) ?? [];
      if (list.length === 0) out.set(r.trial_key, list);
      list.push(toMetric(r));
    }
    return out;
  }

  /** Appends probes, in the given order, in one transaction. */
  recordProbes(runId: number, probes: readonly ProbeRow[]): void {
    const insert = this.db.prepare('INSERT INTO probes (run_id, batch_size, ok, peak_bytes, reason, seconds) VALUES (?, ?, ?, ?, ?, ?)');
    this.db
      .transaction(() => {
        for (const p of probes) insert.run(runId, p.batchSize, p.ok ? 1 : 0, p.peakBytes, p.reason, p.seconds);
      })
      .immediate();
  }

  /** In the order they were recorded. */
  probes(runId: number): ProbeRow[] {
    return this.db.prepare<[number], ProbeDb>('SELECT * FROM probes WHERE run_id = ? ORDER BY id').all(runId).map(toProbe);
  }

  /** Appends noise measurements, in the given order, in one transaction. */
  recordNoise(runId: number, rows: readonly NoiseRow[]): void {
    const insert = this.db.prepare(
      `INSERT INTO noise (run_id, step, epochs, train_loss, b_small, b_big, grad_sq, trace_sigma, b_simple, b_simple_low, b_simple_high)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db
      .transaction(() => {
        for (const n of rows) insert.run(runId, n.step, n.epochs, n.trainLoss, n.bSmall, n.bBig, n.gradSq, n.traceSigma, n.bSimple, n.bSimpleLow, n.bSimpleHigh);
      })
      .immediate();
  }

  /** In the order they were recorded. */
  noise(runId: number): NoiseRow[] {
    return this.db.prepare<[number], NoiseDb>('SELECT * FROM noise WHERE run_id = ? ORDER BY id').all(runId).map(toNoise);
  }

  /**
   * Logs an adaptive batch size's changes for a run ('' as trial key for a plain training run), in
   * order from sequence number `fromSeq`, replacing rows already there: a resumed run that logs its
   * schedule again from the checkpoint's step neither duplicates nor loses a change.
   */
  recordBatchChanges(runId: number, trialKey: string, fromSeq: number, rows: readonly BatchChangeRow[]): void {
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO batch_changes (run_id, trial_key, seq, step, examples, micro_batch, iter_size, lr, b_noise, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db
      .transaction(() => {
        let seq = fromSeq;
        for (const c of rows) insert.run(runId, trialKey, seq++, c.step, c.examples, c.microBatch, c.iterSize, c.lr, c.bNoise, c.reason);
      })
      .immediate();
  }

  /** The changes logged for a run's trial ('' for a plain training run), in order. */
  batchChanges(runId: number, trialKey = ''): BatchChangeRow[] {
    return this.db
      .prepare<[number, string], BatchChangeDb>('SELECT * FROM batch_changes WHERE run_id = ? AND trial_key = ? ORDER BY seq')
      .all(runId, trialKey)
      .map(toBatchChange);
  }

  /** The measurement kept under this key, if any. */
  machine(key: string): MachineRow | undefined {
    const r = this.db.prepare<[string], MachineDb>('SELECT * FROM machine WHERE key = ?').get(key);
    return r === undefined ? undefined : toMachine(r);
  }

  /** Keeps a measurement under its key, replacing an older one there (a remeasure). */
  keepMachine(kind: MachineKind, key: string, value: unknown, runId: number | null, createdAt = new Date().toISOString()): void {
    this.db
      .prepare(
        `INSERT INTO machine (key, kind, created_at, run_id, value) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, created_at = excluded.created_at, run_id = excluded.run_id, value = excluded.value`,
      )
      .run(key, kind, createdAt, runId, keptJson(value));
  }

  /** Credits measurements kept before their run was stored to that run. */
  linkMachine(keys: readonly string[], runId: number): void {
    const update = this.db.prepare('UPDATE machine SET run_id = ? WHERE key = ? AND run_id IS NULL');
    this.db
      .transaction(() => {
        for (const k of keys) update.run(runId, k);
      })
      .immediate();
  }

  /** SQLite's own check of the file and of every foreign key: 'ok' when sound. */
  check(): string {
    const integrity = this.db.pragma('integrity_check', { simple: true }) as string;
    if (integrity !== 'ok') return integrity;
    const orphans = this.db.pragma('foreign_key_check') as unknown[];
    return orphans.length === 0 ? 'ok' : `${orphans.length} rows with a dangling foreign key`;
  }
}
