/**
 * `batchwise report` end to end on a store filled through the Store API: the HTML file, the SVG
 * and PNG files with stable names, and every user mistake as exit 2 with one line on stderr.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fillStore } from '../report/testing/report-fixtures.js';
import { Store } from '../store/store.js';
import { assertOk, assertUserError, makeTempDir, removeDir, runCli } from './testing/cli-fixtures.js';

let dir = '';
let ids: ReturnType<typeof fillStore>;
const report = (...args: string[]) => runCli(['report', ...args], dir);

before(() => {
  dir = makeTempDir();
  const store = Store.open(join(dir, 's.db'));
  ids = fillStore(store);
  store.close();
  Store.open(join(dir, 'empty.db')).close();
});
after(() => removeDir(dir));

test('report --run writes one HTML file for the run, replacing an older report', () => {
  writeFileSync(join(dir, 'old.html'), 'an older report');
  const run = report('--db', 's.db', '--run', String(ids.fit), '--out', 'old.html');
  assertOk(run);
  assert.equal(run.stdout, 'wrote old.html: 1 run(s), 2 plot(s); open it in a browser (it needs no network)\n');
  const html = readFileSync(join(dir, 'old.html'), 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.ok(html.includes(`id="run-${ids.fit}-memory-fit"`) && html.includes(`id="run-${ids.fit}-memory-by-component"`));
  assert.ok(!html.includes(`id="run-${ids.sweep}-`), 'only the run asked for');
});

test('report without --run covers every run, newest first', () => {
  assertOk(report('--db', 's.db'));
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  const order = [...html.matchAll(/<section class="run" id="run-(\d+)"/g)].map((m) => Number(m[1]));
  assert.deepEqual(order, Object.values(ids).sort((a, b) => b - a));
});

test('--format png and svg write one file per plot under a stable name', () => {
  const png = report('--db', 's.db', '--run', String(ids.noise), '--format', 'png', '--out', 'plots');
  assertOk(png);
  assert.equal(png.stdout, `${join('plots', `run-${ids.noise}-noise-along-training.png`)}\n`);
  const bytes = readFileSync(join(dir, 'plots', `run-${ids.noise}-noise-along-training.png`));
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  assertOk(report('--db', 's.db', '--run', String(ids.recommend), '--format', 'svg', '--out', 'plots'));
  const svgs = readdirSync(join(dir, 'plots')).filter((f) => f.endsWith('.svg')).sort();
  const r = ids.recommend;
  assert.deepEqual(svgs, ['memory-by-component', 'memory-fit', 'noise-along-training', 'pilot-and-verification-curves', 'pilot-rates-extrapolated', 'predicted-time-by-batch', 'throughput-by-micro-batch'].map((n) => `run-${r}-${n}.svg`));
  assert.match(readFileSync(join(dir, 'plots', svgs[0]!), 'utf8'), /^<svg/);
});

test('bad input is one line, exit 2', () => {
  assert.match(assertUserError(report()), /--db is required/);
  assert.match(assertUserError(report('--db', 'missing.db')), /missing\.db/);
  assert.match(assertUserError(report('--db', 's.db', '--run', '99')), /--run 99: no such run in s\.db/);
  assert.match(assertUserError(report('--db', 's.db', '--run', '0')), /--run must be a whole number ≥ 1, got "0"/);
  assert.match(assertUserError(report('--db', 's.db', '--format', 'pdf')), /--format must be one of html, svg, png, got "pdf"/);
  assert.match(assertUserError(report('--db', 'empty.db')), /empty\.db has no runs yet/);
  mkdirSync(join(dir, 'a-folder'), { recursive: true });
  assert.match(assertUserError(report('--db', 's.db', '--out', 'a-folder')), /--out a-folder is a folder; --format html writes one file/);
  writeFileSync(join(dir, 'a-file'), '');
  assert.match(assertUserError(report('--db', 's.db', '--format', 'png', '--out', 'a-file')), /--out a-file is a file; --format png writes one file per plot into a folder/);
  assert.match(assertUserError(report('--db', 's.db', '--out', 's.db')), /--out s\.db is the --db store itself/);
});
