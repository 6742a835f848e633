import assert from 'node:assert/strict';
import { test } from 'node:test';
import { throwsUser } from '../testing/data-fixtures.js';
import { fitDecls } from './fit-options.js';
import { flagName } from './options.js';
import { parseCli, type CliCall } from './parse.js';

type FitCall = Extract<CliCall, { command: 'fit' }>;

test('fit: --memory in bytes, the default margin, timeout and train settings', () => {
  const call = parseCli(['fit', '--model', 'cnn', '--memory', '2GiB', '--iter-size', '4']) as FitCall;
  assert.equal(call.command, 'fit');
  const o = call.options;
  assert.deepEqual([o.model, o.dataset, o.memory, o.margin, o.probeTimeout, o.iterSize, o.optimizer, o.maxBatch, o.probeMemory, o.json], ['cnn', 'mnist', 2 * 2 ** 30, 0.1, 300, 4, 'momentum', undefined, undefined, false]);
  const given = parseCli(['fit', '--memory', '1.5GB', '--margin', '0', '--probe-memory', '512MiB', '--max-batch', '100', '--json']) as FitCall;
  assert.deepEqual([given.options.memory, given.options.margin, given.options.probeMemory, given.options.maxBatch, given.options.json], [1.5e9, 0, 512 * 2 ** 20, 100, true]);
});

test('fit: bad sizes name the flag and the accepted forms', () => {
  throwsUser(() => parseCli(['fit', '--memory', '2 gigs']), /^--memory must be a number of bytes \(1e9\) or a number with a unit: .*e\.g\. 2GiB, got "2 gigs"$/);
  throwsUser(() => parseCli(['fit', '--memory', '1GiB', '--probe-memory', '-1']), /^--probe-memory must be a number of bytes .*, got "-1"$/);
});

test('fit --help lists every flag', () => {
  const call = parseCli(['fit', '--help']);
  assert.equal(call.command, 'help');
  const text = (call as Extract<CliCall, { command: 'help' }>).text;
  for (const decl of Object.values(fitDecls)) assert.ok(text.includes(flagName(decl)), `help mentions ${flagName(decl)}`);
  const top = parseCli(['--help']) as Extract<CliCall, { command: 'help' }>;
  assert.match(top.text, /^ {2}fit \[options\] +the largest micro-batch whose training step fits a\s+memory/m);
});
