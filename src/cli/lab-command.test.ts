import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertNoStack, assertOk, assertUserError, lastJson, makeTempDir, removeDir, runCli } from './testing/cli-fixtures.js';

let dir = '';
before(() => (dir = makeTempDir()));
after(() => removeDir(dir));

const SMALL = ['--examples', '24', '--epochs', '3', '--batch-sizes', '1,4,full'];

test('lab zigzag: a table, the verdict, PNG and SVG plots in --out, and a lab run in --db', () => {
  const run = runCli(['lab', 'zigzag', ...SMALL, '--out', 'plots', '--db', 'lab.db'], dir);
  assertOk(run);
  assert.match(run.stdout, /^batch\s+updates\s+examples\s+path \/ displacement/m);
  assert.match(run.stdout, /^1\s+72\s+72\s/m);
  assert.match(run.stdout, /^24 \(full\)\s+3\s+72\s/m);
  assert.match(run.stdout, /Bears out C5 and C6c/);
  for (const f of ['zigzag-paths', 'zigzag-distance']) {
    assert.deepEqual([...readFileSync(join(dir, 'plots', `${f}.png`)).subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.match(readFileSync(join(dir, 'plots', `${f}.svg`), 'utf8'), /^<svg/);
  }
  const runs = JSON.parse(runCli(['runs', '--db', 'lab.db', '--export', 'json'], dir).stdout) as { kind: string; status: string; summary: { verdict: { holds: boolean }; plots: { name: string }[] } }[];
  assert.equal(runs.length, 1);
  assert.deepEqual([runs[0]!.kind, runs[0]!.status, runs[0]!.summary.verdict.holds], ['lab', 'finished', true]);
  assert.deepEqual(runs[0]!.summary.plots.map((p) => p.name), ['zigzag-paths', 'zigzag-distance']);
  // The same command again replaces its run rather than adding one.
  assertOk(runCli(['lab', 'zigzag', ...SMALL, '--db', 'lab.db'], dir));
  assert.equal((JSON.parse(runCli(['runs', '--db', 'lab.db', '--export', 'json'], dir).stdout) as unknown[]).length, 1);
});

test('lab zigzag --json: figures per batch size and the plot specs', () => {
  const r = lastJson(runCli(['lab', 'zigzag', ...SMALL, '--json'], dir));
  const runs = (r['figures'] as { runs: { batch: number; lengthOverDisplacement: number }[] }).runs;
  assert.deepEqual(runs.map((x) => x.batch), [1, 4, 24]);
  assert.ok(runs[0]!.lengthOverDisplacement > runs[2]!.lengthOverDisplacement);
  assert.equal(existsSync(join(dir, 'zigzag-paths.png')), false, 'no files without --out');
});

test('lab: no name, an unknown name and a bad value are one clear line each', () => {
  assert.match(assertUserError(runCli(['lab'], dir)), /lab: name an experiment: zigzag \(C5, C6c\)/);
  assert.match(assertUserError(runCli(['lab', 'zigzog'], dir)), /unknown experiment "zigzog"; the experiments are zigzag/);
  const bad = runCli(['lab', 'zigzag', '--condition', '0.5'], dir);
  assert.match(assertUserError(bad), /--condition must be a number in \[1, 1000000\], got "0.5"/);
  assertNoStack(bad);
});

test('lab escape --problems synthetic: the fraction in the better basin per B, the verdict and the two plots', () => {
  const run = runCli(['lab', 'escape', '--problems', 'synthetic', '--batch-sizes', '1,full', '--seeds', '4', '--out', 'escape'], dir);
  assertOk(run);
  assert.match(run.stdout, /^escape\s+1\s+4\s+10\s+0\.275\s+100\.0%/m);
  assert.match(run.stdout, /^escape\s+32 \(full\)\s+1\s+10\s+0\.542\s+0\.0%/m);
  assert.match(run.stdout, /Bears out C2: on the escape problem 100\.0% of the B = 1 runs cross the ridge/);
  for (const f of ['escape-landscape', 'escape-fraction']) assert.deepEqual([...readFileSync(join(dir, 'escape', `${f}.png`)).subarray(1, 4)], [0x50, 0x4e, 0x47]);
});

test('lab --web --out writes the browser lab as a static folder: the page, the compiled modules, onnxruntime-web\'s wasm', () => {
  const run = runCli(['lab', '--web', '--out', 'site'], dir);
  assertOk(run);
  assert.match(run.stdout, /^wrote the browser lab to site \(\d+ files/);
  const page = readFileSync(join(dir, 'site', 'index.html'), 'utf8');
  assert.match(page, /<script type="importmap">\{"imports":\{"onnx-proto":"\.\/vendor\/onnx-proto\.js","onnxruntime-web":"\.\/ort\/ort\.wasm\.min\.mjs"\}\}/);
  assert.match(readFileSync(join(dir, 'site', 'js', 'lab', 'web', 'zigzag-page.js'), 'utf8'), /export async function runZigzagInPage/);
  const wasm = readFileSync(join(dir, 'site', 'ort', 'ort-wasm-simd-threaded.wasm'));
  assert.deepEqual([...wasm.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
  assert.match(assertUserError(runCli(['lab', '--web'], dir)), /lab --web needs --out DIR/);
  assert.match(assertUserError(runCli(['lab', 'zigzag', '--web', '--out', 'x'], dir)), /drop "zigzag"/);
});
