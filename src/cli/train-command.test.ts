/**
 * `batchwise train` end to end on a small seeded CSV (600 rows × 10 features, 3 Gaussian blobs):
 * the --json result, target and divergence stops, the JSON-lines log, checkpoints, exact resume,
 * and the exported model.onnx run on its own in a fresh ONNX Runtime session.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { loadDataset, splitIndices } from '../data/load.js';
import { DEFAULT_LR } from './train-options.js';
import { assertNoStack, assertOk, lastJson, type Blobs } from './testing/cli-fixtures.js';
import { CLASSES, FEATURES, HIDDEN, ROWS, SIZES, stepsPerEpoch, trainFolder } from './testing/train-fixtures.js';

/** dense 10→16 and 16→3, weights and biases. */
const PARAMS = FEATURES * HIDDEN + HIDDEN + HIDDEN * CLASSES + CLASSES;

const folder = trainFolder();
const train = folder.train;
let dir = '';
let blobs: Blobs;
before(() => {
  dir = folder.dir();
  blobs = folder.blobs();
});

test('the split sizes the tests rely on', () => {
  assert.deepEqual(SIZES, { train: 495, validation: 45, test: 60 });
});

test('--json: a completed run reports its steps, accuracy, loss and speed', () => {
  const run = train('--epochs', '3', '--batch-size', '20', '--iter-size', '2', '--json');
  assertOk(run);
  assertNoStack(run);
  assert.match(run.stderr, new RegExp(`: ${SIZES.train} train / ${SIZES.validation} validation / ${SIZES.test} test examples`));
  assert.match(run.stderr, /micro-batch 20 × iter-size 2 = 40 examples per update, 12 updates per epoch \(15 examples left out of each epoch/);
  const r = lastJson(run);
  assert.equal(r['status'], 'completed');
  assert.equal(r['epochs'], 3);
  assert.equal(r['stepsPerEpoch'], stepsPerEpoch(20, 2));
  assert.equal(r['steps'], 3 * stepsPerEpoch(20, 2));
  assert.equal(r['steps'], 36);
  assert.equal(r['divergedAtStep'], null);
  assert.deepEqual([r['microBatch'], r['iterSize'], r['effectiveBatch']], [20, 2, 40]);
  assert.deepEqual([r['optimizer'], r['lr'], r['model'], r['dataset']], ['momentum', DEFAULT_LR.momentum, 'mlp.json', 'blobs.csv']);
  const acc = r['testAccuracy'] as number;
  assert.ok(acc > 0.8 && acc <= 1, `test accuracy ${acc} on separable blobs`);
  assert.ok(Math.abs(acc * SIZES.test - Math.round(acc * SIZES.test)) < 1e-9, `accuracy ${acc} is a count out of ${SIZES.test}`);
  const loss = r['testLoss'] as number;
  assert.ok(Number.isFinite(loss) && loss > 0 && loss < Math.log(CLASSES), `test loss ${loss} below chance (ln 3)`);
  const vacc = r['validationAccuracy'] as number;
  assert.ok(vacc >= 0 && vacc <= 1 && Math.abs(vacc * SIZES.validation - Math.round(vacc * SIZES.validation)) < 1e-9);
  assert.ok((r['samplesPerSec'] as number) > 0);
  assert.ok((r['wallSeconds'] as number) > 0);
  assert.ok((r['trainSeconds'] as number) > 0 && (r['trainSeconds'] as number) <= (r['wallSeconds'] as number));
  assert.deepEqual([r['stepsToTarget'], r['epochsToTarget'], r['secondsToTarget']], [null, null, null]);
});

test('without --json: a readable summary on stdout', () => {
  const run = train('--epochs', '1');
  assertOk(run);
  assert.match(run.stdout, /^status: completed\n/);
  assert.match(run.stdout, new RegExp(`^steps: ${stepsPerEpoch(32)} \\(1\\.00 epochs of ${stepsPerEpoch(32)} updates of 32 examples\\)$`, 'm'));
  assert.match(run.stdout, /^test accuracy: \d+\.\d\d%/m);
});

test('--target-accuracy stops at the first evaluation that reaches it', () => {
  const run = train('--epochs', '10', '--eval-every', '3', '--target-accuracy', '0.9', '--json');
  assertOk(run);
  const r = lastJson(run);
  assert.equal(r['status'], 'target-reached');
  const at = r['stepsToTarget'] as number;
  assert.ok(Number.isInteger(at) && at > 0 && at <= (r['steps'] as number), `stepsToTarget ${at}`);
  assert.equal(r['steps'], at, 'the run stops at the evaluation that reached the target');
  assert.ok(at < 10 * stepsPerEpoch(32), 'well before the last epoch');
  assert.equal(r['epochsToTarget'], at / stepsPerEpoch(32));
  assert.ok((r['validationAccuracy'] as number) >= 0.9);
  assert.ok((r['secondsToTarget'] as number) > 0);
  assert.equal(typeof r['testAccuracy'], 'number');
});

test('a huge learning rate diverges: exit 3, status diverged, no checkpoint kept', () => {
  const run = train('--optimizer', 'sgd', '--lr', '1e6', '--epochs', '2', '--save', 'diverged', '--json');
  assertOk(run, 3);
  assertNoStack(run);
  const r = lastJson(run);
  assert.equal(r['status'], 'diverged');
  const at = r['divergedAtStep'] as number;
  assert.ok(Number.isInteger(at) && at >= 1, `divergedAtStep ${at}`);
  assert.equal(r['steps'], at, 'training stops at the diverged update');
  assert.equal(r['testAccuracy'], null);
  assert.equal(r['testLoss'], null);
  if (at < stepsPerEpoch(32)) assert.ok(!existsSync(join(dir, 'diverged', 'checkpoint.json')), 'no evaluation before divergence, so no checkpoint');

  const human = train('--optimizer', 'sgd', '--lr', '1e6', '--epochs', '2');
  assertOk(human, 3);
  assert.match(human.stdout, new RegExp(`^status: diverged at step ${at} \\(loss became NaN or infinite; try a smaller --lr\\)$`, 'm'));
});

/** The steps at which the loop evaluates: every `every` updates, at each epoch's end, at the end. */
function evaluationSteps(total: number, perEpoch: number, every: number): number[] {
  const out: number[] = [];
  for (let s = 1; s <= total; s++) if (s % every === 0 || s % perEpoch === 0 || s === total) out.push(s);
  return out;
}

test('--log: a start line, one line per evaluation, a result line', () => {
  for (const every of [5, 4]) {
    const log = `run-${every}.jsonl`;
    const run = train('--epochs', '2', '--eval-every', String(every), '--log', log, '--json');
    assertOk(run);
    const result = lastJson(run);
    const lines = readFileSync(join(dir, log), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const spe = stepsPerEpoch(32);
    const expected = evaluationSteps(2 * spe, spe, every);
    if (every === 5) assert.deepEqual(expected, [5, 10, 15, 20, 25, 30]);
    if (every === 4) assert.deepEqual(expected, [4, 8, 12, 15, 16, 20, 24, 28, 30]);
    assert.equal(lines.length, 1 + expected.length + 1, `${log}: ${lines.length} lines`);
    for (const l of lines) assert.ok(!Number.isNaN(Date.parse(l['time'] as string)), 'each line has a time');

    const start = lines[0]!;
    assert.equal(start['type'], 'start');
    assert.equal(start['stepsPerEpoch'], spe);
    assert.equal(start['effectiveBatch'], 32);
    assert.equal(start['resumedFromStep'], 0);
    assert.equal((start['config'] as { evalEvery: number }).evalEvery, every);

    const evals = lines.slice(1, -1);
    assert.deepEqual(evals.map((e) => e['type']), expected.map(() => 'evaluation'));
    assert.deepEqual(evals.map((e) => e['step']), expected);
    for (const e of evals) {
      assert.equal(e['epochs'], (e['step'] as number) / spe);
      const a = e['validationAccuracy'] as number;
      assert.ok(a >= 0 && a <= 1);
      assert.ok(Number.isFinite(e['validationLoss'] as number) && Number.isFinite(e['trainLoss'] as number));
    }
    const last = evals[evals.length - 1]!;
    assert.equal(last['validationAccuracy'], result['validationAccuracy'], 'the result reports the last evaluation');
    assert.equal(last['validationLoss'], result['validationLoss']);

    const { time: _time, type, ...logged } = lines[lines.length - 1]!;
    assert.equal(type, 'result');
    assert.deepEqual(logged, result, 'the result line is the --json result');
  }
});

test('--save writes checkpoint.json, the state file and model.onnx', () => {
  const run = train('--epochs', '2', '--save', 'saved', '--json');
  assertOk(run);
  const r = lastJson(run);
  const step = 2 * stepsPerEpoch(32);
  assert.equal(r['steps'], step);
  assert.deepEqual(readdirSync(join(dir, 'saved')).sort(), ['checkpoint.json', 'model.onnx', `state-${step}.bin`], 'earlier state files are removed');
  const meta = JSON.parse(readFileSync(join(dir, 'saved', 'checkpoint.json'), 'utf8')) as {
    format: string;
    step: number;
    stateFile: string;
    layout: { params: number[]; slotsPerParam: number; globals: number };
    normalization: { mean: number[]; std: number[] };
    config: { batchSize: number; epochs: number; optimizer: string; dataset: string };
  };
  assert.equal(meta.format, 'batchwise-checkpoint-1');
  assert.equal(meta.step, step);
  assert.equal(meta.stateFile, `state-${step}.bin`);
  assert.deepEqual(meta.layout, { params: [FEATURES * HIDDEN, HIDDEN, HIDDEN * CLASSES, CLASSES], slotsPerParam: 1, globals: 0 });
  assert.deepEqual([meta.config.batchSize, meta.config.epochs, meta.config.optimizer, meta.config.dataset], [32, 2, 'momentum', 'blobs.csv']);
  // Momentum keeps one velocity per parameter: float32 params then velocities.
  assert.equal(statSync(join(dir, 'saved', meta.stateFile)).size, PARAMS * 2 * 4);
  assert.equal(meta.normalization.mean.length, FEATURES);
  assert.equal(meta.normalization.std.length, FEATURES);
  assert.ok(statSync(join(dir, 'saved', 'model.onnx')).size > PARAMS * 4);
  assert.ok(run.stderr.startsWith(`batchwise: mlp.json (${PARAMS} parameters) on blobs.csv`), run.stderr);
});

test('model.onnx runs on its own: raw features in, probabilities out, the run’s test accuracy', async () => {
  const run = train('--epochs', '2', '--save', 'exported', '--json');
  assertOk(run);
  const reported = lastJson(run)['testAccuracy'] as number;

  // The same seeded split the run used (default seed 1 and fractions), on the raw rows.
  const split = splitIndices(ROWS, 1 / 12, 0.1, 1);
  assert.equal(split.test.length, SIZES.test);
  const raw = new Float32Array(SIZES.test * FEATURES);
  split.test.forEach((row, i) => raw.set(blobs.x[row]!, i * FEATURES));
  const labels = Array.from(split.test, (row) => blobs.y[row]!);
  // Cross-check against the loader: same labels, and its test features are these rows normalised.
  const data = loadDataset({ dataset: join(dir, 'blobs.csv'), validationFraction: 1 / 12, testFraction: 0.1, seed: 1 });
  assert.deepEqual(Array.from(data.test.y), labels);
  for (let i = 0; i < raw.length; i++) {
    const k = i % FEATURES;
    const expected = (raw[i]! - data.normalization.mean[k]!) / data.normalization.std[k]!;
    assert.ok(Math.abs(data.test.x[i]! - expected) < 1e-4, `feature ${i}`);
  }
  const meta = JSON.parse(readFileSync(join(dir, 'exported', 'checkpoint.json'), 'utf8')) as { normalization: { mean: number[]; std: number[] } };
  assert.deepEqual(meta.normalization.mean, Array.from(data.normalization.mean));
  assert.deepEqual(meta.normalization.std, Array.from(data.normalization.std));

  const session = await ort.InferenceSession.create(join(dir, 'exported', 'model.onnx'), { intraOpNumThreads: 1 });
  try {
    assert.deepEqual(session.inputNames, ['input']);
    assert.deepEqual(session.outputNames, ['probabilities']);
    const out = await session.run({ input: new ort.Tensor('float32', raw, [SIZES.test, FEATURES]) });
    const probs = out['probabilities']!;
    assert.deepEqual(probs.dims, [SIZES.test, CLASSES]);
    const p = probs.data as Float32Array;
    let correct = 0;
    for (let i = 0; i < SIZES.test; i++) {
      const row = Array.from(p.subarray(i * CLASSES, (i + 1) * CLASSES));
      for (const v of row) assert.ok(v >= 0 && v <= 1, `probability ${v}`);
      const sum = row.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} sums to ${sum}`);
      if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
    }
    assert.equal(correct / SIZES.test, reported, `model.onnx gets ${correct}/${SIZES.test} right; the run reported ${reported}`);
    assert.ok(reported > 0.8);
  } finally {
    await session.release();
  }
});

/**
 * Resume is exact: N epochs saved, then resumed to N+M epochs, ends with the same numbers (and
 * the same state file, bit for bit) as one run of N+M epochs. The schedule must not depend on the
 * run's length for that (cosine stretches over --epochs), so these use constant and step.
 */
const RESUME_CASES: { name: string; flags: string[]; n: number; m: number; perEpoch: number; stateFloats: number }[] = [
  { name: 'momentum, constant', flags: ['--schedule', 'constant'], n: 2, m: 2, perEpoch: stepsPerEpoch(32), stateFloats: 2 * PARAMS },
  {
    name: 'adam, step schedule, iter-size 2',
    flags: ['--optimizer', 'adam', '--lr', '0.01', '--schedule', 'step:10:0.5', '--batch-size', '16', '--iter-size', '2'],
    n: 1,
    m: 2,
    perEpoch: stepsPerEpoch(16, 2),
    stateFloats: 3 * PARAMS,
  },
  // iRprop+ keeps a global (the previous loss): restored too.
  { name: 'irprop+, full batch', flags: ['--optimizer', 'irprop+', '--batch-size', 'full', '--schedule', 'constant'], n: 6, m: 6, perEpoch: 1, stateFloats: -1 },
];

for (const c of RESUME_CASES) {
  test(`--resume continues exactly like one uninterrupted run (${c.name})`, () => {
    const d = `resume-${c.name.replace(/\W+/g, '-')}`;
    const first = train(...c.flags, '--epochs', String(c.n), '--save', d, '--json');
    assertOk(first);
    assert.equal(lastJson(first)['steps'], c.n * c.perEpoch);

    const resumed = train(...c.flags, '--epochs', String(c.n + c.m), '--resume', d, '--json');
    assertOk(resumed);
    assert.match(resumed.stderr, new RegExp(`; resuming at step ${c.n * c.perEpoch}\\n`));
    const a = lastJson(resumed);

    const whole = train(...c.flags, '--epochs', String(c.n + c.m), '--save', `${d}-whole`, '--json');
    assertOk(whole);
    const b = lastJson(whole);

    const total = (c.n + c.m) * c.perEpoch;
    for (const r of [a, b]) {
      assert.equal(r['status'], 'completed');
      assert.equal(r['steps'], total);
      assert.equal(r['epochs'], c.n + c.m);
    }
    for (const k of ['testAccuracy', 'testLoss', 'validationAccuracy', 'validationLoss']) assert.equal(a[k], b[k], k);
    const stateFile = `state-${total}.bin`;
    const resumedState = readFileSync(join(dir, d, stateFile));
    if (c.stateFloats > 0) assert.equal(resumedState.length, c.stateFloats * 4);
    assert.ok(resumedState.equals(readFileSync(join(dir, `${d}-whole`, stateFile))), 'the final training state is bit-identical');
    assert.ok(readFileSync(join(dir, d, 'model.onnx')).equals(readFileSync(join(dir, `${d}-whole`, 'model.onnx'))), 'the same model.onnx');
  });
}
