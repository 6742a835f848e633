import assert from 'node:assert/strict';
import test from 'node:test';
import { initParams, paramCount, resolveModel } from './model.js';
import { PRESETS } from './presets.js';
import { modelSpecSchema } from './spec.js';
import { NEWER_LAYERS_IMAGE_MODEL } from '../testing/model-fixtures.js';

test('mlp preset: 784-512-512-10 has 669,706 parameters', () => {
  const m = resolveModel(PRESETS['mlp']!, [784], 10);
  assert.equal(paramCount(m), 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10);
  assert.equal(m.macsPerExample, 784 * 512 + 512 * 512 + 512 * 10);
});

test('cnn preset resolves on 1×28×28 images', () => {
  const m = resolveModel(PRESETS['cnn']!, [1, 28, 28], 10);
  assert.deepEqual(m.layers.map((l) => l.outShape), [[16, 28, 28], [16, 28, 28], [16, 14, 14], [32, 14, 14], [32, 14, 14], [32, 7, 7], [1568], [128], [128], [10]]);
});

test('shape mismatch names the layer and both shapes', () => {
  const spec = modelSpecSchema.parse({ name: 'bad', input: 'image', layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'dense', units: 10 }] });
  assert.throws(() => resolveModel(spec, [1, 28, 28], 10), /model "bad": layer 1 \(dense\) expects a flat input \[features\], got \[4, 26, 26\]; add a flatten layer/);
  const wrongClasses = modelSpecSchema.parse({ layers: [{ type: 'dense', units: 5 }] });
  assert.throws(() => resolveModel(wrongClasses, [784], 10), /layer 0 \(dense\) outputs \[5\] but the data has 10 classes/);
});

test('He initialisation: weights have std √(2/fan-in), biases are zero, same seed same weights', () => {
  const m = resolveModel(PRESETS['mlp']!, [784], 10);
  const [w, b] = initParams(m, 1);
  const mean = w!.reduce((a, v) => a + v, 0) / w!.length;
  const std = Math.sqrt(w!.reduce((a, v) => a + (v - mean) ** 2, 0) / w!.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / 784)) < 1e-3, `std ${std}`);
  assert.ok(b!.every((v) => v === 0));
  assert.deepEqual(initParams(m, 1)[0]!.slice(0, 5), w!.slice(0, 5));
  assert.notDeepEqual(initParams(m, 2)[0]!.slice(0, 5), w!.slice(0, 5));
});

test('a model of the newer layers: shapes, multiply-adds, parameters, and layernorm scales from ones', () => {
  const spec = modelSpecSchema.parse(NEWER_LAYERS_IMAGE_MODEL);
  const m = resolveModel(spec, [1, 8, 8], 3);
  assert.deepEqual(m.layers.map((l) => l.outShape), [[4, 8, 8], [4, 8, 8], [4, 8, 8], [4, 4, 4], [6, 4, 4], [6, 4, 4], [6], [3]]);
  // conv 4·1·9·64, layernorm 4 per feature, avgpool 4·16·9, conv 6·4·9·16, global pool 6·16, dense 6·3.
  assert.equal(m.macsPerExample, 2304 + 4 * 256 + 576 + 3456 + 96 + 18);
  assert.equal(paramCount(m), 4 * 9 + 4 + 2 * 256 + 6 * 4 * 9 + 6 + 6 * 3 + 3);
  const values = initParams(m, 1);
  const gamma = values[m.params.findIndex((p) => p.id === 'l1_gamma')]!;
  const beta = values[m.params.findIndex((p) => p.id === 'l1_beta')]!;
  assert.equal(gamma.length, 256);
  assert.ok(gamma.every((v) => v === 1) && beta.every((v) => v === 0));
});

test('resnet preset: stem, two residual blocks (the second projected to 48 channels at 7×7) and batch norm buffers', () => {
  const m = resolveModel(PRESETS['resnet']!, [1, 28, 28], 10);
  assert.deepEqual(m.layers.map((l) => l.outShape), [[24, 28, 28], [24, 28, 28], [24, 28, 28], [24, 14, 14], [24, 14, 14], [24, 14, 14], [48, 7, 7], [48, 7, 7], [2352], [10]]);
  assert.equal(m.buffers.length, 2 * 5);
  assert.ok(m.params.some((p) => p.id === 'l6_proj_W'));
  // conv MACs = H·W of the output × out channels × in channels × k²: stem, two 14×14 convs, the strided
  // 7×7 pair, the 1×1 projection; batch norm counts 2 per value (scale, shift), max-pool 1 per input value.
  const convs = 28 * 28 * 24 * 1 * 9 + 2 * (14 * 14 * 24 * 24 * 9) + 7 * 7 * 48 * 24 * 9 + 7 * 7 * 48 * 48 * 9 + 7 * 7 * 48 * 24;
  const norms = 2 * (28 * 28 * 24 + 2 * 14 * 14 * 24 + 2 * 7 * 7 * 48);
  assert.equal(m.macsPerExample, convs + norms + 28 * 28 * 24 + 2352 * 10);
  assert.equal(paramCount(m), 66_922);
});
