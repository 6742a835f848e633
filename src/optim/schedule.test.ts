import test from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../errors.js';
import { completeSchedule, lrAt, lrRange, parseSchedule, scheduleFlag, type ScheduleSpec } from './schedule.js';

const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('constant', () => {
  const spec: ScheduleSpec = { kind: 'constant', warmupSteps: 0 };
  for (const i of [0, 1, 1000]) assert.equal(lrAt(spec, 0.1, i), 0.1);
});

test('step: multiply by gamma every everySteps updates', () => {
  const spec: ScheduleSpec = { kind: 'step', everySteps: 10, gamma: 0.5, warmupSteps: 0 };
  near(lrAt(spec, 0.8, 0), 0.8, 'i=0');
  near(lrAt(spec, 0.8, 9), 0.8, 'i=9');
  near(lrAt(spec, 0.8, 10), 0.4, 'i=10');
  near(lrAt(spec, 0.8, 19), 0.4, 'i=19');
  near(lrAt(spec, 0.8, 20), 0.2, 'i=20');
  near(lrAt(spec, 0.8, 35), 0.1, 'i=35');
});

test('cosine: from lr to minLr over totalSteps, then flat', () => {
  const spec: ScheduleSpec = { kind: 'cosine', totalSteps: 100, minLr: 0.01, warmupSteps: 0 };
  near(lrAt(spec, 1, 0), 1, 'start');
  near(lrAt(spec, 1, 50), 0.505, 'half way: (lr + minLr)/2');
  near(lrAt(spec, 1, 25), 0.01 + 0.99 * (1 + Math.SQRT1_2) / 2, 'quarter');
  near(lrAt(spec, 1, 100), 0.01, 'end');
  near(lrAt(spec, 1, 5000), 0.01, 'after the end');
  const lrs = lrRange(spec, 1, 0, 101);
  for (let i = 1; i < lrs.length; i++) assert.ok(lrs[i]! <= lrs[i - 1]!, 'non-increasing');
});

test('cosine restart: from update s the decay goes on from rate r to minLr at the same end', () => {
  const first = completeSchedule(parseSchedule('cosine:0.01'), { totalUpdates: 24, warmupSteps: 4 });
  const r = lrAt(first, 1, 15);
  const spec = completeSchedule(parseSchedule('cosine:0.01'), { totalUpdates: 44, warmupSteps: 4, restart: { step: 16, lr: r } });
  assert.deepEqual(spec, { kind: 'cosine', minLr: 0.01, totalSteps: 40, warmupSteps: 4, restart: { step: 16, lr: r } });
  near(lrAt(spec, 1, 16), r, 'starts at the rate reached');
  // Half way through the 28 updates left: (r + minLr)/2.
  near(lrAt(spec, 1, 30), (r + 0.01) / 2, 'half way');
  near(lrAt(spec, 1, 44), 0.01, 'end');
  near(lrAt(spec, 1, 60), 0.01, 'after the end');
  const lrs = lrRange(spec, 1, 16, 29);
  for (let i = 1; i < lrs.length; i++) assert.ok(lrs[i]! < lrs[i - 1]!, 'decreasing');
  // Before the restart: the curve over the new length (never run), identical to a plan without one.
  const plain = completeSchedule(parseSchedule('cosine:0.01'), { totalUpdates: 44, warmupSteps: 4 });
  for (const i of [0, 3, 4, 10, 15]) assert.equal(lrAt(spec, 1, i), lrAt(plain, 1, i), `update ${i}`);
  assert.throws(() => completeSchedule(parseSchedule('cosine'), { totalUpdates: 44, warmupSteps: 4, restart: { step: 3, lr: 0.5 } }), /internal error: cosine restart/);
});

test('warm-up: lr·(i+1)/W for the first W updates, then the inner schedule from its start', () => {
  const W = 4;
  near(lrAt({ kind: 'constant', warmupSteps: W }, 0.2, 0), 0.05, 'i=0');
  near(lrAt({ kind: 'constant', warmupSteps: W }, 0.2, 1), 0.1, 'i=1');
  near(lrAt({ kind: 'constant', warmupSteps: W }, 0.2, 3), 0.2, 'i=W-1');
  near(lrAt({ kind: 'constant', warmupSteps: W }, 0.2, 4), 0.2, 'i=W');
  const step: ScheduleSpec = { kind: 'step', everySteps: 2, gamma: 0.1, warmupSteps: W };
  assert.deepEqual(
    Array.from({ length: 9 }, (_, i) => +lrAt(step, 1, i).toPrecision(12)),
    [0.25, 0.5, 0.75, 1, 1, 1, 0.1, 0.1, 0.01],
  );
  const cos = completeSchedule(parseSchedule('cosine'), { totalUpdates: 14, warmupSteps: W });
  assert.deepEqual(cos, { kind: 'cosine', minLr: 0, totalSteps: 10, warmupSteps: W });
  near(lrAt(cos, 1, 3), 1, 'end of warm-up');
  near(lrAt(cos, 1, 4), 1, 'cosine starts at lr');
  near(lrAt(cos, 1, 9), 0.5, 'cosine half way');
  near(lrAt(cos, 1, 14), 0, 'cosine end');
});

test('parseSchedule accepts the documented forms', () => {
  assert.deepEqual(parseSchedule('constant'), { kind: 'constant' });
  assert.deepEqual(parseSchedule('step:1000:0.5'), { kind: 'step', everySteps: 1000, gamma: 0.5 });
  assert.deepEqual(parseSchedule('cosine'), { kind: 'cosine', minLr: 0 });
  assert.deepEqual(parseSchedule('cosine:1e-5'), { kind: 'cosine', minLr: 1e-5 });
  assert.deepEqual(completeSchedule(parseSchedule('step:3:0.1'), { totalUpdates: 100, warmupSteps: 2 }), {
    kind: 'step',
    everySteps: 3,
    gamma: 0.1,
    warmupSteps: 2,
  });
  assert.equal(completeSchedule(parseSchedule('cosine'), { totalUpdates: 3, warmupSteps: 5 }).kind, 'cosine');
});

test('parseSchedule errors name the value and the accepted forms', () => {
  const bad: [string, RegExp][] = [
    ['linear', /unknown schedule "linear"/],
    ['', /unknown schedule ""/],
    ['constant:1', /constant takes no arguments/],
    ['step', /step needs EVERY and GAMMA/],
    ['step:10', /step needs EVERY and GAMMA/],
    ['step:0:0.5', /EVERY must be an integer >= 1, got 0/],
    ['step:2.5:0.5', /EVERY must be an integer >= 1, got 2.5/],
    ['step:x:0.5', /EVERY "x" is not a number/],
    ['step:10:', /GAMMA "" is not a number/],
    ['step:10:-1', /GAMMA must be > 0, got -1/],
    ['cosine:abc', /MINLR "abc" is not a number/],
    ['cosine:-1', /MINLR must be >= 0, got -1/],
    ['cosine:1:2', /cosine takes at most MINLR/],
  ];
  for (const [text, why] of bad) {
    assert.throws(
      () => parseSchedule(text),
      (e: unknown) =>
        e instanceof UserError &&
        why.test(e.message) &&
        e.message.startsWith(`--schedule ${JSON.stringify(text)}:`) &&
        e.message.includes('constant, step:EVERY:GAMMA') &&
        e.message.includes('cosine:MINLR'),
      text,
    );
  }
  assert.throws(() => completeSchedule({ kind: 'constant' }, { totalUpdates: 10, warmupSteps: -1 }), /--warmup-steps must be an integer >= 0, got -1/);
});

test('scheduleFlag writes a parsed schedule back as --schedule takes it', () => {
  for (const text of ['constant', 'step:1000:0.5', 'cosine', 'cosine:0.00001']) assert.deepEqual(parseSchedule(scheduleFlag(parseSchedule(text))), parseSchedule(text));
  assert.equal(scheduleFlag(parseSchedule('cosine:1e-5')), 'cosine:0.00001');
});
