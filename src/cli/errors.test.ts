/**
 * Every way a user can get the command wrong ends the same way: exit 2, nothing on stdout, one
 * line on stderr that starts `batchwise: ` and names what was wrong, and no stack trace.
 * The binary is spawned, so main.ts's catch and the worker's error relay are under test too.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  assertOk,
  assertUserError,
  idxUbyte,
  makeBlobs,
  makeTempDir,
  removeDir,
  runCli,
  writeBlobsCsv,
  writeJson,
} from './testing/cli-fixtures.js';

let dir = '';
const ROWS = 600; // 60 test, 45 validation, 495 train
const TRAIN = 495;
const MLP = { layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] };

before(() => {
  dir = makeTempDir();
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: ROWS, features: 10, classes: 3, seed: 7, separation: 3 }));
  writeJson(join(dir, 'mlp.json'), MLP);
  // 30 images of 4×4 in 3 classes, and its labels file found by name.
  const pixels = Array.from({ length: 30 * 16 }, (_, i) => (i * 37) % 256);
  const labels = Array.from({ length: 30 }, (_, i) => i % 3);
  writeFileSync(join(dir, 'ok-images.idx'), idxUbyte([30, 4, 4], pixels));
  writeFileSync(join(dir, 'ok-labels.idx'), idxUbyte([30], labels));
  const badMagic = idxUbyte([30, 4, 4], pixels);
  badMagic[0] = 0x12;
  badMagic[1] = 0x34;
  writeFileSync(join(dir, 'magic-images.idx'), badMagic);
  writeFileSync(join(dir, 'magic-labels.idx'), idxUbyte([30], labels));
  writeFileSync(join(dir, 'short-images.idx'), idxUbyte([30, 4, 4], pixels).subarray(0, 100));
  writeFileSync(join(dir, 'short-labels.idx'), idxUbyte([30], labels));
  writeFileSync(join(dir, 'nonnum.csv'), '1.5,2,3,0\n4,5,6,1\n7,8,x9,1\n1,1,1,0\n');
});
after(() => removeDir(dir));

/** Runs `batchwise train ...args` in the temp folder with one thread; expects a user error. */
const fails = (...args: string[]) => assertUserError(runCli(['train', '--threads', '1', ...args], dir));
const csv = ['--model', 'mlp.json', '--dataset', 'blobs.csv'];

test('bad flags: exit 2 with the flag, the value and the fix', () => {
  assert.equal(fails('--bogus'), `unknown option '--bogus' (see batchwise train --help)`);
  assert.equal(fails('--batch-size', '0'), '--batch-size must be a whole number ≥ 1, "full" or "auto", got "0"');
  assert.equal(fails('--lr', '-1'), '--lr must be a number in (0, ∞), got "-1"');
  assert.equal(fails('--iter-size', '1.5'), '--iter-size must be a whole number ≥ 1, got "1.5"');
  assert.equal(assertUserError(runCli(['frobnicate'], dir)), `unknown command 'frobnicate' (see batchwise --help)`);
  assert.match(fails(...csv, '--schedule', 'wobbly'), /^--schedule "wobbly": unknown schedule "wobbly"; accepted forms: constant, step:EVERY:GAMMA/);
});

test('missing model file', () => {
  assert.equal(fails('--model', 'nope.json', '--dataset', 'blobs.csv'), 'no such file: nope.json');
  assert.match(fails('--model', 'resnet50'), /^--model must be mlp, .*or a \.json model file, got "resnet50"$/);
});

test('model JSON that is not JSON, or not a model', () => {
  writeFileSync(join(dir, 'broken.json'), '{"layers": [{"type": "dense", "units": 16},');
  assert.match(fails('--model', 'broken.json', '--dataset', 'blobs.csv'), /^broken\.json: not valid JSON at line 1, column \d+ \(.+\); fix the syntax there$/);
  writeJson(join(dir, 'zero.json'), { layers: [{ type: 'dense', units: 0 }] });
  assert.equal(fails('--model', 'zero.json', '--dataset', 'blobs.csv'), 'zero.json: layer 0 (dense): "units" must be a whole number ≥ 1, got 0');
  writeJson(join(dir, 'typo.json'), { layers: [{ type: 'dense', unit: 3 }] });
  assert.match(fails('--model', 'typo.json', '--dataset', 'blobs.csv'), /^typo\.json: layer 0 \(dense\): unknown option "unit" \(did you mean "units"\?\)/);
});

test('model that does not fit the data names the layer and the shapes', () => {
  writeJson(join(dir, 'five.json'), { layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 5 }] });
  assert.equal(
    fails('--model', 'five.json', '--dataset', 'blobs.csv'),
    'model "five": layer 2 (dense) outputs [5] but the data has 3 classes, so the last layer must output [3]',
  );
  writeJson(join(dir, 'convflat.json'), { layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 3 }] });
  const conv = fails('--model', 'convflat.json', '--dataset', 'blobs.csv');
  assert.match(conv, /^model "convflat": layer 0 \(conv2d\) /);
  assert.ok(conv.includes('[channels, height, width]') && conv.includes('[10]'), conv);
  writeJson(join(dir, 'noflatten.json'), { input: 'image', layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
  const dense = fails('--model', 'noflatten.json', '--dataset', 'ok-images.idx');
  assert.match(dense, /^model "noflatten": layer 2 \(dense\) /);
  assert.ok(dense.includes('[4, 2, 2]') && dense.includes('flatten'), dense);
});

test('corrupt and truncated IDX files name the file and the offset', () => {
  assert.equal(
    fails(...csv.slice(0, 2), '--dataset', 'magic-images.idx'),
    'magic-images.idx: bad magic bytes 0x1234 at offset 0 (an IDX file starts with two zero bytes)',
  );
  assert.equal(
    fails(...csv.slice(0, 2), '--dataset', 'short-images.idx'),
    'short-images.idx: truncated IDX file: header says 480 data bytes at offset 16 (dims [30, 4, 4] of ubyte), file has 100',
  );
});

test('a non-numeric CSV cell names the file, line and column', () => {
  assert.equal(fails(...csv.slice(0, 2), '--dataset', 'nonnum.csv'), 'nonnum.csv line 3, column 3: "x9" is not a number');
});

test('missing dataset files', () => {
  assert.equal(fails(...csv.slice(0, 2), '--dataset', 'nope.csv'), 'no such file: nope.csv');
  assert.match(fails(...csv.slice(0, 2), '--dataset', 'nope-images.idx'), /^no labels file for IDX images nope-images\.idx: /);
  assert.match(fails(...csv.slice(0, 2), '--dataset', 'data.parquet'), /^unknown dataset "data\.parquet": expected mnist, a \.csv file, or an IDX images file/);
});

test('a batch larger than the training split', () => {
  assert.equal(
    fails(...csv, '--batch-size', '1000'),
    `batch 1000 × iter-size 1 = 1000 examples per update, but the training split has only ${TRAIN}; ` +
      'use --batch-size full or a smaller --batch-size/--iter-size',
  );
  assert.match(fails(...csv, '--batch-size', '300', '--iter-size', '2'), new RegExp(`^batch 300 × iter-size 2 = 600 examples per update, but the training split has only ${TRAIN};`));
});

test('a batch-norm batch that is not a whole number ≥ 1 or does not divide the micro-batch', () => {
  assert.equal(fails(...csv, '--bn-batch', '0'), '--bn-batch must be a whole number ≥ 1, got "0"');
  assert.equal(
    fails(...csv, '--batch-size', '8', '--bn-batch', '3'),
    '--bn-batch 3 does not divide the micro-batch of 8 examples; use a divisor of 8 (batch norm groups must tile each micro-batch)',
  );
  assert.equal(
    fails(...csv, '--batch-size', 'auto', '--auto-min', '8', '--bn-batch', '3'),
    'batch 8 is not a multiple of --bn-batch 3, so its micro-batches cannot hold whole batch-norm groups; use a --bn-batch that divides 8 or an --auto-min that is a multiple of 3',
  );
});

test('irprop+ refuses mini-batches', () => {
  assert.equal(
    fails(...csv, '--optimizer', 'irprop+'),
    '--optimizer irprop+ compares whole-data losses between updates, so it needs --batch-size full ' +
      '(and --iter-size 1); use --optimizer rprop (iRprop−) for mini-batches',
  );
});

test('--log where no file can be written', () => {
  assert.match(fails(...csv, '--log', 'blobs.csv/run.jsonl'), /^--log blobs\.csv\/run\.jsonl: cannot write there \(E[A-Z]+\)$/);
});

test('--resume of a folder without a checkpoint', () => {
  assert.equal(fails(...csv, '--resume', 'nowhere'), '--resume nowhere: no such folder');
  mkdirSync(join(dir, 'empty'), { recursive: true });
  assert.equal(fails(...csv, '--resume', 'empty'), '--resume empty: no checkpoint.json there (was it written with --save empty?)');
});

test('--save into a folder holding a checkpoint refuses, and loses nothing', () => {
  assertOk(runCli(['train', ...csv, '--threads', '1', '--epochs', '1', '--save', 'kept'], dir));
  const files = readdirSync(join(dir, 'kept')).sort();
  assert.deepEqual(files, ['checkpoint.json', 'model.onnx', 'state-15.bin']);
  const before = files.map((f) => readFileSync(join(dir, 'kept', f)));

  assert.equal(
    fails(...csv, '--epochs', '2', '--save', 'kept'),
    '--save kept already holds a checkpoint; resume it with --resume kept, or choose another folder',
  );
  assert.deepEqual(readdirSync(join(dir, 'kept')).sort(), files, 'no file added or removed');
  files.forEach((f, i) => assert.ok(readFileSync(join(dir, 'kept', f)).equals(before[i]!), `${f} unchanged byte for byte`));
});

test('help is not an error: exit 0, usage on stdout, nothing on stderr', () => {
  for (const args of [[], ['--help'], ['train', '--help']]) {
    const run = runCli(args, dir);
    assertOk(run);
    assert.equal(run.stderr, '', JSON.stringify(args));
    assert.match(run.stdout, /^Usage: batchwise /, JSON.stringify(args));
  }
  assert.match(runCli(['train', '--help'], dir).stdout, /--resume <dir>/);
});
