import assert from 'node:assert/strict';
import { test } from 'node:test';
import { throwsUser } from '../testing/data-fixtures.js';
import { formatBytes, parseBytes } from './bytes.js';

test('parseBytes: binary and decimal units, plain and scientific numbers, any case and spacing', () => {
  assert.equal(parseBytes('2GiB'), 2 * 2 ** 30);
  assert.equal(parseBytes('512MiB'), 512 * 2 ** 20);
  assert.equal(parseBytes('1.5GB'), 1.5e9);
  assert.equal(parseBytes('1e9'), 1e9);
  assert.equal(parseBytes('4096'), 4096);
  assert.equal(parseBytes('64 kib'), 65536);
  assert.equal(parseBytes('3KB'), 3000);
  assert.equal(parseBytes('1TiB'), 2 ** 40);
  assert.equal(parseBytes('.5MiB'), 2 ** 19);
  assert.equal(parseBytes('10B'), 10);
});

test('parseBytes: a bad size is one UserError naming the value and the accepted forms', () => {
  for (const bad of ['', 'abc', '2 GiBs', '-1GiB', '0', '0.2', 'GiB', '1e400', '2G', '1,5GB']) {
    throwsUser(() => parseBytes(bad, '--memory'), new RegExp(`^--memory must be a number of bytes \\(1e9\\) or a number with a unit: B, KB, MB, GB, TB .* KiB, MiB, GiB, TiB .*; got "${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"$`));
  }
});

test('formatBytes: binary units with one decimal, bytes below 1 KiB, the sign kept', () => {
  assert.equal(formatBytes(2 * 2 ** 30), '2.0 GiB');
  assert.equal(formatBytes(37.5 * 2 ** 20), '37.5 MiB');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1.0 KiB');
  assert.equal(formatBytes(2 ** 20 - 1), '1.0 MiB');
  assert.equal(formatBytes(-3 * 2 ** 20), '-3.0 MiB');
  assert.equal(formatBytes(0), '0 B');
});
