/**
 * Ctrl-C: `batchwise train` stops after the current run, saves, prints its summary and exits 130;
 * `--resume` then finishes the run, ending exactly where one uninterrupted run ends (the default
 * cosine schedule included, since both know the run's full length).
 * A larger CSV (12000 rows, a 1024-1024 MLP) makes a run last a few seconds, long enough to
 * interrupt after its first evaluation.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  assertNoStack,
  assertOk,
  lastJson,
  makeBlobs,
  makeTempDir,
  removeDir,
  runCli,
  splitSizes,
  startCli,
  waitFor,
  writeBlobsCsv,
  writeJson,
} from './testing/cli-fixtures.js';

const ROWS = 12000;
const EPOCHS = 3;
const STEPS_PER_EPOCH = Math.floor(splitSizes(ROWS, 1 / 12, 0.1).train / 32);
let dir = '';

before(() => {
  dir = makeTempDir();
  // Overlapping blobs, so the loss keeps moving over all three epochs.
  writeBlobsCsv(join(dir, 'big.csv'), makeBlobs({ rows: ROWS, features: 20, classes: 3, seed: 99, separation: 1, noise: 2 }));
  writeJson(join(dir, 'wide.json'), {
    layers: [{ type: 'dense', units: 1024 }, { type: 'relu' }, { type: 'dense', units: 1024 }, { type: 'relu' }, { type: 'dense', units: 3 }],
  });
});
after(() => removeDir(dir));

const FLAGS = ['--model', 'wide.json', '--dataset', 'big.csv', '--threads', '1', '--epochs', String(EPOCHS), '--eval-every', '25'];

test('SIGINT saves, reports and exits 130; --resume finishes the run exactly', async () => {
  assert.equal(STEPS_PER_EPOCH, 309);
  const log = join(dir, 'run.jsonl');
  const { child, done } = startCli(['train', ...FLAGS, '--save', 'ckpt', '--log', 'run.jsonl'], dir);
  let exited = false;
  void done.then(() => (exited = true));
  try {
    // After the first evaluation the SIGINT handler is installed and step > 0.
    await waitFor(() => exited || (existsSync(log) && readFileSync(log, 'utf8').includes('"type":"evaluation"')), 'the first evaluation');
    assert.ok(!exited, 'the run is still going when interrupted');
    assert.ok(child.kill('SIGINT'));
  } finally {
    if (!exited && child.exitCode === null && child.signalCode === null && !child.killed) child.kill('SIGKILL');
  }
  const run = await done;

  assert.equal(run.code, 130, `exit ${run.code} (signal ${run.signal}); stderr:\n${run.stderr}`);
  assertNoStack(run);
  assert.match(run.stderr, /batchwise: stopping after the current run and saving to ckpt \(Ctrl-C again to quit at once\)/);
  assert.match(run.stdout, /^status: interrupted\n/);
  const printed = /^steps: (\d+) \(/m.exec(run.stdout);
  assert.ok(printed, `summary has the steps:\n${run.stdout}`);
  const stoppedAt = Number(printed[1]);
  assert.match(run.stdout, /^test accuracy: \d+\.\d\d%/m);
  assert.match(run.stdout, /^saved: ckpt\/checkpoint\.json \(resume with --resume ckpt\) and ckpt\/model\.onnx$/m);

  const meta = JSON.parse(readFileSync(join(dir, 'ckpt', 'checkpoint.json'), 'utf8')) as { step: number; stateFile: string };
  assert.ok(meta.step > 0 && meta.step < EPOCHS * STEPS_PER_EPOCH, `checkpoint step ${meta.step}`);
  assert.equal(meta.step, stoppedAt, 'the checkpoint holds the step the summary reports');
  assert.ok(existsSync(join(dir, 'ckpt', meta.stateFile)));
  const lines = readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const result = lines[lines.length - 1]!;
  assert.deepEqual([result['type'], result['status'], result['steps']], ['result', 'interrupted', stoppedAt]);

  const resumed = runCli(['train', ...FLAGS, '--resume', 'ckpt', '--json'], dir);
  assertOk(resumed);
  assert.match(resumed.stderr, new RegExp(`; resuming at step ${stoppedAt}\\n`));
  const r = lastJson(resumed);
  assert.equal(r['status'], 'completed');
  assert.equal(r['steps'], EPOCHS * STEPS_PER_EPOCH);
  assert.equal(r['epochs'], EPOCHS);
  assert.equal(JSON.parse(readFileSync(join(dir, 'ckpt', 'checkpoint.json'), 'utf8')).step, EPOCHS * STEPS_PER_EPOCH);

  const whole = runCli(['train', ...FLAGS, '--json'], dir);
  assertOk(whole);
  const w = lastJson(whole);
  for (const k of ['steps', 'testAccuracy', 'testLoss', 'validationAccuracy', 'validationLoss']) assert.equal(r[k], w[k], k);
});
