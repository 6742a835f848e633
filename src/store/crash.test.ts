/**
 * A process killed with SIGKILL in the middle of writing leaves a sound store: SQLite's integrity
 * check passes, every acknowledged trial is there, every trial there has all its metrics, and the
 * interrupted trial is absent (so a resumed sweep records it once, afresh).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Store } from './store.js';
import { trial } from './testing/fixtures.js';

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'bw-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const METRICS_PER_TRIAL = 40;
const STORE_URL = new URL('./store.js', import.meta.url).href;

/**
 * The writer child. `loop`: records trials t0, t1, … (skipping those already stored, as a resumed
 * sweep does) and prints each key once its transaction has committed. `hang`: starts a trial
 * with a 16 MB detail (more than SQLite's page cache, so uncommitted pages spill into the WAL),
 * then blocks forever half-way through its metrics, inside the transaction.
 */
const CHILD = `
import { writeSync } from 'node:fs';
import { Store } from ${JSON.stringify(STORE_URL)};
const M = ${METRICS_PER_TRIAL};
const store = Store.open(process.env.BW_DB);
const { run } = store.openRun('sweep', 'crash', 'crash test', { M });
const metric = (i, j) => ({ step: j + 1, epochs: (j + 1) / 8, trainLoss: i + j / 1000, valLoss: 1 / (j + 1), valAccuracy: j / M, trainSeconds: 0.5 * j, samplesPerSec: 1000 * i + j });
const trialRow = (i, key, detail) => ({ runId: run.id, key, batchSize: 2 ** (i % 12), iterSize: 1 + (i % 3), lr: 0.1 / (i + 1), seed: i, status: 'completed',
  stepsToTarget: null, epochsToTarget: null, secondsToTarget: null, samplesPerSec: i, bestValAccuracy: 0.5, finalValAccuracy: 0.5, testAccuracy: null,
  steps: M, epochs: M / 8, trainSeconds: M / 2, detail });
if (process.env.BW_MODE === 'hang') {
  const metrics = Array.from({ length: M }, (_, j) => metric(999, j));
  Object.defineProperty(metrics, M / 2, { get() {
    writeSync(1, 'inside\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  } });
  store.recordTrial(trialRow(999, 'hang', { pad: 'x'.repeat(16 * 2 ** 20) }), metrics);
} else {
  const have = store.trialKeys(run.id);
  for (let i = 0; i < 100000; i++) {
    const key = 't' + i;
    if (have.has(key)) continue;
    store.recordTrial(trialRow(i, key, { i, pad: 'p'.repeat(3000) }), Array.from({ length: M }, (_, j) => metric(i, j)));
    writeSync(1, key + '\\n');
  }
}
`;

/** Runs the child until `killWhen(lines)` holds, then SIGKILLs it; returns what it printed. */
function runAndKill(db: string, mode: 'loop' | 'hang', killWhen: (lines: string[]) => boolean): Promise<string[]> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { env: { ...process.env, BW_DB: db, BW_MODE: mode }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let killed = false;
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    if (!killed && killWhen(out.split('\n').filter((l) => l !== ''))) {
      killed = child.kill('SIGKILL');
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended by itself (code ${code}, signal ${signal}) before the kill:\n${err}`));
      else resolve(out.split('\n').filter((l) => l !== ''));
    });
  });
}

/** Every trial present is t0 … t(n−1) with exactly its metrics; returns n. */
function assertConsistent(db: string, acked: readonly string[]): number {
  const store = Store.openReadOnly(db);
  try {
    assert.equal(store.check(), 'ok', 'integrity_check and foreign_key_check');
    const [run] = store.listRuns();
    assert.ok(run);
    const keys = store.trialKeys(run.id);
    for (const k of acked) assert.ok(keys.has(k), `acknowledged trial ${k} is stored`);
    const n = keys.size;
    assert.ok(n === acked.length || n === acked.length + 1, `${n} trials for ${acked.length} acknowledged (one may have committed unacknowledged)`);
    assert.deepEqual(keys, new Set(Array.from({ length: n }, (_, i) => `t${i}`)));
    for (const t of store.trials(run.id)) {
      const i = t.seed;
      assert.equal(t.key, `t${i}`);
      assert.deepEqual(t.detail, { i, pad: 'p'.repeat(3000) });
      const m = store.metrics(run.id, t.key);
      assert.equal(m.length, METRICS_PER_TRIAL, `trial ${t.key} has all its metrics`);
      m.forEach((row, j) => assert.deepEqual([row.step, row.trainLoss, row.samplesPerSec], [j + 1, i + j / 1000, 1000 * i + j]));
    }
    return n;
  } finally {
    store.close();
  }
}

test('SIGKILL during a loop of trial writes, three times over, resuming each time', async () => {
  const db = join(dir, 'loop.db');
  let acked: string[] = [];
  for (let round = 1; round <= 3; round++) {
    const before = acked.length;
    const lines = await runAndKill(db, 'loop', (l) => l.length >= 12 + (round % 2) * 5);
    assert.ok(lines.length >= 12, `round ${round}: ${lines.length} trials acknowledged`);
    acked = [...acked, ...lines];
    assert.equal(new Set(acked).size, acked.length, 'a resumed writer never records a trial twice');
    const n = assertConsistent(db, acked);
    assert.ok(n > before);
    // A trial that committed without its acknowledgement is kept; the next round skips it.
    if (n > acked.length) acked.push(`t${n - 1}`);
  }
});

test('SIGKILL inside a trial\'s transaction, with its uncommitted pages already in the WAL: none of it survives', async () => {
  const db = join(dir, 'hang.db');
  const setup = Store.open(db);
  const { run } = setup.openRun('sweep', 'crash', 'crash test', { M: METRICS_PER_TRIAL });
  for (let i = 0; i < 3; i++) setup.recordTrial(trial(run.id, `t${i}`, { seed: i, detail: { i, pad: 'p'.repeat(3000) } }), []);
  setup.close(); // a clean close checkpoints and removes the WAL

  let walBytes = 0;
  const lines = await runAndKill(db, 'hang', (l) => {
    if (l[0] !== 'inside') return false;
    walBytes = statSync(`${db}-wal`).size;
    return true;
  });
  assert.deepEqual(lines, ['inside']);
  // Committed before the hang: only openRun's few 4 KiB pages. Anything past 1 MiB is the uncommitted trial.
  assert.ok(walBytes > 2 ** 20, `the 16 MB trial had spilled ${walBytes} bytes into the WAL before the kill`);

  const store = Store.open(db);
  assert.equal(store.check(), 'ok');
  assert.deepEqual(store.trialKeys(run.id), new Set(['t0', 't1', 't2']), 'the half-written trial is absent');
  assert.equal(store.recordTrial(trial(run.id, 'hang'), []), true, 'and can be recorded afresh');
  store.close();
});
