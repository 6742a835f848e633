/**
 * Model files are checked before any training: each mistake is one line naming the layer, the
 * field and the fix, exit 2. And models built from the newer layers (avgpool2d, globalavgpool,
 * layernorm, gelu, tanh, sigmoid, leakyrelu) train, save a model.onnx that runs on its own, and go
 * through the advisor to an export.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { NEWER_LAYERS_IMAGE_MODEL } from '../testing/model-fixtures.js';
import { assertNoStack, assertOk, assertUserError, idxUbyte, lastJson, makeBlobs, makeTempDir, removeDir, runCli, writeBlobsCsv, writeJson } from './testing/cli-fixtures.js';

let dir = '';
const IMAGES = 90;

/** A flat model through every new layer that takes features. */
const FLAT = {
  layers: [
    { type: 'dense', units: 16 },
    { type: 'layernorm' },
    { type: 'gelu' },
    { type: 'dense', units: 16 },
    { type: 'tanh' },
    { type: 'dense', units: 16 },
    { type: 'sigmoid' },
    { type: 'dense', units: 16 },
    { type: 'leakyrelu', alpha: 0.1 },
    { type: 'dense', units: 3 },
  ],
};
const IMAGE = NEWER_LAYERS_IMAGE_MODEL;

before(() => {
  dir = makeTempDir();
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 600, features: 10, classes: 3, seed: 7, separation: 3 }));
  // 8×8 images, class k bright in its own third of the rows.
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let n = 0; n < IMAGES; n++) {
    const k = n % 3;
    labels.push(k);
    for (let p = 0; p < 64; p++) pixels.push(Math.floor(p / 8 / 3) === k ? 200 + ((n * 7 + p) % 50) : (n * 13 + p * 5) % 60);
  }
  writeFileSync(join(dir, 'shapes-images.idx'), idxUbyte([IMAGES, 8, 8], pixels));
  writeFileSync(join(dir, 'shapes-labels.idx'), idxUbyte([IMAGES], labels));
  writeJson(join(dir, 'flat.json'), FLAT);
  writeJson(join(dir, 'image.json'), IMAGE);
});
after(() => removeDir(dir));

const train = (...args: string[]) => runCli(['train', '--threads', '1', ...args], dir);
const refused = (model: unknown, dataset = 'blobs.csv'): string => {
  writeJson(join(dir, 'm.json'), model);
  return assertUserError(train('--model', 'm.json', '--dataset', dataset));
};

test('an unknown layer type or option, or a bad value: the layer, the field and the fix', () => {
  assert.equal(
    refused({ layers: [{ type: 'dense', units: 8 }, { type: 'gleu' }, { type: 'dense', units: 3 }] }),
    'm.json: layer 1: unknown type "gleu" (did you mean "gelu"?); the layer types are ' +
      'dense, conv2d, maxpool2d, avgpool2d, globalavgpool, relu, leakyrelu, tanh, sigmoid, gelu, layernorm, flatten, dropout, batchnorm, residual',
  );
  assert.equal(refused({ layers: [{ type: 'dense', units: 8 }, { type: 'leakyrelu', slope: 0.2 }, { type: 'dense', units: 3 }] }), 'm.json: layer 1 (leakyrelu): unknown option "slope"; leakyrelu takes "alpha"');
  assert.equal(refused({ layers: [{ type: 'layernorm', eps: 0 }, { type: 'dense', units: 3 }] }), 'm.json: layer 0 (layernorm): "eps" must be a number > 0 (PyTorch\'s default is 1e-5), got 0');
});

test('a layer its input shape cannot feed: the layer, both shapes and the fix, before training', () => {
  assert.equal(
    refused({ layers: [{ type: 'avgpool2d' }, { type: 'dense', units: 3 }] }),
    'model "m": layer 0 (avgpool2d) expects an image input [channels, height, width], got [10]; use "input": "image" in the model and put it before any flatten layer',
  );
  assert.equal(
    refused({ input: 'image', layers: [{ type: 'conv2d', filters: 2, kernel: 3 }, { type: 'flatten' }, { type: 'globalavgpool' }, { type: 'dense', units: 3 }] }, 'shapes-images.idx'),
    'model "m": layer 2 (globalavgpool) expects an image input [channels, height, width], got [72]; use "input": "image" in the model and put it where a flatten layer would go',
  );
  assert.equal(
    refused({ input: 'image', layers: [{ type: 'avgpool2d', size: 3, padding: 2 }, { type: 'flatten' }, { type: 'dense', units: 3 }] }, 'shapes-images.idx'),
    'model "m": layer 0 (avgpool2d) padding 2×2 is more than half the window 3×3; use a padding of at most 1',
  );
});

test('a model file that is not JSON: where, and what to do', () => {
  writeFileSync(join(dir, 'broken.json'), '{"layers": [\n  {"type": "dense", "units": 16}\n  {"type": "relu"}\n]}');
  const m = assertUserError(train('--model', 'broken.json', '--dataset', 'blobs.csv'));
  assert.match(m, /^broken\.json: not valid JSON at line 3, column 3 \(.+\); fix the syntax there$/);
});

test('a flat model of dense, layernorm, gelu, tanh, sigmoid and leakyrelu learns the blobs', () => {
  const run = train('--model', 'flat.json', '--dataset', 'blobs.csv', '--epochs', '4', '--batch-size', '16', '--json');
  assertOk(run);
  const r = lastJson(run);
  assert.ok((r['validationAccuracy'] as number) >= 0.9, `validation accuracy ${r['validationAccuracy']}`);
});

test('an image model of conv2d, layernorm, avgpool2d and globalavgpool trains and saves a model.onnx that runs alone', async () => {
  const run = train('--model', 'image.json', '--dataset', 'shapes-images.idx', '--epochs', '3', '--batch-size', '8', '--save', 'img', '--json');
  assertOk(run);
  const r = lastJson(run);
  assert.ok(Number.isFinite(r['validationLoss'] as number), `validation loss ${r['validationLoss']}`);
  const session = await ort.InferenceSession.create(readFileSync(join(dir, 'img', 'model.onnx')));
  const x = new ort.Tensor('float32', Float32Array.from({ length: 2 * 64 }, (_, i) => (i % 9) / 9), [2, 1, 8, 8]);
  const out = Object.values(await session.run({ [session.inputNames[0]!]: x }))[0]!;
  assert.deepEqual(out.dims, [2, 3]);
  assert.ok(Array.from(out.data as Float32Array).every(Number.isFinite));
});

test('recommend on a model of the new layers: the advisor fits, predicts and exports it', () => {
  const run = runCli(
    ['recommend', '--model', 'flat.json', '--dataset', 'blobs.csv', '--threads', '1', '--target-accuracy', '0.9', '--pilot-batch', '8', '--lr', '0.05', '--evals-per-epoch', '4',
      '--memory', '1GiB', '--export', 'lightning', '--out', 'flat.yaml', '--json'],
    dir,
    180_000,
  );
  assertOk(run);
  assertNoStack(run);
  const r = lastJson(run);
  assert.equal(r['exported'], 'flat.yaml');
  assert.ok(existsSync(join(dir, 'flat.yaml')));
  assert.match(readFileSync(join(dir, 'flat.yaml'), 'utf8'), /^# LightningCLI config for flat\.json: /);
  const choice = r['choice'] as { microBatch: number; iterSize: number; effectiveBatch: number };
  assert.equal(choice.microBatch * choice.iterSize, choice.effectiveBatch);
});
