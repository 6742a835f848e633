/**
 * Runs the tfjs export's own lines on tfjs-core's pure-JS CPU backend, for the export tests: the
 * optimizer constructor, the lrAt schedule and the onBatchBegin statement are evaluated as written,
 * with `tf` bound to @tensorflow/tfjs-core. model.fit itself is tfjs-layers', which is not
 * installed; `fitBatches` stands in for it: per batch, onBatchBegin, then the optimizer's
 * applyGradients with the gradient of the mean sparse softmax cross-entropy plus the L2
 * regularizers' Σ l2·θ², as tfjs-layers would differentiate them. The gradient is written out in
 * tf ops: tfjs-core's CommonJS build registers no gradient functions for its autodiff (the full
 * @tensorflow/tfjs package does).
 */
import assert from 'node:assert/strict';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

export { tf };

export interface Snippet {
  readonly optimizer: tf.Optimizer;
  /** The snippet's callback, or a no-op when the schedule is constant. */
  readonly onBatchBegin: () => Promise<void>;
  readonly batchSize: number;
  /** The regularizers' l2, 0 when the snippet has none. */
  readonly l2: number;
}

const line = (text: string, re: RegExp): string | undefined => re.exec(text)?.[1];

export async function loadSnippet(text: string): Promise<Snippet> {
  await tf.setBackend('cpu');
  const optimizerLine = line(text, /^(const optimizer = .+;)$/m);
  assert.ok(optimizerLine, 'no optimizer line');
  const lrAtLine = line(text, /^(const lrAt = .+;)$/m) ?? '';
  const callback = line(text, /onBatchBegin: async \(\) => \{ (.+) \} \},$/m) ?? '';
  const build = new Function('tf', `${optimizerLine}\n${lrAtLine}\nlet update = 0;\nreturn { optimizer, onBatchBegin: async () => { ${callback} } };`) as (
    t: typeof tf,
  ) => { optimizer: tf.Optimizer; onBatchBegin: () => Promise<void> };
  const { optimizer, onBatchBegin } = build(tf);
  const batchSize = Number(line(text, /^ {2}batchSize: ([0-9]+),$/m));
  const l2 = Number(line(text, /tf\.regularizers\.l2\(\{ l2: ([0-9.e-]+) \}\)/) ?? 0);
  return { optimizer, onBatchBegin, batchSize, l2 };
}

/** A dense stack (relu between layers) as tf variables: weights [in, out] and biases, batchwise's layout. */
export function variables(params: readonly Float32Array[], shapes: ReadonlyArray<readonly number[]>): tf.Variable[] {
  return params.map((p, i) => tf.variable(tf.tensor(p, [...shapes[i]!]), true));
}

/** Train on the given batches (example indices) the way the snippet's model.fit would; returns the final weights. */
export async function fitBatches(
  s: Snippet,
  vars: tf.Variable[],
  x: Float32Array,
  y: Int32Array,
  features: number,
  classes: number,
  batches: ReadonlyArray<ArrayLike<number>>,
): Promise<Float32Array[]> {
  for (const ids of batches) {
    assert.equal(ids.length, s.batchSize);
    const bx = new Float32Array(ids.length * features);
    for (let i = 0; i < ids.length; i++) bx.set(x.subarray(ids[i]! * features, (ids[i]! + 1) * features), i * features);
    const xs = tf.tensor2d(bx, [ids.length, features]);
    const labels = tf.oneHot(tf.tensor1d(Array.from(ids, (id) => y[id]!), 'int32'), classes);
    await s.onBatchBegin();
    s.optimizer.applyGradients(tf.tidy(() => gradients(vars, xs, labels, s.l2)));
    xs.dispose();
    labels.dispose();
  }
  return vars.map((v) => v.dataSync() as Float32Array);
}

/** Gradients of mean softmax cross-entropy + Σ l2·θ² for a dense stack with relu between layers. */
function gradients(vars: tf.Variable[], xs: tf.Tensor2D, labels: tf.Tensor, l2: number): tf.NamedTensorMap {
  const inputs: tf.Tensor2D[] = [];
  const preActivations: tf.Tensor2D[] = [];
  let h: tf.Tensor2D = xs;
  for (let l = 0; l < vars.length; l += 2) {
    inputs.push(h);
    const z = tf.add(tf.matMul(h, vars[l]! as tf.Tensor2D), vars[l + 1]!) as tf.Tensor2D;
    preActivations.push(z);
    h = l + 2 < vars.length ? tf.relu(z) : z;
  }
  const batch = xs.shape[0];
  let dz = tf.div(tf.sub(tf.softmax(h), labels), batch) as tf.Tensor2D;
  const out: tf.NamedTensorMap = {};
  for (let l = vars.length - 2; l >= 0; l -= 2) {
    const layer = l / 2;
    const decay = (v: tf.Variable) => tf.mul(2 * l2, v);
    out[vars[l]!.name] = tf.add(tf.matMul(inputs[layer]!, dz, true, false), decay(vars[l]!));
    out[vars[l + 1]!.name] = tf.add(tf.sum(dz, 0), decay(vars[l + 1]!));
    if (l > 0) dz = tf.mul(tf.matMul(dz, vars[l]! as tf.Tensor2D, false, true), tf.step(preActivations[layer - 1]!)) as tf.Tensor2D;
  }
  return out;
}
