/**
 * Queued sweeps against a real Redis (redis-server on a unix socket in a temp folder) with two
 * `batchwise worker` processes: the same trials and steps as in process, a diverging trial as a
 * result, refusals that reach the coordinator as one line, a malformed job that leaves the
 * workers up, and an unreachable Redis.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { batchwiseVersion } from '../bench/machine.js';
import { assertUserError, makeBlobs, makeTempDir, removeDir, runCli, waitFor, writeBlobsCsv, writeJson } from '../cli/testing/cli-fixtures.js';
import { loadRunData } from '../engine/run.js';
import { dataFingerprint } from '../data/fingerprint.js';
import { sweepIdentity } from '../sweep/identity.js';
import { MemoryRecorder, runSweep, type SweepSpec } from '../sweep/sweep.js';
import { startWorkerCli, type WorkerProcess } from '../testing/queue-fixtures.js';
import { startRedis, type TestRedis } from '../testing/redis.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';
import { connectRedis } from './address.js';
import { QueueRunner } from './coordinator.js';
import { QUEUE_NAME } from './job.js';

let dir = '';
let redis: TestRedis;
let workers: WorkerProcess[] = [];

before(async () => {
  dir = makeTempDir('batchwise-queue-');
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 300, features: 10, classes: 3, seed: 7, separation: 3 }));
  writeJson(join(dir, 'mlp.json'), { layers: [{ type: 'dense', units: 12 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
  redis = await startRedis();
  workers = [startWorkerCli(redis.socket, dir), startWorkerCli(redis.socket, dir)];
  await Promise.all(workers.map((w) => w.ready()));
});

after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
  removeDir(dir);
});

// A grid rate of 40 fails at every batch size (diverged or stalled); 0.05 reaches the target. One thread per trial.
const specFor = (dataset: string): SweepSpec => ({
  base: blobsRunConfig({ dataset, targetAccuracy: 0.9, threads: 1, validationFraction: 0.1, testFraction: 0.1 }),
  plan: { batchSizes: [4, 16, 'full'], lrGrid: [0.05, 40], lrRule: 'none', lrRefBatch: 16, seeds: 1, baseSeed: 3 },
  limits: { maxEpochs: 30, maxSeconds: 60, evalsPerEpoch: 4, untilBudget: false },
  pruneFactor: 0,
  stallAfter: 0.1,
  extendGrid: false,
});

async function queued(spec: SweepSpec, over: { packageVersion?: string } = {}, data = loadRunData(spec.base)) {
  const lines: string[] = [];
  const runner = await QueueRunner.open({
    address: { path: redis.socket },
    sweep: sweepIdentity(spec, data),
    dataFingerprint: dataFingerprint(data),
    splitSeed: spec.base.seed,
    packageVersion: over.packageVersion ?? batchwiseVersion(),
    retryFailed: false,
    onLine: (l) => lines.push(l),
  });
  const rec = new MemoryRecorder();
  try {
    const result = await runSweep(spec, data, rec, {}, runner);
    return { result, rec, lines };
  } finally {
    await runner.close();
  }
}

test('a malformed job is rejected at once, and the workers stay up', async () => {
  const connection = await connectRedis({ path: redis.socket });
  const queue = new Queue(QUEUE_NAME, { connection });
  try {
    const job = await queue.add('trial', { hello: 'world' }, { jobId: 'junk', attempts: 3 });
    let state = '';
    const until = Date.now() + 120_000;
    while (state !== 'failed' && Date.now() < until) {
      state = await job.getState();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state, 'failed');
    const failed = (await queue.getJob('junk'))!;
    assert.match(failed.failedReason, /rejected malformed job junk: format: .* \(not a batchwise trial of job format 1\)/);
    assert.equal(failed.attemptsStarted, 1, 'not retried');
    await failed.remove();
  } finally {
    await queue.close();
    connection.disconnect();
  }
  for (const w of workers) assert.equal(w.child.exitCode, null, `a worker exited:\n${w.log()}`);
});

test('two workers run the same trials as the in-process sweep, with the same steps to target; a diverging trial is a result', async () => {
  const spec = specFor(join(dir, 'blobs.csv'));
  const here = new MemoryRecorder();
  await runSweep(spec, loadRunData(spec.base), here);
  const { result, rec, lines } = await queued(spec);
  assert.deepEqual(lines, []);
  assert.deepEqual([result.ran, result.total, result.interrupted], [6, 6, false]);
  const figures = (r: MemoryRecorder) =>
    [...r.trials.values()].map((t) => ({ key: t.key, status: t.status, stepsToTarget: t.stepsToTarget, epochsToTarget: t.epochsToTarget, bestValAccuracy: t.bestValAccuracy })).sort((a, b) => a.key.localeCompare(b.key));
  assert.deepEqual(figures(rec), figures(here));
  const statuses = [...rec.trials.values()].map((t) => t.status).sort();
  // Three rates too large blow up (a dead trial is not judged before 50 updates, and these run
  // out of finite numbers first); the other three reach the target.
  assert.deepEqual(statuses, ['diverged', 'diverged', 'diverged', 'target-reached', 'target-reached', 'target-reached']);
  for (const t of rec.trials.values()) {
    const o = t as unknown as { host?: string; detail?: { attempts?: number; threads?: number } };
    assert.equal(o.host, hostname());
    // A divergence is the trial's result: trained once, not retried.
    assert.deepEqual([o.detail?.attempts, o.detail?.threads], [1, 1], t.key);
  }
  // Each trial was trained by exactly one worker, once (a worker logs it just after; give its line time to arrive).
  const done = () => workers.flatMap((w) => [...w.log().matchAll(/^batchwise worker: trial (\S+): /gm)].map((m) => m[1]!));
  await waitFor(() => done().length >= 6, 'six trials in the workers’ logs', 30_000, 50);
  assert.deepEqual(done().sort(), [...rec.trials.keys()].sort());
});

test('a worker of another package version refuses the trials, in one line that reaches the coordinator', async () => {
  const spec = { ...specFor(join(dir, 'blobs.csv')), plan: { ...specFor('').plan, batchSizes: [4, 16] } };
  const { result, rec, lines } = await queued(spec, { packageVersion: '0.0.0-other' });
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, new RegExp(`^worker ${hostname()} refuses the sweep's trials: it runs batchwise ${batchwiseVersion().replace(/\./g, '\\.')}, the sweep 0\\.0\\.0-other; install batchwise 0\\.0\\.0-other on every worker$`));
  assert.equal(rec.trials.size, 4);
  for (const t of rec.trials.values()) assert.equal(t.status, 'failed');
  assert.deepEqual(result.analysis.batches, [], 'a failed trial is no result');
});

test('a worker without the data set refuses the trials, in one line that reaches the coordinator', async () => {
  const gone = join(dir, 'moved.csv');
  copyFileSync(join(dir, 'blobs.csv'), gone);
  const spec = { ...specFor(gone), plan: { ...specFor('').plan, batchSizes: [16] } };
  const data = loadRunData(spec.base);
  rmSync(gone);
  assert.ok(data.train.count > 0 && !existsSync(gone));
  const { rec, lines } = await queued(spec, {}, data);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /^worker \S+ refuses the sweep's trials: it cannot load the data set .*moved\.csv \(.*\); copy it to the same path on every worker$/);
  assert.deepEqual([...rec.trials.values()].map((t) => t.status), ['failed', 'failed']);
});

test('Redis unreachable: one line, exit 2, nothing written', () => {
  const args = ['sweep', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--threads', '1', '--batch-sizes', '16', '--target-accuracy', '0.9', '--db', 'u.db'];
  const sock = assertUserError(runCli([...args, '--queue', join(dir, 'nothing.sock')], dir));
  assert.match(sock, /^cannot reach Redis at .*nothing\.sock \(.*\); start redis-server there or fix --queue$/);
  assert.equal(existsSync(join(dir, 'u.db')), false);
  // Port 1 on loopback: nothing listens there.
  assert.match(assertUserError(runCli(['worker', '--queue', 'redis://127.0.0.1:1'], dir)), /^cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.*\); start redis-server there or fix --queue$/);
  assert.match(assertUserError(runCli([...args, '--queue', 'localhost:6379'], dir)), /^--queue must be redis:\/\/HOST:PORT .* or the path of a unix socket, got "localhost:6379"$/);
});
