import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import test from 'node:test';
import { UserError } from '../errors.js';
import { flagName } from './options.js';
import { EXIT, parseCli, type CliCall } from './parse.js';
import { trainDecls } from './train-options.js';

function train(...args: string[]): Extract<CliCall, { command: 'train' }> {
  const call = parseCli(['train', ...args]);
  assert.equal(call.command, 'train');
  return call as Extract<CliCall, { command: 'train' }>;
}

function throwsExactly(argv: string[], message: string): void {
  assert.throws(
    () => parseCli(argv),
    (e: unknown) => {
      assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
      assert.equal(e.message, message);
      return true;
    },
  );
}

test('exit codes are the documented ones', () => {
  assert.deepEqual({ ...EXIT }, { ok: 0, diverged: 3, usage: 2, bug: 1, interrupted: 130 });
});

test('train defaults', () => {
  const { options: o, given } = train();
  assert.deepEqual(given, []);
  assert.equal(o.model, 'mlp');
  assert.equal(o.dataset, 'mnist');
  assert.equal(o.batchSize, 32);
  assert.equal(o.iterSize, 1);
  assert.equal(o.optimizer, 'momentum');
  assert.equal(o.schedule, 'cosine');
  assert.equal(o.epochs, 5);
  assert.equal(o.validationFraction, 1 / 12, 'the ratio 1/12 exactly, not a rounded decimal');
  assert.equal(o.testFraction, 0.1);
  assert.equal(o.warmupSteps, 0);
  assert.equal(o.weightDecay, 0);
  assert.equal(o.seed, 1);
  assert.equal(o.threads, availableParallelism());
  assert.equal(o.json, false);
  // No default: the optimizer's own learning rate and hyper-parameters apply.
  for (const k of ['lr', 'momentum', 'beta1', 'beta2', 'rho', 'eps', 'targetAccuracy', 'evalEvery', 'log', 'save', 'resume', 'testFile', 'labelColumn'] as const) {
    assert.equal(o[k], undefined, k);
  }
});

test('given lists exactly the flags on the command line, in declaration order', () => {
  const call = train('--json', '--lr', '0.1', '--batch-size', '32', '--epochs=2');
  // --batch-size 32 is the default value but was typed, so it counts as given.
  assert.deepEqual(call.given, ['batchSize', 'lr', 'epochs', 'json']);
  assert.equal(call.options.lr, 0.1);
  assert.equal(call.options.epochs, 2);
  assert.equal(call.options.json, true);
  assert.equal(call.options.iterSize, 1);
});

test('values parse to their types', () => {
  assert.equal(train('--batch-size', 'full').options.batchSize, 'full');
  assert.equal(train('--batch-size', 'auto').options.batchSize, 'auto');
  assert.equal(train('--batch-size', '1').options.batchSize, 1);
  assert.equal(train('--iter-size', '4').options.iterSize, 4);
  assert.equal(train('--lr', '1e-3').options.lr, 0.001);
  assert.equal(train('--lr=2.5').options.lr, 2.5);
  assert.equal(train('--validation-fraction', '1/4').options.validationFraction, 0.25);
  assert.equal(train('--validation-fraction', '0').options.validationFraction, 0);
  assert.equal(train('--test-fraction', '0.5').options.testFraction, 0.5);
  assert.equal(train('--target-accuracy', '1').options.targetAccuracy, 1);
  assert.equal(train('--optimizer', 'irprop+').options.optimizer, 'irprop+');
  assert.equal(train('--eval-every', '7').options.evalEvery, 7);
  assert.equal(train('--seed', '0').options.seed, 0);
  assert.equal(train('--schedule', 'step:100:0.5').options.schedule, 'step:100:0.5');
  const o = train('--save', 'runs/a', '--resume', 'runs/b', '--log', 'x.jsonl', '--model', 'm.json', '--dataset', 'd.csv').options;
  assert.deepEqual([o.save, o.resume, o.log, o.model, o.dataset], ['runs/a', 'runs/b', 'x.jsonl', 'm.json', 'd.csv']);
});

test('each bad value is a UserError naming the flag, the value and what is accepted', () => {
  const cases: [string[], string][] = [
    [['--bogus'], `unknown option '--bogus' (see batchwise train --help)`],
    [['--batch-size', '0'], '--batch-size must be a whole number ≥ 1, "full" or "auto", got "0"'],
    [['--batch-size', 'all'], '--batch-size must be a whole number ≥ 1, "full" or "auto", got "all"'],
    [['--batch-size', '2.5'], '--batch-size must be a whole number ≥ 1, "full" or "auto", got "2.5"'],
    [['--lr', '-1'], '--lr must be a number in (0, ∞), got "-1"'],
    [['--lr', '0'], '--lr must be a number in (0, ∞), got "0"'],
    [['--lr', 'fast'], '--lr must be a number in (0, ∞), got "fast"'],
    [['--iter-size', '1.5'], '--iter-size must be a whole number ≥ 1, got "1.5"'],
    [['--iter-size', '0'], '--iter-size must be a whole number ≥ 1, got "0"'],
    [['--optimizer', 'adamw'], '--optimizer must be one of sgd, momentum, nesterov, rmsprop, adam, adagrad, rprop, irprop+, got "adamw"'],
    [['--epochs', '0'], '--epochs must be a whole number ≥ 1, got "0"'],
    [['--target-accuracy', '1.5'], '--target-accuracy must be a number in (0, 1], got "1.5"'],
    [['--target-accuracy', '0'], '--target-accuracy must be a number in (0, 1], got "0"'],
    [['--validation-fraction', '0.9'], '--validation-fraction must be a fraction in [0, 0.5] (e.g. 0.1 or 1/12), got "0.9"'],
    [['--validation-fraction', '2/3'], '--validation-fraction must be a fraction in [0, 0.5] (e.g. 0.1 or 1/12), got "2/3"'],
    [['--test-fraction', '-0.1'], '--test-fraction must be a fraction in [0, 0.5] (e.g. 0.1 or 1/12), got "-0.1"'],
    [['--momentum', '1'], '--momentum must be a number in [0, 0.999999], got "1"'],
    [['--threads', '0'], '--threads must be a whole number ≥ 1, got "0"'],
    [['--lr'], `option '--lr <x>' argument missing (see batchwise train --help)`],
    [['extra'], `too many arguments for 'train'. Expected 0 arguments but got 1. (see batchwise train --help)`],
  ];
  for (const [args, message] of cases) throwsExactly(['train', ...args], message);
  throwsExactly(['bogus'], `unknown command 'bogus' (see batchwise --help)`);
});

test('the first bad flag is reported, even after a good one', () => {
  throwsExactly(['train', '--epochs', '3', '--batch-size', '0', '--lr', '-1'], '--batch-size must be a whole number ≥ 1, "full" or "auto", got "0"');
});

test('train --help lists every flag with its default', () => {
  for (const argv of [['train', '--help'], ['train', '-h'], ['help', 'train']]) {
    const call = parseCli(argv);
    assert.equal(call.command, 'help', argv.join(' '));
    const text = (call as Extract<CliCall, { command: 'help' }>).text;
    assert.match(text, /^Usage: batchwise train \[options\]/);
    for (const decl of Object.values(trainDecls)) {
      assert.ok(text.includes(flagName(decl)), `${argv.join(' ')}: help mentions ${flagName(decl)}`);
    }
    assert.match(text, /--batch-size <n\|full\|auto>[\s\S]*\(default: "32"\)/);
    assert.match(text, /--validation-fraction <f>[\s\S]*\(default: "1\/12"\)/);
  }
});

test('batchwise --help, and batchwise with no arguments, list the commands', () => {
  for (const argv of [['--help'], []]) {
    const call = parseCli(argv);
    assert.equal(call.command, 'help', JSON.stringify(argv));
    const text = (call as Extract<CliCall, { command: 'help' }>).text;
    assert.match(text, /^Usage: batchwise \[options\] \[command\]/, JSON.stringify(argv));
    assert.match(text, /^\s+train \[options\]/m);
  }
});

test('bench --optimizer: sgd by default, any optimizer by name, a clear error otherwise', () => {
  const bench = (...args: string[]) => {
    const call = parseCli(['bench', ...args]);
    assert.equal(call.command, 'bench');
    return (call as Extract<CliCall, { command: 'bench' }>).options;
  };
  assert.equal(bench().optimizer, 'sgd');
  assert.equal(bench('--optimizer', 'adam').optimizer, 'adam');
  throwsExactly(['bench', '--optimizer', 'adamw'], '--optimizer must be one of sgd, momentum, nesterov, rmsprop, adam, adagrad, rprop, irprop+, got "adamw"');
});
