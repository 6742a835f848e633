import assert from 'node:assert/strict';
import test from 'node:test';
import { DType, GraphBuilder, encodeModel } from '../../graph/builder.js';
import { createSession, floatTensor, runFloat } from '../../engine/ort.js';
import { assertLayerGradients } from '../../testing/assert-grads.js';
import { batchnorm } from './batchnorm.js';

const spec = { type: 'batchnorm', momentum: 0.1, eps: 1e-5 } as const;

test('batchnorm after a conv (per channel): gradients of x, γ and β match finite differences', () =>
  assertLayerGradients(spec, [3, 4, 4], 4, ['gamma', 'beta']));

test('batchnorm after a dense (per feature): gradients match', () => assertLayerGradients(spec, [5], 6, ['gamma', 'beta']));

test('ghost batch norm, groups of 2 and of 4 within the batch: gradients match', async () => {
  await assertLayerGradients(spec, [2, 3, 3], 6, ['gamma', 'beta'], 2);
  await assertLayerGradients(spec, [4], 8, ['gamma', 'beta'], 4);
});

/** Forward values on [batch, 2 channels, 2 pixels] against the formula, in training and in evaluation. */
async function runForward(x: Float32Array, batch: number, normGroup: number | undefined) {
  const inShape = [2, 1, 2];
  const g = new GraphBuilder('bn');
  const xi = g.input('x', DType.float, [batch, ...inShape]);
  const gamma = g.input('gamma', DType.float, [2]);
  const beta = g.input('beta', DType.float, [2]);
  const rm = g.input('rm', DType.float, [2]);
  const rv = g.input('rv', DType.float, [2]);
  const train = batchnorm.forward(g, { spec, inShape, x: xi, params: [gamma, beta], training: true, seed: 1, normGroup });
  const evalr = batchnorm.forward(g, { spec, inShape, x: xi, params: [gamma, beta], buffers: [rm, rv], training: false, seed: 1 });
  for (const [name, v] of [['y', train.y], ['mean', train.stats![0]!], ['var', train.stats![1]!], ['y_eval', evalr.y]] as const) {
    g.identity(v, name);
    g.output(name, DType.float);
  }
  const s = await createSession(encodeModel(g.build()), { threads: 1 });
  return runFloat(s, {
    x: floatTensor(x, [batch, ...inShape]),
    gamma: floatTensor(Float32Array.of(2, 0.5), [2]),
    beta: floatTensor(Float32Array.of(1, -1), [2]),
    rm: floatTensor(Float32Array.of(0.5, -2), [2]),
    rv: floatTensor(Float32Array.of(4, 0.25), [2]),
  });
}

test('batchnorm forward: per-channel normalisation over the batch (or each group), unbiased running statistics, evaluation with the running ones', async () => {
  const batch = 4;
  const x = Float32Array.from({ length: batch * 4 }, (_, i) => ((i * 7) % 11) - 3 + 0.25 * i);
  const at = (b: number, ch: number, p: number) => x[b * 4 + ch * 2 + p]!;
  for (const G of [undefined, 2]) {
    const out = await runForward(x, batch, G);
    const size = G ?? batch;
    const means: number[][] = [[], []];
    const vars: number[][] = [[], []];
    for (let g0 = 0; g0 < batch; g0 += size) {
      for (let ch = 0; ch < 2; ch++) {
        const vals: number[] = [];
        for (let b = g0; b < g0 + size; b++) vals.push(at(b, ch, 0), at(b, ch, 1));
        const m = vals.reduce((a, v) => a + v, 0) / vals.length;
        const v = vals.reduce((a, u) => a + (u - m) ** 2, 0) / vals.length;
        means[ch]!.push(m);
        vars[ch]!.push((v * vals.length) / (vals.length - 1));
        for (let b = g0; b < g0 + size; b++) {
          for (let p = 0; p < 2; p++) {
            const want = [2, 0.5][ch]! * ((at(b, ch, p) - m) / Math.sqrt(v + 1e-5)) + [1, -1][ch]!;
            assert.ok(Math.abs(out['y']![b * 4 + ch * 2 + p]! - want) < 1e-4, `G=${G} y[${b},${ch},${p}]`);
          }
        }
      }
    }
    for (let ch = 0; ch < 2; ch++) {
      const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
      assert.ok(Math.abs(out['mean']![ch]! - mean(means[ch]!)) < 1e-4, `G=${G} mean ${ch}`);
      assert.ok(Math.abs(out['var']![ch]! - mean(vars[ch]!)) < 1e-3, `G=${G} var ${ch}: ${out['var']![ch]} vs ${mean(vars[ch]!)}`);
    }
    for (let i = 0; i < x.length; i++) {
      const ch = Math.floor(i / 2) % 2;
      const want = [2, 0.5][ch]! * ((x[i]! - [0.5, -2][ch]!) / Math.sqrt([4, 0.25][ch]! + 1e-5)) + [1, -1][ch]!;
      assert.ok(Math.abs(out['y_eval']![i]! - want) < 1e-4, `eval ${i}`);
    }
  }
});

test('batchnorm accepts [C, H, W] or [features] and keeps one mean and variance per channel', () => {
  assert.deepEqual(batchnorm.outShape(spec, [8, 5, 5]), [8, 5, 5]);
  assert.match(String(batchnorm.outShape(spec, [2, 3])), /expects \[channels, height, width\]/);
  assert.deepEqual(batchnorm.buffers!(spec, [8, 5, 5]).map((b) => [b.name, b.shape, b.init]), [['running_mean', [8], 'zeros'], ['running_var', [8], 'ones']]);
});
