/**
 * `batchwise train --resume` on the small seeded CSV the train tests share: finishing a run,
 * refusing a flag that changes its trajectory, and extending a cosine schedule from where it was.
 * (Bit-identical resume at every stopping point is in train-command.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lrAt, type ScheduleSpec } from '../optim/schedule.js';
import { assertOk, assertUserError, lastJson } from './testing/cli-fixtures.js';
import { stepsPerEpoch, trainFolder } from './testing/train-fixtures.js';

const folder = trainFolder();
const train = folder.train;

test('--resume without --epochs finishes the checkpoint’s run instead of starting the default 5 epochs', () => {
  assertOk(train('--epochs', '2', '--save', 'short', '--json'));
  const again = train('--resume', 'short', '--json');
  assertOk(again);
  const r = lastJson(again);
  assert.equal(r['status'], 'completed');
  assert.equal(r['steps'], 2 * stepsPerEpoch(32));
  assert.equal(r['epochs'], 2);
  const more = train('--resume', 'short', '--epochs', '3', '--json');
  assertOk(more);
  assert.equal(lastJson(more)['steps'], 3 * stepsPerEpoch(32));
});

test('--resume refuses a flag that changes the trajectory, naming both values', () => {
  assertOk(train('--epochs', '1', '--save', 'fixed', '--json'));
  const checkpoint = readFileSync(join(folder.dir(), 'fixed', 'checkpoint.json'));
  const message = assertUserError(train('--epochs', '2', '--resume', 'fixed', '--batch-size', '7', '--json'));
  assert.equal(message, 'the checkpoint was trained with batchSize 32, not 7; drop that flag to resume, or start a new run without --resume');
  assert.match(assertUserError(train('--resume', 'fixed', '--optimizer', 'adam')), /^the checkpoint was trained with optimizer "momentum", not "adam";/);
  assert.ok(readFileSync(join(folder.dir(), 'fixed', 'checkpoint.json')).equals(checkpoint), 'checkpoint untouched');
  // Repeating the stored value is fine.
  const same = train('--epochs', '2', '--resume', 'fixed', '--batch-size', '32', '--json');
  assertOk(same);
  assert.equal(lastJson(same)['steps'], 2 * stepsPerEpoch(32));
});

test('--resume accepts a hyper-parameter flag that repeats the run’s value, default included', () => {
  assertOk(train('--epochs', '1', '--lr', '0.05', '--save', 'hyper', '--json'));
  // --momentum 0.9 is the default; the run's --lr 0.05 is not the default 0.02 the CLI would fill in.
  const resumed = train('--epochs', '2', '--resume', 'hyper', '--momentum', '0.9', '--json');
  assertOk(resumed);
  const r = lastJson(resumed);
  assert.deepEqual([r['steps'], r['lr']], [2 * stepsPerEpoch(32), 0.05]);
  assert.equal(
    assertUserError(train('--epochs', '3', '--resume', 'hyper', '--momentum', '0.5')),
    'the checkpoint was trained with momentum 0.9, not 0.5; drop that flag to resume, or start a new run without --resume',
  );
  assert.match(assertUserError(train('--epochs', '3', '--resume', 'hyper', '--lr', '0.02')), /^the checkpoint was trained with lr 0\.05, not 0\.02;/);
});

test('--resume with more epochs goes on from the cosine rate reached and ends at its minimum', () => {
  const perEpoch = stepsPerEpoch(32);
  const flags = ['--schedule', 'cosine:0.001', '--lr', '0.05'];
  /** The schedule the run followed, from its log's start record. */
  const planOf = (log: string) => (JSON.parse(readFileSync(join(folder.dir(), log), 'utf8').split('\n')[0]!) as { schedule: ScheduleSpec }).schedule;
  const lr = (spec: ScheduleSpec, update: number) => lrAt(spec, 0.05, update);
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * b, `${what}: ${a} vs ${b}`);

  assertOk(train(...flags, '--epochs', '2', '--save', 'cos', '--log', 'cos-2.jsonl', '--json'));
  const two = planOf('cos-2.jsonl');
  const more = train(...flags, '--epochs', '4', '--resume', 'cos', '--log', 'cos-4.jsonl', '--json');
  assertOk(more);
  assert.equal(lastJson(more)['steps'], 4 * perEpoch);
  const four = planOf('cos-4.jsonl');
  const s = 2 * perEpoch;
  const reached = lr(two, s - 1);
  assert.ok(reached < 0.0012, `the first 2 epochs decayed to about minLr: ${reached}`);
  close(lr(four, s), reached, 'the first update after the resume runs at the last one’s rate');
  assert.ok(lr(four, s + 1) < reached, 'and decays from there');
  assert.equal(lr(four, 4 * perEpoch), 0.001, 'minLr at the new end');
  assert.ok(lr(four, 4 * perEpoch - 1) - 0.001 < 1e-6, 'the last update runs at about minLr');
  assert.match(more.stderr, new RegExp(`the cosine decay goes on from lr ${reached.toPrecision(4)} to 0.001 over the ${2 * perEpoch} updates left\\n`));

  // The re-plan is kept in the checkpoint: extending again goes on from the re-planned rate.
  assertOk(train(...flags, '--epochs', '6', '--resume', 'cos', '--log', 'cos-6.jsonl', '--json'));
  close(lr(planOf('cos-6.jsonl'), 4 * perEpoch), lr(four, 4 * perEpoch - 1), 'a second extension');
});
