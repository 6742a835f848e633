import assert from 'node:assert/strict';
import test from 'node:test';
import { DType, GraphBuilder, encodeModel } from '../../graph/builder.js';
import { createSession, floatTensor, runFloat } from '../../engine/ort.js';
import { dropout } from './dropout.js';

test('dropout: training output is 0 or x/(1−p) with about p zeros, and dx routes dy through the same mask', async () => {
  const spec = { type: 'dropout', rate: 0.25 } as const;
  const n = 20000;
  const g = new GraphBuilder('dropout');
  const x = g.input('x', DType.float, [1, n]);
  const dy = g.input('dy', DType.float, [1, n]);
  const fwd = dropout.forward(g, { spec, inShape: [n], x, params: [], training: true, seed: 3 });
  const bwd = dropout.backward(g, { spec, inShape: [n], x, params: [], training: true, seed: 3, dy, saved: fwd.saved, needInputGrad: true });
  g.identity(fwd.y, 'y');
  g.identity(bwd.dx!, 'dx');
  g.output('y', DType.float);
  g.output('dx', DType.float);
  const session = await createSession(encodeModel(g.build()), { threads: 1 });
  const xs = Float32Array.from({ length: n }, (_, i) => 1 + (i % 7));
  const dys = Float32Array.from({ length: n }, (_, i) => 2 + (i % 5));
  const out = await runFloat(session, { x: floatTensor(xs, [1, n]), dy: floatTensor(dys, [1, n]) });
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const kept = out['y']![i] !== 0;
    if (!kept) zeros++;
    assert.ok(Math.abs(out['y']![i]! - (kept ? xs[i]! / 0.75 : 0)) < 1e-5);
    assert.ok(Math.abs(out['dx']![i]! - (kept ? dys[i]! / 0.75 : 0)) < 1e-5);
  }
  assert.ok(Math.abs(zeros / n - 0.25) < 0.02, `dropped fraction ${zeros / n}`);
});

test('dropout: identity at evaluation', () => {
  const g = new GraphBuilder('eval');
  const r = dropout.forward(g, { spec: { type: 'dropout', rate: 0.5 }, inShape: [4], x: 'x', params: [], training: false, seed: 1 });
  assert.equal(r.y, 'x');
  assert.equal(g.nodes.length, 0);
});
