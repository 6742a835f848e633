import assert from 'node:assert/strict';
import test from 'node:test';
import { initParams, resolveModel } from '../../model/model.js';
import { modelSpecSchema } from '../../model/spec.js';
import { Rng } from '../../rng.js';
import { dot, FullGradient, topHessianEigenvalue, type Vec } from './hessian.js';

/**
 * Linear softmax regression z = xW + b, whose Hessian is known in closed form: with
 * A = diag(p) − ppᵀ per example, H[(i,a),(j,c)] = mean x_i x_j A_ac, H[(i,a), b_c] = mean x_i A_ac,
 * H[b_a, b_c] = mean A_ac (W row-major [d, k], then b).
 */
function exactHessian(x: Float32Array, y: Int32Array, n: number, d: number, k: number, W: Float32Array, b: Float32Array): number[][] {
  const m = d * k + k;
  const H = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const feat = (e: number, i: number) => (i < d ? x[e * d + i]! : 1);
  const idx = (i: number, a: number) => (i < d ? i * k + a : d * k + a);
  for (let e = 0; e < n; e++) {
    const z = Array.from({ length: k }, (_, a) => b[a]! + Array.from({ length: d }, (_, i) => x[e * d + i]! * W[i * k + a]!).reduce((s, v) => s + v, 0));
    const mx = Math.max(...z);
    const ez = z.map((v) => Math.exp(v - mx));
    const sum = ez.reduce((s, v) => s + v, 0);
    const p = ez.map((v) => v / sum);
    for (let i = 0; i <= d; i++)
      for (let j = 0; j <= d; j++)
        for (let a = 0; a < k; a++)
          for (let c = 0; c < k; c++) H[idx(i, a)]![idx(j, c)]! += (feat(e, i) * feat(e, j) * ((a === c ? p[a]! : 0) - p[a]! * p[c]!)) / n;
  }
  assert.ok(y.length === n);
  return H;
}

test('Hessian-vector products by central differences of the gradient graph match the exact Hessian, and power iteration finds its top eigenvalue', async () => {
  const [n, d, k] = [40, 4, 3];
  const rng = new Rng(11);
  const x = Float32Array.from({ length: n * d }, () => rng.normal());
  const y = Int32Array.from({ length: n }, (_, i) => i % k);
  const model = resolveModel(modelSpecSchema.parse({ layers: [{ type: 'dense', units: k }] }), [d], k);
  const params = initParams(model, 3);
  // Move off the (near-uniform) initial point so the Hessian's eigenvalues are well separated.
  params[0] = params[0]!.map((v) => 2 * v);
  params[1] = Float32Array.of(0.3, -0.2, 0.1);
  const H = exactHessian(x, y, n, d, k, params[0], params[1]!);
  const fg = await FullGradient.create(model, { x, y, count: n, featureShape: [d] });
  try {
    const v: Vec = [Float64Array.from({ length: d * k }, () => rng.normal()), Float64Array.from({ length: k }, () => rng.normal())];
    const hv = await fg.hessianVector(params, v, 1e-3);
    const flatV = [...v[0]!, ...v[1]!];
    const exact = H.map((row) => row.reduce((s, h, j) => s + h * flatV[j]!, 0));
    const got = [...hv[0]!, ...hv[1]!];
    const err = Math.hypot(...got.map((g, i) => g - exact[i]!)) / Math.hypot(...exact);
    assert.ok(err < 2e-3, `relative error of Hv ${err}`);

    // The exact top eigenvalue, by many float64 power iterations on the explicit matrix.
    let u = flatV.map((a) => a / Math.hypot(...flatV));
    let lambda = 0;
    for (let it = 0; it < 3000; it++) {
      const w = H.map((row) => row.reduce((s, h, j) => s + h * u[j]!, 0));
      lambda = w.reduce((s, a, i) => s + a * u[i]!, 0);
      const norm = Math.hypot(...w);
      u = w.map((a) => a / norm);
    }
    const top = await topHessianEigenvalue(fg, params, { seed: 1, maxIterations: 200, tolerance: 1e-6, eps: 1e-3 });
    assert.ok(lambda > 0.05, `exact top eigenvalue ${lambda}`);
    assert.ok(Math.abs(top.eigenvalue - lambda) / lambda < 2e-3, `power iteration ${top.eigenvalue} vs exact ${lambda} (${top.iterations} iterations)`);
    // The loss is the mean over every example, as the exact float64 cross-entropy gives it.
    const exactLoss = Array.from({ length: n }, (_, e) => {
      const z = Array.from({ length: k }, (_, a) => params[1]![a]! + Array.from({ length: d }, (_, i) => x[e * d + i]! * params[0]![i * k + a]!).reduce((s, t) => s + t, 0));
      return Math.log(z.reduce((s, t) => s + Math.exp(t), 0)) - z[y[e]!]!;
    }).reduce((s, t) => s + t, 0) / n;
    const { loss, grad } = await fg.at(params);
    assert.ok(Math.abs(loss - exactLoss) < 1e-5, `loss ${loss} vs exact ${exactLoss}`);
    assert.ok(dot(grad, grad) > 1e-4);
  } finally {
    await fg.release();
  }
});
