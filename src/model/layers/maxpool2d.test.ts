import test from 'node:test';
import assert from 'node:assert/strict';
import { DType, encodeModel, GraphBuilder } from '../../graph/builder.js';
import { createSession, floatTensor, runFloat } from '../../engine/ort.js';
import { maxpool2d } from './maxpool2d.js';
import { assertLayerGradients } from '../../testing/assert-grads.js';

test('maxpool2d 2×2: gradient matches finite differences (batch > 1, channels > 1)', () =>
  assertLayerGradients({ type: 'maxpool2d', size: 2 }, [3, 6, 6], 3, []));

test('maxpool2d 3×3 stride 2 (overlapping windows): gradient matches', () =>
  assertLayerGradients({ type: 'maxpool2d', size: 3, stride: 2 }, [2, 7, 7], 2, []));

test('maxpool2d 2×2 with tied maxima: each window passes its gradient to exactly one input, never duplicated', async () => {
  const spec = { type: 'maxpool2d', size: 2 } as const;
  const g = new GraphBuilder('ties');
  const x = g.input('x', DType.float, [1, 2, 2, 4]);
  const dy = g.input('dy', DType.float, [1, 2, 1, 2]);
  const fwd = maxpool2d.forward(g, { spec, inShape: [2, 2, 4], x, params: [], training: true, seed: 1 });
  const bwd = maxpool2d.backward(g, { spec, inShape: [2, 2, 4], x, params: [], training: true, seed: 1, dy, saved: fwd.saved, needInputGrad: true });
  g.identity(bwd.dx!, 'dx');
  g.output('dx', DType.float, [1, 2, 2, 4]);
  const session = await createSession(encodeModel(g.build()), { threads: 1 });
  // Windows: all four equal; two tied at the max; a single max; two tied, one of them negative zero.
  const xs = Float32Array.of(3, 3, 1, 5, 3, 3, 5, 2, 7, 0, -0, -1, 1, 2, 0, -2);
  const dys = Float32Array.of(10, 20, 30, 40);
  const out = await runFloat(session, { x: floatTensor(xs, [1, 2, 2, 4]), dy: floatTensor(dys, [1, 2, 1, 2]) });
  const dx = Array.from(out['dx']!);
  await session.release();
  const windows = [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]];
  windows.forEach((w, k) => {
    const got = w.map((i) => dx[i]!);
    assert.equal(got.filter((v) => v !== 0).length, 1, `window ${k}: ${got}`);
    assert.equal(got.reduce((a, b) => a + b, 0), dys[k]);
    const at = w[got.findIndex((v) => v !== 0)]!;
    assert.ok(xs[at] === Math.max(...w.map((i) => xs[i]!)), `window ${k}: the gradient goes to a maximum`); // 0 and −0 tie
  });
});
