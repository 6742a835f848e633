/**
 * `batchwise fit` end to end on a small seeded CSV (600 rows × 10 features, 3 blobs; 495 training
 * examples with the default fractions) and a one-hidden-layer model file.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertNoStack, assertOk, assertUserError, lastJson, makeBlobs, makeTempDir, removeDir, runCli, writeBlobsCsv, writeJson } from './testing/cli-fixtures.js';

const FEATURES = 10;
const CLASSES = 3;
const HIDDEN = 16;
const TRAIN = 495;
const PARAMS = FEATURES * HIDDEN + HIDDEN + HIDDEN * CLASSES + CLASSES;

let dir = '';
const BASE = ['fit', '--model', 'net.json', '--dataset', 'blobs.csv', '--threads', '1'];
const fit = (...args: string[]) => runCli([...BASE, ...args], dir);

before(() => {
  dir = makeTempDir();
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 600, features: FEATURES, classes: CLASSES, seed: 7, separation: 3 }));
  writeJson(join(dir, 'net.json'), { layers: [{ type: 'dense', units: HIDDEN }, { type: 'relu' }, { type: 'dense', units: CLASSES }] });
});
after(() => removeDir(dir));

test('--json: doubling up to --max-batch, every probe fitting, and the counted components', () => {
  const run = fit('--memory', '1GiB', '--max-batch', '8', '--json');
  assertOk(run);
  assertNoStack(run);
  const r = lastJson(run);
  const probes = r['probes'] as { batchSize: number; ok: boolean; fits: boolean; peakBytes: number }[];
  assert.deepEqual(probes.map((p) => [p.batchSize, p.ok, p.fits]), [1, 2, 4, 8].map((b) => [b, true, true]));
  assert.ok(probes.every((p) => p.peakBytes > 0));
  assert.deepEqual([r['model'], r['dataset'], r['optimizer'], r['iterSize']], ['net.json', 'blobs.csv', 'momentum', 1]);
  assert.deepEqual([r['largestBatch'], r['probed'], r['maxBatch'], r['budgetBytes'], r['margin']], [8, true, 8, 2 ** 30, 0.1]);
  assert.deepEqual([r['parameters'], r['trainExamples'], r['fullBatchSize']], [PARAMS, TRAIN, TRAIN]);
  const c = r['components'] as Record<string, number>;
  assert.deepEqual([c['parametersBytes'], c['gradientsBytes'], c['optimizerStateBytes'], c['analyticActivationsBytesPerSample']], [4 * PARAMS, 4 * PARAMS, 4 * PARAMS, 4 * (FEATURES + HIDDEN + HIDDEN + CLASSES)]);
  const m = r['memoryModel'] as Record<string, number>;
  assert.equal(c['activationsBytesPerSample'], m['perSampleBytes']);
  // Progress on stderr: the settings, then one line per probe.
  assert.match(run.stderr, /^fit: net\.json on blobs\.csv, momentum, iter-size 1, 1 thread\(s\); a micro-batch fits when its peak is ≤ 921\.6 MiB \(1\.0 GiB less 10%\)\n/);
  assert.deepEqual([...run.stderr.matchAll(/^probe (\d+): [\d.]+ [KMG]?i?B, fits \([\d.]+ s\)$/gm)].map((x) => Number(x[1])), [1, 2, 4, 8]);
});

test('text: the probe table, the fitted line, the components and the answer', () => {
  const run = fit('--memory', '512MiB', '--margin', '0.2', '--max-batch', '2');
  assertOk(run);
  const out = run.stdout;
  assert.match(out, /^batch {2}result {2}peak MiB {2}seconds\n/);
  assert.match(out, /^ {4}1 {2}fits +[\d.]+ +[\d.]+\n {4}2 {2}fits +[\d.]+ +[\d.]+$/m);
  assert.match(out, /^fitted: peak ≈ -?[\d.]+ MiB \+ -?[\d.]+ KiB × batch \(r² [\d.]+\); 2 probes, [\d.]+ s in probes, [\d.]+ s in all$/m);
  assert.match(out, new RegExp(`^ {2}parameters {8}${4 * PARAMS} B \\(${PARAMS} × 4 B\\)$`, 'm'));
  assert.match(out, /^ {2}activations {7}-?[\d.]+ [KM]?i?B per example measured; 180 B per example in the layer outputs$/m);
  assert.match(out, new RegExp(`^whole training split as one batch \\(${TRAIN} examples per micro-batch\\): ≈ -?[\\d.]+ [KMG]?i?B predicted$`, 'm'));
  assert.match(out, /\nlargest micro-batch within 512\.0 MiB \(20% margin\): 2\n$/);
});

test('the largest batch is capped at the training examples ÷ iter-size', () => {
  const run = fit('--memory', '1GiB', '--iter-size', '100', '--max-batch', '1000', '--json');
  assertOk(run);
  const r = lastJson(run);
  assert.deepEqual((r['probes'] as { batchSize: number }[]).map((p) => p.batchSize), [1, 2, 4]);
  assert.deepEqual([r['largestBatch'], r['maxBatch'], r['fullBatchSize'], r['iterSize']], [4, 4, 4, 100]);
});

test('bad input: one line, exit 2, no probe', () => {
  const cases: [string[], RegExp][] = [
    [['--memory', '2GB/s'], /^--memory must be a number of bytes \(1e9\) or a number with a unit: .*, got "2GB\/s"$/],
    [['--memory', '0'], /^--memory must be a number of bytes .*, got "0"$/],
    [[], /^--memory is required: the memory budget to fit, e\.g\. --memory 2GiB$/],
    [['--memory', '1GiB', '--margin', '1'], /^--margin must be a number in \[0, 0\.9\], got "1"$/],
    [['--memory', '1GiB', '--optimizer', 'lbfgs'], /^--optimizer must be one of sgd, momentum, .*, got "lbfgs"$/],
    [['--memory', '1GiB', '--max-batch', '0'], /^--max-batch must be a whole number ≥ 1, got "0"$/],
  ];
  for (const [args, re] of cases) assert.match(assertUserError(fit(...args)), re, args.join(' '));
  assert.match(assertUserError(runCli(['fit', '--model', 'nope', '--dataset', 'blobs.csv', '--memory', '1GiB'], dir)), /nope/);
});

test('a budget too small for a micro-batch of 1: one line, exit 2; the machine cap is named', () => {
  assert.match(assertUserError(fit('--memory', '1MiB')), /^even a micro-batch of 1 needs (more than 1\.0 MiB|[\d.]+ [KM]iB) of training memory.*; raise --memory$/);
  assert.match(
    assertUserError(fit('--memory', '1TiB', '--probe-memory', '1MiB')),
    /^even a micro-batch of 1 needs .* \(this machine can probe only 1\.0 MiB\); raise --memory$/,
  );
});

test('--db keeps the probes and the fitted line as a fit run of the store', () => {
  const run = fit('--memory', '1GiB', '--max-batch', '4', '--db', 'fit.db', '--json');
  assertOk(run);
  assert.match(run.stderr, /batchwise: see the evidence: batchwise report --db fit\.db --run 1 --out run-1\.html\n$/, 'ends by naming the report command for its run');
  const listed = runCli(['runs', '--db', 'fit.db', '--export', 'json', '--table', 'probes', '--run', '1'], dir);
  assertOk(listed);
  const probes = JSON.parse(listed.stdout) as { batchSize: number; ok: boolean }[];
  assert.deepEqual(probes.map((p) => [p.batchSize, p.ok]), [[1, true], [2, true], [4, true]]);
  const runs = JSON.parse(runCli(['runs', '--db', 'fit.db', '--export', 'json'], dir).stdout) as { kind: string; status: string; summary: { largestBatch: number } }[];
  assert.deepEqual(runs.map((r) => [r.kind, r.status, r.summary.largestBatch]), [['fit', 'finished', 4]]);
});
