/**
 * Faults of a queued sweep, against a real Redis and workers as child processes: a worker that
 * throws (retried, then recorded as failed, then rerun by --retry-failed), a coordinator killed
 * and started again, and a worker killed in the middle of a trial. Every trial is recorded once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { batchwiseVersion } from '../bench/machine.js';
import { assertOk, lastJson, makeBlobs, makeTempDir, removeDir, startCli, waitFor, writeBlobsCsv, writeJson } from '../cli/testing/cli-fixtures.js';
import { loadRunData } from '../engine/run.js';
import { dataFingerprint } from '../data/fingerprint.js';
import { sweepIdentity } from '../sweep/identity.js';
import { MemoryRecorder, runSweep, type SweepSpec } from '../sweep/sweep.js';
import type { TrialOutcome } from '../sweep/trial.js';
import { startThrowingWorker, startWorkerCli, type WorkerProcess } from '../testing/queue-fixtures.js';
import { startRedis, type TestRedis } from '../testing/redis.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';
import { connectRedis } from './address.js';
import { QueueRunner } from './coordinator.js';
import { QUEUE_NAME } from './job.js';

let dir = '';
let redis: TestRedis;
const started: WorkerProcess[] = [];
const worker = (w: WorkerProcess) => (started.push(w), w);

before(async () => {
  dir = makeTempDir('batchwise-faults-');
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 300, features: 10, classes: 3, seed: 7, separation: 3 }));
  writeJson(join(dir, 'mlp.json'), { layers: [{ type: 'dense', units: 12 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
  redis = await startRedis();
});

after(async () => {
  await Promise.all(started.map((w) => w.stop()));
  await redis?.stop();
  removeDir(dir);
});

const sweepArgs = (...more: string[]) => ['sweep', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--threads', '1', '--no-extend-grid', '--prune', '0', '--evals-per-epoch', '4', '--queue', redis.socket, ...more];
const storeKeys = (db: string) => {
  const d = new Database(join(dir, db), { readonly: true });
  try {
    return (d.prepare('SELECT key FROM trials ORDER BY key').pluck().all() as string[]);
  } finally {
    d.close();
  }
};
const trained = (w: WorkerProcess, key: string) => [...w.log().matchAll(/^batchwise worker: trial (\S+): /gm)].filter((m) => m[1] === key).length;
/** A worker logs a trial just after finishing it, so its line may reach us after the coordinator's result. */
const trainedOnce = async (w: WorkerProcess, key: string) => {
  await waitFor(() => trained(w, key) >= 1, `${key} in the worker's log:\n${w.log()}`, 30_000, 50);
  assert.equal(trained(w, key), 1, `${key} trained ${trained(w, key)} times:\n${w.log()}`);
};
/** The coordinator runs in its own process while this one keeps reading the workers' logs. */
const sweepCli = async (args: string[]) => {
  const { child, done } = startCli(args, dir);
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  const run = await done;
  clearTimeout(timer);
  return run;
};

test('a worker that throws is retried a bounded number of times, then recorded failed with its error; --retry-failed runs it again', async () => {
  const thrower = worker(startThrowingWorker(redis.socket, dir, 'b16-lr0.05-s1'));
  await thrower.ready();
  const args = sweepArgs('--batch-sizes', '4,16', '--lr-grid', '0.01,0.05', '--lr-rule', 'none', '--target-accuracy', '0.9', '--max-epochs', '30', '--db', 'f.db', '--json');
  const first = await sweepCli(args);
  assertOk(first);
  assert.match(first.stderr, /^batchwise: trial b16-lr0\.05-s1 failed after 3 attempt\(s\): injected fault: the worker throws on trial b16-lr0\.05-s1$/m);
  const r1 = lastJson(first);
  const statuses = Object.fromEntries((r1['trials'] as { key: string; status: string }[]).map((t) => [t.key, t.status]));
  assert.deepEqual(statuses, { 'b4-lr0.01-s1': 'target-reached', 'b4-lr0.05-s1': 'target-reached', 'b16-lr0.01-s1': 'target-reached', 'b16-lr0.05-s1': 'failed' });
  const d = new Database(join(dir, 'f.db'), { readonly: true });
  const detail = JSON.parse(d.prepare(`SELECT detail FROM trials WHERE key = 'b16-lr0.05-s1'`).pluck().get() as string) as { error: string; attempts: number };
  d.close();
  assert.deepEqual([detail.attempts, detail.error], [3, 'injected fault: the worker throws on trial b16-lr0.05-s1']);
  // The failed trial is left out of the analysis: B = 16 rests on its one good rate.
  const b16 = (r1['analysis'] as { batches: { batchSize: number; trials: number }[] }).batches.find((b) => b.batchSize === 16)!;
  assert.equal(b16.trials, 1);

  await thrower.stop();
  const healthy = worker(startWorkerCli(redis.socket, dir));
  await healthy.ready();
  const again = await sweepCli([...args, '--retry-failed']);
  assertOk(again);
  assert.match(again.stderr, /--retry-failed: 1 failed trial\(s\) to run again/);
  const r2 = lastJson(again);
  assert.deepEqual([r2['ran'], r2['skipped'], r2['total']], [1, 3, 4]);
  assert.equal((r2['trials'] as { key: string; status: string }[]).find((t) => t.key === 'b16-lr0.05-s1')!.status, 'target-reached');
  await trainedOnce(healthy, 'b16-lr0.05-s1');
  assert.deepEqual(storeKeys('f.db'), ['b16-lr0.01-s1', 'b16-lr0.05-s1', 'b4-lr0.01-s1', 'b4-lr0.05-s1']);
});

test('a coordinator killed and started again enqueues only the missing trials: none is trained or counted twice', async () => {
  const healthy = started.find((w) => w.child.exitCode === null && /worker on/.test(w.log()))!;
  // Every trial trains on past the target to its 20 epochs, so the kill lands between trials.
  const args = sweepArgs('--batch-sizes', '1,2', '--lr-grid', '0.001,0.002,0.004', '--lr-rule', 'none', '--target-accuracy', '0.9', '--until', 'budget', '--max-epochs', '20', '--db', 'k.db');
  const { child, done } = startCli(args, dir);
  let kept = 0;
  await waitFor(() => (kept = existsDb('k.db') ? storeKeys('k.db').length : 0) >= 1 || child.exitCode !== null, 'a first trial to be recorded', 240_000, 100);
  child.kill('SIGKILL');
  const killed = await done;
  assert.equal(killed.signal, 'SIGKILL', `the coordinator ended first:\n${killed.stderr}`);
  kept = storeKeys('k.db').length;
  assert.ok(kept >= 1 && kept < 6, `${kept} trials kept`);

  const rest = await sweepCli([...args, '--json']);
  assertOk(rest);
  assert.match(rest.stderr, /resuming: finished trials are kept/);
  const r = lastJson(rest);
  assert.deepEqual([r['ran'], r['skipped'], r['total']], [6 - kept, kept, 6]);
  const keys = storeKeys('k.db');
  assert.equal(keys.length, 6);
  assert.equal(new Set(keys).size, 6);
  // The worker trained each trial once: those done while the coordinator was down were collected, not rerun.
  for (const k of keys) await trainedOnce(healthy, k);
  const connection = await connectRedis({ path: redis.socket });
  const queue = new Queue(QUEUE_NAME, { connection });
  const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
  await queue.close();
  connection.disconnect();
  assert.deepEqual(counts, { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 }, 'every recorded job was removed');
  await healthy.stop();
});

test('a worker killed with SIGKILL mid-trial: the stalled trial is retried once, on another worker, and recorded once', async () => {
  const spec: SweepSpec = {
    base: blobsRunConfig({ dataset: join(dir, 'blobs.csv'), targetAccuracy: 0.5, threads: 1, validationFraction: 0.1, testFraction: 0.1 }),
    plan: { batchSizes: [4], lrGrid: [0.01], lrRule: 'none', lrRefBatch: 4, seeds: 1, baseSeed: 1 },
    // 3 s of training at B = 4, on past the target: long enough to be killed in, short enough to train again.
    limits: { maxEpochs: 10_000, maxSeconds: 3, evalsPerEpoch: 10, untilBudget: true },
    pruneFactor: 0,
    stallAfter: 0,
    extendGrid: false,
  };
  const data = loadRunData(spec.base);
  // Only the workers of this test take the job.
  await Promise.all(started.map((w) => w.stop()));
  const first = worker(startWorkerCli(redis.socket, dir, ['--lock-seconds', '2']));
  await first.ready();
  const runner = await QueueRunner.open({ address: { path: redis.socket }, sweep: sweepIdentity(spec, data), dataFingerprint: dataFingerprint(data), splitSeed: 1, packageVersion: batchwiseVersion(), retryFailed: false, onLine: () => undefined });
  const rec = new MemoryRecorder();
  const records: boolean[] = [];
  const record = rec.record.bind(rec);
  rec.record = (t, o: TrialOutcome) => (records.push(record(t, o)), records[records.length - 1]!);
  let second: WorkerProcess | null = null;
  let midTrial: () => void = () => undefined;
  const training = new Promise<void>((resolve) => (midTrial = resolve));
  const sweep = runSweep(spec, data, rec, { onMetric: () => midTrial() }, runner);
  await training;
  await first.kill();
  second = worker(startWorkerCli(redis.socket, dir, ['--lock-seconds', '2']));
  const result = await sweep;
  await runner.close();
  assert.deepEqual(records, [true], 'recorded once');
  assert.equal(result.ran, 1);
  const [trial] = [...rec.trials.values()] as unknown as { key: string; status: string; detail: { attempts: number } }[];
  assert.deepEqual([trial!.key, trial!.status, trial!.detail.attempts], ['b4-lr0.01-s1', 'target-reached', 2]);
  assert.equal(trained(first, 'b4-lr0.01-s1'), 0, 'the killed worker never finished it');
  await trainedOnce(second, 'b4-lr0.01-s1');
});

function existsDb(name: string): boolean {
  try {
    storeKeys(name);
    return true;
  } catch {
    return false;
  }
}
