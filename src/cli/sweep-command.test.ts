import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { assertNoStack, assertOk, assertUserError, lastJson, makeBlobs, makeTempDir, removeDir, runCli, startCli, writeBlobsCsv, writeJson } from './testing/cli-fixtures.js';

let dir = '';
const SWEEP = ['sweep', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--threads', '1', '--batch-sizes', '4,16,full', '--lr-grid', '0.01,0.05', '--lr-rule', 'sqrt', '--lr-ref-batch', '16', '--target-accuracy', '0.9', '--max-epochs', '30', '--evals-per-epoch', '4'];
const sweep = (...args: string[]) => runCli([...SWEEP, ...args], dir);

before(() => {
  dir = makeTempDir();
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 600, features: 10, classes: 3, seed: 7, separation: 3 }));
  writeJson(join(dir, 'mlp.json'), { layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
});
after(() => removeDir(dir));

interface Summary { batchSize: number; bestLr: number; stepsToTarget: number | null; secondsToTarget: number | null; trials: number }

test('sweep --json: every batch size with its tuned rate, the optimal batch sizes, and trials kept in SQLite', () => {
  const run = sweep('--db', 'a.db', '--json');
  assertOk(run);
  assertNoStack(run);
  const r = lastJson(run);
  assert.deepEqual([r['ran'], r['skipped'], r['total']], [6, 0, 6]);
  const analysis = r['analysis'] as { batches: Summary[]; timeOptimal: Summary | null };
  // 600 rows less the default validation (1/12) and test (0.1) shares: 495 training examples.
  assert.deepEqual(analysis.batches.map((b) => b.batchSize), [4, 16, 495]);
  for (const b of analysis.batches) assert.equal(b.trials, 2);
  // Rates come from the grid at B=16 carried by √(B/16).
  assert.ok([0.005, 0.025].includes(analysis.batches[0]!.bestLr), `B=4 rate ${analysis.batches[0]!.bestLr}`);
  assert.ok(analysis.timeOptimal !== null);
  const db = new Database(join(dir, 'a.db'), { readonly: true });
  const rows = db.prepare('SELECT key, status, steps_to_target AS steps FROM trials ORDER BY key').all() as { key: string; status: string; steps: number | null }[];
  db.close();
  assert.equal(rows.length, 6);
  assert.equal(new Set(rows.map((x) => x.key)).size, 6);

  const again = sweep('--db', 'a.db', '--json');
  assertOk(again);
  const r2 = lastJson(again);
  assert.deepEqual([r2['ran'], r2['skipped']], [0, 6]);
  assert.deepEqual(r2['analysis'], r['analysis']);
});

test('a sweep killed with SIGKILL mid-way resumes: finished trials are kept, none is run twice', async () => {
  // An unreachable target at small batches: every trial trains its 30 epochs (about a second), so
  // the kill lands while a later trial is running.
  const slow = [...SWEEP.slice(0, SWEEP.indexOf('--batch-sizes')), '--batch-sizes', '1,2', '--lr-grid', '0.001,0.002,0.004', '--target-accuracy', '0.999', '--max-epochs', '30', '--db', 'k.db'];
  const { child, done } = startCli(slow, dir);
  let stderr = '';
  child.stderr!.on('data', (s: string) => {
    stderr += s;
    // Without a TTY a line per finished trial; kill after the second.
    if ((stderr.match(/^trial /gm) ?? []).length >= 2) child.kill('SIGKILL');
  });
  const killed = await done;
  assert.equal(killed.signal, 'SIGKILL');
  const db = new Database(join(dir, 'k.db'), { readonly: true });
  const kept = (db.prepare('SELECT count(*) AS n FROM trials').get() as { n: number }).n;
  db.close();
  assert.ok(kept >= 2 && kept < 6, `${kept} trials kept`);
  const rest = runCli([...slow, '--json'], dir);
  assertOk(rest);
  assert.match(rest.stderr, /resuming: finished trials are kept/);
  const r = lastJson(rest);
  assert.deepEqual([r['ran'], r['skipped'], r['total']], [6 - kept, kept, 6]);
});

test('the text report names the time-optimal batch size and shows a row per batch size', () => {
  const run = sweep('--db', 'a.db');
  assertOk(run);
  assert.match(run.stdout, /sweep to 90\.00% validation accuracy: 6 trials \(0 run now in \d+ s, 6 from the store\)/);
  assert.match(run.stdout, /time-optimal batch size: (4|16|495) \(lr /);
  assert.match(run.stderr, /batchwise: see the evidence: batchwise report --db a\.db --run 1 --out run-1\.html\n$/, 'ends by naming the report command for its run');
  assert.equal(run.stdout.split('\n').filter((l) => /^\s+(4|16|495)\s/.test(l)).length, 3);
});

test('sweep input errors are one line, exit 2', () => {
  assert.match(assertUserError(runCli(['sweep', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--db', 'e.db'], dir)), /--target-accuracy is required/);
  assert.match(assertUserError(sweep('--db', 'e.db', '--batch-sizes', '4,zero')), /--batch-sizes must be pow2/);
  assert.match(assertUserError(sweep('--db', 'e.db', '--batch-sizes', '4,5000')), /5000 is larger than the 495 training examples/);
  assert.match(assertUserError(sweep('--db', 'e.db', '--lr-rule', 'cubic')), /--lr-rule must be one of linear, sqrt, none/);
  assert.match(assertUserError(sweep('--db', 'blobs.csv')), /blobs\.csv/);
});
