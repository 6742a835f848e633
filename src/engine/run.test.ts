/**
 * What a resumed run continues with: the checkpoint's trajectory, checked against the flags the
 * user gave, and only those (the given config holds defaults for everything else); and where a
 * longer cosine run re-plans its decay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../errors.js';
import { wideConfig } from '../testing/fit-fixtures.js';
import type { GivenKey, RunConfig } from './run-config.js';
import { lrAt } from '../optim/schedule.js';
import { mergeResumeConfig, plannedSchedule, replanOnResume } from './run.js';

/** As `train --lr 0.05 --epochs 2` stores it: the flags not given are absent from `hyper`. */
const stored: RunConfig = { ...wideConfig, optimizer: 'momentum', hyper: { lr: 0.05, weightDecay: 0 }, epochs: 2 };
/** As the CLI builds a config for `--resume` with only `flags` given: defaults everywhere else. */
const resumedWith = (hyper: RunConfig['hyper'], extra: Partial<RunConfig> = {}): RunConfig => ({ ...wideConfig, hyper: { lr: 0.02, weightDecay: 0, ...hyper }, epochs: 5, ...extra });
const merge = (given: RunConfig, keys: GivenKey[]) => mergeResumeConfig(stored, given, new Set(keys));
const refusal = (message: string) => (e: unknown) => {
  assert.ok(e instanceof UserError, String(e));
  assert.equal(e.message, `${message}; drop that flag to resume, or start a new run without --resume`);
  return true;
};

test('a hyper-parameter flag that repeats the run’s value (its default included) resumes with the stored settings', () => {
  for (const [hyper, keys] of [
    [{ momentum: 0.9 }, ['hyper.momentum']],
    [{ lr: 0.05 }, ['hyper.lr']],
    [{ lr: 0.05, momentum: 0.9, weightDecay: 0 }, ['hyper.lr', 'hyper.momentum', 'hyper.weightDecay']],
    [{ beta2: 0.999, eps: 1e-8 }, ['hyper.beta2', 'hyper.eps']],
  ] as [RunConfig['hyper'], GivenKey[]][]) {
    const merged = merge(resumedWith(hyper), keys);
    assert.deepEqual(merged.hyper, stored.hyper, JSON.stringify(hyper));
    assert.equal(merged.epochs, 2, 'the run’s own length, --epochs not given');
  }
});

test('a hyper-parameter flag that changes the run is refused, naming the stored and the given value', () => {
  assert.throws(() => merge(resumedWith({ momentum: 0.5 }), ['hyper.momentum']), refusal('the checkpoint was trained with momentum 0.9, not 0.5'));
  assert.throws(() => merge(resumedWith({ lr: 0.1 }), ['hyper.lr']), refusal('the checkpoint was trained with lr 0.05, not 0.1'));
  assert.throws(() => merge(resumedWith({ weightDecay: 1e-4 }), ['hyper.weightDecay']), refusal('the checkpoint was trained with weightDecay 0, not 0.0001'));
  // The default --lr the CLI fills in (0.02 for momentum) is not compared when --lr was not given.
  assert.equal(merge(resumedWith({}), []).hyper.lr, 0.05);
});

test('the defaults compared are the stored optimizer’s own (AdaGrad’s ε is 1e-10)', () => {
  const adagrad: RunConfig = { ...stored, optimizer: 'adagrad' };
  const given = (eps: number) => resumedWith({ eps }, { optimizer: 'adagrad' });
  assert.equal(mergeResumeConfig(adagrad, given(1e-10), new Set(['hyper.eps'])).optimizer, 'adagrad');
  assert.throws(() => mergeResumeConfig(adagrad, given(1e-8), new Set(['hyper.eps'])), refusal('the checkpoint was trained with eps 1e-10, not 1e-8'));
});

test('other trajectory flags are still compared whole', () => {
  assert.throws(() => merge(resumedWith({}, { batchSize: 7 }), ['batchSize']), refusal('the checkpoint was trained with batchSize 1, not 7'));
  assert.equal(merge(resumedWith({}, { batchSize: 7 }), []).batchSize, 1, 'not given: the checkpoint’s');
});

test('a longer cosine run re-plans from the last update’s rate; a later extension from the re-planned one', () => {
  // 480 examples at batch 32: 15 updates an epoch; 3 of warm-up.
  const cosine: RunConfig = { ...stored, batchSize: 32, schedule: { kind: 'cosine', minLr: 0.001 }, warmupSteps: 3 };
  const four = replanOnResume(cosine, { ...cosine, epochs: 4 }, 30, 480);
  assert.deepEqual(four.cosineRestart, { step: 30, lr: lrAt(plannedSchedule(cosine, 480), 0.05, 29) });
  const six = replanOnResume(four, { ...four, epochs: 6 }, 45, 480);
  assert.deepEqual(six.cosineRestart, { step: 45, lr: lrAt(plannedSchedule(four, 480), 0.05, 44) });
  assert.ok(six.cosineRestart!.lr < four.cosineRestart!.lr);
  // Interrupted before an update since the re-plan, then extended again: the rate reached is the re-plan's own.
  assert.deepEqual(replanOnResume(four, { ...four, epochs: 6 }, 30, 480).cosineRestart, four.cosineRestart);
  // Nothing to re-plan: the same length, still in the warm-up, or a schedule that does not span the run.
  assert.equal(replanOnResume(cosine, { ...cosine }, 30, 480).cosineRestart, undefined);
  assert.equal(replanOnResume(cosine, { ...cosine, epochs: 4 }, 3, 480).cosineRestart, undefined);
  const step: RunConfig = { ...cosine, schedule: { kind: 'step', everySteps: 10, gamma: 0.5 } };
  assert.equal(replanOnResume(step, { ...step, epochs: 4 }, 30, 480).cosineRestart, undefined);
});
