import assert from 'node:assert/strict';
import test from 'node:test';
import * as ort from 'onnxruntime-node';
import { initParams, resolveModel } from '../model/model.js';
import { modelSpecSchema } from '../model/spec.js';
import { Rng } from '../rng.js';
import { buildInferenceModel } from './inference-model.js';

/** An independent forward pass in plain JS: relu(x·W1 + b1)·W2 + b2, then softmax. */
function reference(x: number[], [w1, b1, w2, b2]: Float32Array[], hidden: number, classes: number): number[] {
  const h = Array.from({ length: hidden }, (_, j) => Math.max(0, b1![j]! + x.reduce((a, xi, i) => a + xi * w1![i * hidden + j]!, 0)));
  const z = Array.from({ length: classes }, (_, k) => b2![k]! + h.reduce((a, hj, j) => a + hj * w2![j * classes + k]!, 0));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

test('the exported model gives, for raw input, the probabilities of the normalised network, row by row', async () => {
  const [inDim, hidden, classes, rows] = [5, 7, 3, 20];
  const spec = modelSpecSchema.parse({ layers: [{ type: 'dense', units: hidden }, { type: 'relu' }, { type: 'dense', units: classes }] });
  const model = resolveModel(spec, [inDim], classes);
  const weights = initParams(model, 3);
  const norm = { mean: Float32Array.from([1, -2, 0.5, 3, 0]), std: Float32Array.from([2, 0.5, 1, 4, 1.5]) };
  const session = await ort.InferenceSession.create(buildInferenceModel(model, weights, norm));
  assert.deepEqual(session.inputNames, ['input']);
  assert.deepEqual(session.outputNames, ['probabilities']);
  const rng = new Rng(4);
  const raw = Float32Array.from({ length: rows * inDim }, () => 3 * rng.normal());
  const out = await session.run({ input: new ort.Tensor('float32', raw, [rows, inDim]) });
  const probs = out['probabilities']!.data as Float32Array;
  for (let r = 0; r < rows; r++) {
    const x = Array.from(raw.subarray(r * inDim, (r + 1) * inDim), (v, i) => (v - norm.mean[i]!) / norm.std[i]!);
    const want = reference(x, weights, hidden, classes);
    want.forEach((p, k) => assert.ok(Math.abs(probs[r * classes + k]! - p) < 1e-5, `row ${r} class ${k}: ${probs[r * classes + k]} vs ${p}`));
  }
});
