import assert from 'node:assert/strict';
import test from 'node:test';
import { checkModelSpec } from './check-spec.js';
import { layerSpecSchema, modelSpecSchema } from './spec.js';

const message = (json: unknown): string => {
  const r = checkModelSpec(json);
  assert.ok(!r.ok, `expected ${JSON.stringify(json)} to be refused`);
  return r.message;
};
const layers = (...l: unknown[]) => ({ layers: l });

test('every option of every layer kind, and every model field, says what it accepts', () => {
  const undescribed: string[] = [];
  for (const option of layerSpecSchema.options) {
    for (const [field, schema] of Object.entries(option.shape)) {
      if (field !== 'type' && !(schema as { description?: string }).description) undescribed.push(`${option.shape.type.value}.${field}`);
    }
  }
  for (const [field, schema] of Object.entries(modelSpecSchema.shape)) if (!schema.description) undescribed.push(field);
  assert.deepEqual(undescribed, []);
});

test('unknown layer type: names the layer, suggests the near one, lists the types', () => {
  const m = message(layers({ type: 'dense', units: 8 }, { type: 'gleu' }));
  assert.match(m, /^layer 1: unknown type "gleu" \(did you mean "gelu"\?\); the layer types are dense, conv2d, maxpool2d, avgpool2d, /);
  assert.match(m, /layernorm/);
  assert.equal(message(layers({ units: 3 })).split(';')[0], 'layer 0: "type" is missing');
});

test('unknown option: names the layer, its type and the option, with the options it takes', () => {
  assert.equal(message(layers({ type: 'dense', unit: 3 })), 'layer 0 (dense): unknown option "unit" (did you mean "units"?); dense takes "units", "bias"');
  assert.equal(message(layers({ type: 'relu', alpha: 0.1 })), 'layer 0 (relu): unknown option "alpha"; relu takes no options');
  assert.equal(message(layers({ type: 'layernorm', epsilon: 1e-3 })), 'layer 0 (layernorm): unknown option "epsilon" (did you mean "eps"?); layernorm takes "eps"');
});

test('bad or missing option value: says what it must be', () => {
  assert.equal(message(layers({ type: 'dense', units: 0 })), 'layer 0 (dense): "units" must be a whole number ≥ 1, got 0');
  assert.equal(message(layers({ type: 'dense' })), 'layer 0 (dense): "units" is missing; give a whole number ≥ 1');
  assert.equal(message(layers({ type: 'relu' }, { type: 'leakyrelu', alpha: -1 })), 'layer 1 (leakyrelu): "alpha" must be a number ≥ 0 (PyTorch\'s default is 0.01), got -1');
  assert.equal(
    message(layers({ type: 'avgpool2d', size: [2, 2, 2] })),
    'layer 0 (avgpool2d): "size" must be a whole number ≥ 1 or a pair [height, width] of them, got [2,2,2]',
  );
  assert.equal(message(layers({ type: 'dropout', rate: 1 })), 'layer 0 (dropout): "rate" must be a number in [0, 1), got 1');
  assert.equal(message(layers('relu')), 'layer 0 must be an object like {"type": "relu"}, got "relu"');
});

test('model-level fields', () => {
  assert.equal(message({ layer: [] }), 'unknown field "layer" (did you mean "layers"?); a model file has "name", "input", "layers"');
  assert.equal(message({}), '"layers" is missing; give a non-empty list of layers, e.g. [{"type": "dense", "units": 10}]');
  assert.equal(message({ layers: [] }), '"layers" must be a non-empty list of layers, e.g. [{"type": "dense", "units": 10}], got []');
  assert.equal(message({ input: 'img', layers: [{ type: 'relu' }] }), '"input" must be "flat" or "image", got "img"');
  assert.match(message([{ type: 'relu' }]), /^a model file must be an object like \{"layers": /);
});

test('a valid model passes with its defaults filled in', () => {
  const r = checkModelSpec({ input: 'image', layers: [{ type: 'avgpool2d' }, { type: 'layernorm' }, { type: 'leakyrelu' }] });
  assert.ok(r.ok);
  assert.deepEqual(r.spec.layers, [{ type: 'avgpool2d', size: 2, padding: 0 }, { type: 'layernorm', eps: 1e-5 }, { type: 'leakyrelu', alpha: 0.01 }]);
});
