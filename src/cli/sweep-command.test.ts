import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { assertNoStack, assertOk, assertUserError, lastJson, makeBlobs, makeTempDir, removeDir, runCli, startCli, writeBlobsCsv, writeJson } from './testing/cli-fixtures.js';

let dir = '';
// Two rates put every best on a grid edge: these tests count the grid's trials, so they keep to it.
const SWEEP = ['sweep', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--threads', '1', '--no-extend-grid', '--batch-sizes', '4,16,full', '--lr-grid', '0.01,0.05', '--lr-rule', 'sqrt', '--lr-ref-batch', '16', '--target-accuracy', '0.9', '--max-epochs', '30', '--evals-per-epoch', '4'];
const sweep = (...args: string[]) => runCli([...SWEEP, ...args], dir);

before(() => {
  dir = makeTempDir();
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 600, features: 10, classes: 3, seed: 7, separation: 3 }));
  writeJson(join(dir, 'mlp.json'), { layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
  writeJson(join(dir, 'deep.json'), { layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
});
after(() => removeDir(dir));

interface Summary { batchSize: number; bestLr: number; stepsToTarget: number | null; secondsToTarget: number | null; trials: number }

/** Each trial's figures but time: with one thread, a trial's steps and accuracies repeat exactly. */
function trialFigures(r: Record<string, unknown>) {
  const trials = (r['trials'] as Record<string, unknown>[]).map(({ key, status, stepsToTarget, epochsToTarget, bestValAccuracy, finalValAccuracy, testAccuracy }) => ({ key, status, stepsToTarget, epochsToTarget, bestValAccuracy, finalValAccuracy, testAccuracy }));
  return trials.sort((x, y) => String(x.key).localeCompare(String(y.key)));
}

/** The analysis per batch size but time; with several rates the tuned one is chosen by time, so then only what all trials share. */
function batchFigures(r: Record<string, unknown>, oneRate: boolean) {
  const batches = (r['analysis'] as { batches: Record<string, unknown>[] }).batches;
  return batches.map(({ secondsToTarget: _s, secondsRange: _sr, samplesPerSec: _r, ...rest }) =>
    oneRate ? rest : { batchSize: rest['batchSize'], trials: rest['trials'], diverged: rest['diverged'], bestValAccuracy: rest['bestValAccuracy'] },
  );
}

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
  // A target hard to reach at small batches and rates: most trials train their 30 epochs (about a
  // second), so the kill lands while a later trial is running. No pruning: it depends on timing.
  const slow = [...SWEEP.slice(0, SWEEP.indexOf('--batch-sizes')), '--batch-sizes', '1,2', '--lr-grid', '0.001,0.002,0.004', '--target-accuracy', '0.999', '--max-epochs', '30', '--prune', '0', '--db', 'k.db'];
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
  // The trials kept from before the kill and those run after it make the sweep an uninterrupted one makes.
  const whole = runCli([...slow.slice(0, -1), 'whole.db', '--json'], dir);
  assertOk(whole);
  assert.deepEqual(trialFigures(r), trialFigures(lastJson(whole)));
  assert.deepEqual(batchFigures(r, false), batchFigures(lastJson(whole), false));
});

test('a sweep under another --seed (another split) reuses no trial: resumed on the same --db, its analysis is an uninterrupted one’s', () => {
  // One rate per batch size and no pruning, so every figure but time is deterministic.
  const args = ['--batch-sizes', '16,full', '--lr-grid', '0.05', '--prune', '0', '--seeds', '2', '--json'];
  const first = sweep(...args, '--seed', '1', '--db', 's.db');
  assertOk(first);
  const resumed = lastJson(sweep(...args, '--seed', '2', '--db', 's.db'));
  const fresh = lastJson(sweep(...args, '--seed', '2', '--db', 'fresh.db'));
  // Seed 2 was a trial of the first sweep too, trained on the split of --seed 1.
  assert.deepEqual([resumed['ran'], resumed['skipped']], [4, 0]);
  assert.deepEqual(batchFigures(resumed, true), batchFigures(fresh, true));
  assert.deepEqual(trialFigures(resumed), trialFigures(fresh));
  assert.notDeepEqual(trialFigures(resumed), trialFigures(lastJson(first)), 'another split gives other figures');
});

test('the text report names the time-optimal batch size and shows a row per batch size', () => {
  const run = sweep('--db', 'a.db');
  assertOk(run);
  assert.match(run.stdout, /sweep to 90\.00% validation accuracy: 6 trials \(0 run now in \d+ s, 6 from the store\)/);
  assert.match(run.stdout, /time-optimal batch size: (4|16|495) \(lr /);
  assert.match(run.stderr, /batchwise: see the evidence: batchwise report --db a\.db --run 1 --out run-1\.html\n$/, 'ends by naming the report command for its run');
  assert.equal(run.stdout.split('\n').filter((l) => /^\s+(4|16|495)\s/.test(l)).length, 3);
});

test('dead rates stop early as stalled, the grid is extended below them by default, and the rerun runs nothing', () => {
  // Rates 2–8 kill every ReLU of two hidden layers (chance accuracy, no NaN); 1 and below train.
  const DEAD = ['sweep', '--model', 'deep.json', '--dataset', 'blobs.csv', '--threads', '1', '--batch-sizes', '16', '--lr-grid', '2,4,8', '--lr-rule', 'none', '--target-accuracy', '0.97', '--max-epochs', '30', '--evals-per-epoch', '4', '--db', 'd.db'];
  const run = runCli([...DEAD, '--json'], dir);
  assertOk(run);
  const r = lastJson(run);
  const trials = r['trials'] as { lr: number; status: string }[];
  const byLr = new Map(trials.map((t) => [t.lr, t.status]));
  assert.deepEqual([byLr.get(2), byLr.get(4), byLr.get(8)], ['stalled', 'stalled', 'stalled']);
  // Every rate failed, so the search went down: 1 trains and is then the smallest, so 0.5 follows.
  assert.equal(byLr.get(1), 'target-reached');
  assert.ok(byLr.has(0.5), `rates ${[...byLr.keys()].join(', ')}`);
  const [batch] = (r['analysis'] as { batches: { edge: string | null; stalled: number; bestLr: number }[] }).batches;
  assert.equal(batch!.stalled, 3);
  assert.ok(batch!.bestLr <= 1);
  const [rates] = r['rates'] as { below: number; above: number; edge: string | null }[];
  assert.deepEqual([rates!.below, rates!.above, rates!.edge], [trials.length - 3, 0, batch!.edge]);
  const db = new Database(join(dir, 'd.db'), { readonly: true });
  const stalled = db.prepare(`SELECT steps, epochs FROM trials WHERE status = 'stalled'`).all() as { steps: number; epochs: number }[];
  db.close();
  // 30 epochs of budget: each dead trial stopped after a tenth of it or soon after, never near its end.
  assert.equal(stalled.length, 3);
  for (const t of stalled) assert.ok(t.epochs >= 3 && t.epochs < 6, `stalled after ${t.epochs} epochs`);

  const text = runCli(DEAD, dir);
  assertOk(text);
  assert.match(text.stdout, new RegExp(`${trials.length} trials \\(0 run now in \\d+ s, ${trials.length} from the store\\)`));
  assert.match(text.stdout, /\(3 stalled\)/);
  const listed = runCli(['runs', '--db', 'd.db', '--run', '1'], dir);
  assertOk(listed);
  assert.equal(listed.stdout.split('\n').filter((l) => /\sstalled\s/.test(l)).length, 3);
  // The same store without extension: the grid's three trials, all failed, and the report says so.
  const plain = runCli([...DEAD, '--no-extend-grid'], dir);
  assertOk(plain);
  assert.match(plain.stdout, /3 trials \(0 run now/);
  assert.match(plain.stdout, /grid edge at batch size 16: every rate failed \(diverged or stalled\) \(2–8\); not extended \(--no-extend-grid\)/);
});

test('sweep input errors are one line, exit 2', () => {
  assert.match(assertUserError(runCli(['sweep', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--db', 'e.db'], dir)), /--target-accuracy is required/);
  assert.match(assertUserError(sweep('--db', 'e.db', '--batch-sizes', '4,zero')), /--batch-sizes must be pow2/);
  assert.match(assertUserError(sweep('--db', 'e.db', '--batch-sizes', '4,5000')), /5000 is larger than the 495 training examples/);
  assert.match(assertUserError(sweep('--db', 'e.db', '--lr-rule', 'cubic')), /--lr-rule must be one of linear, sqrt, none/);
  assert.match(assertUserError(sweep('--db', 'blobs.csv')), /blobs\.csv/);
});

test('sweep --batch-sizes 4,16,auto --seeds 2: one auto trial per seed, kept with its batch changes and shown apart; auto with a schedule, or --auto-min without auto, is one line', () => {
  const run = sweep('--db', 'auto.db', '--batch-sizes', '4,16,auto', '--lr-grid', '0.05', '--seeds', '2', '--json');
  assertOk(run);
  const r = lastJson(run);
  assert.deepEqual([r['ran'], r['total']], [6, 6]);
  assert.deepEqual((r['analysis'] as { batches: Summary[] }).batches.map((b) => b.batchSize), [4, 16], 'auto is no batch size of the fixed analysis');
  const auto = r['auto'] as { runs: { startBatch: number; maxBatch: number; lr: number; seeds: number }[]; bestFixed: { batchSize: number } | null };
  // From the smallest fixed size at the grid's rate carried there (0.05 · √(4/16)), up to the largest.
  assert.deepEqual(auto.runs.map((x) => [x.startBatch, x.maxBatch, x.lr, x.seeds]), [[4, 16, 0.025, 2]]);
  const db = new Database(join(dir, 'auto.db'), { readonly: true });
  const rows = db.prepare(`SELECT key, batch_size AS b, json_extract(detail, '$.auto.changes') AS changes FROM trials WHERE key LIKE 'auto-%' ORDER BY key`).all() as { key: string; b: number; changes: number }[];
  const logged = db.prepare(`SELECT trial_key AS key, count(*) AS n FROM batch_changes GROUP BY trial_key ORDER BY trial_key`).all() as { key: string; n: number }[];
  db.close();
  assert.deepEqual(rows.map((x) => [x.key, x.b]), [['auto-b4-16-lr0.025-s1', 4], ['auto-b4-16-lr0.025-s2', 4]]);
  assert.deepEqual(logged, rows.map((x) => ({ key: x.key, n: x.changes })));
  const text = sweep('--db', 'auto.db', '--batch-sizes', '4,16,auto', '--lr-grid', '0.05', '--seeds', '2');
  assertOk(text);
  assert.match(text.stdout, /auto trials \(--batch-size auto from 4/);
  assert.match(text.stdout, /auto against the best fixed trial: auto from lr 0\.025 median of 2 seeds/);
  // Auto alone: no empty fixed table, no optimum among fixed trials, and no "none reached the target" for trials that were never asked for.
  const alone = sweep('--db', 'auto-alone.db', '--batch-sizes', 'auto', '--auto-min', '4', '--auto-max', '16', '--lr-grid', '0.05');
  assertOk(alone);
  assert.match(alone.stdout, /^no fixed batch size in this sweep \(--batch-sizes named only auto\): its auto trials follow$/m);
  assert.doesNotMatch(alone.stdout, /time-optimal batch size|tuned lr/);
  assert.match(alone.stdout, /^auto against the best fixed trial: (no fixed batch size in this sweep to compare with \(add some to --batch-sizes\); auto did in [\d.]+ s|no auto trial reached the target)$/m);

  assert.match(assertUserError(sweep('--db', 'auto.db', '--batch-sizes', '4,auto', '--schedule', 'cosine')), /auto trials choose their rate.*drop --schedule/);
  assert.match(assertUserError(sweep('--db', 'auto.db', '--auto-min', '8')), /--auto-min, --auto-start and --auto-max apply to auto trials/);
  assert.match(assertUserError(sweep('--db', 'auto.db', '--batch-sizes', 'auto', '--auto-min', '4', '--auto-start', '12')), /--auto-start 12 is not a batch the run may take \(--auto-min doubled up to --auto-max: 4, 8, 16, 32, …, 4096\); use one of them/);
  // Started above its smallest batch: the grid's rate carried to the start, a key of its own, and the ladder in the table.
  const down = sweep('--db', 'auto-start.db', '--batch-sizes', 'auto', '--auto-min', '4', '--auto-start', '16', '--auto-max', '64', '--lr-grid', '0.05');
  assertOk(down);
  assert.match(down.stdout, /auto trials \(--batch-size auto from 16, the batch and rate following the noise scale down to 4 and up to 64;/);
  assert.match(down.stdout, /^ *auto 4←16→64 +0\.05 /m);
  const started = new Database(join(dir, 'auto-start.db'), { readonly: true });
  assert.deepEqual(started.prepare(`SELECT key, batch_size AS b, json_extract(detail, '$.auto.minBatch') AS min FROM trials`).all(), [{ key: 'auto-b16-64-min4-lr0.05-s1', b: 16, min: 4 }]);
  started.close();
  assert.match(assertUserError(sweep('--db', 'auto.db', '--batch-sizes', '4,auto', '--queue', 'redis://127.0.0.1:1')), /sweep --queue does not run auto trials/);
});
