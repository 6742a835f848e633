/**
 * The seed's error surface (C5): a linear neuron y = w·x with squared error, whose loss over a
 * finite data set is an elliptic paraboloid,
 *
 *   L(w) = (1/2N) Σ_i (w·x_i − t_i)² = L* + ½ (w − w*)ᵀ H (w − w*),   H = XᵀX / N,
 *
 * with w* the least-squares solution. The inputs are drawn, then whitened and scaled, so that H
 * has eigenvalues 1 and 1/κ exactly (κ the condition number: how elongated the ellipses are) with
 * its long axis at `angleDeg`. Targets are t = X·w_true + noise, the noise made orthogonal to the
 * inputs, so w* = w_true and every single example still disagrees with the optimum: that
 * disagreement is what makes online learning wander. Pure JS, no Node: a page can draw it too.
 */
import { resolveModel, type ResolvedModel } from '../../model/model.js';
import { Rng } from '../../rng.js';

export interface EllipseProblemSpec {
  /** κ = λ_max / λ_min of H. */
  readonly condition: number;
  /** Direction of the ellipses' long axis, degrees from the w₁ axis. */
  readonly angleDeg: number;
  /** Examples in the data set. */
  readonly examples: number;
  /** Standard deviation of the target noise (the residual at the optimum). */
  readonly noise: number;
  readonly seed: number;
}

export interface EllipseProblem {
  readonly spec: EllipseProblemSpec;
  /** Inputs, `examples × 2` row-major, float32 as the engine gets them. */
  readonly x: Float32Array;
  readonly t: Float32Array;
  /** H = XᵀX/N of the float32 data, row-major [h11, h12, h21, h22]. */
  readonly hessian: readonly [number, number, number, number];
  readonly optimum: readonly [number, number];
  /** L* = L(w*). */
  readonly minLoss: number;
  /** Unit vectors of the long (flat, λ_min) and short (steep, λ_max) axes. */
  readonly flatAxis: readonly [number, number];
  readonly steepAxis: readonly [number, number];
  readonly eigenvalues: { readonly steep: number; readonly flat: number };
}

/** The true weights; w* equals them up to float32 rounding. */
export const TRUE_WEIGHTS = [0, 0] as const;

export function ellipseProblem(spec: EllipseProblemSpec): EllipseProblem {
  const n = spec.examples;
  const rng = Rng.derive(spec.seed, 9, 1);
  const z = Array.from({ length: n }, () => [rng.normal(), rng.normal()] as [number, number]);
  // Centre, then whiten with the Cholesky factor of the sample covariance: exactly identity after.
  const mean = [0, 1].map((j) => z.reduce((a, r) => a + r[j]!, 0) / n);
  z.forEach((r) => ((r[0] -= mean[0]!), (r[1] -= mean[1]!)));
  const c11 = z.reduce((a, r) => a + r[0] * r[0], 0) / n;
  const c12 = z.reduce((a, r) => a + r[0] * r[1], 0) / n;
  const c22 = z.reduce((a, r) => a + r[1] * r[1], 0) / n;
  const l11 = Math.sqrt(c11);
  const l21 = c12 / l11;
  const l22 = Math.sqrt(c22 - l21 * l21);
  const angle = (spec.angleDeg * Math.PI) / 180;
  const flatAxis = [Math.cos(angle), Math.sin(angle)] as const;
  const steepAxis = [-Math.sin(angle), Math.cos(angle)] as const;
  const [sSteep, sFlat] = [1, Math.sqrt(1 / spec.condition)];
  const x = new Float32Array(2 * n);
  z.forEach((r, i) => {
    const u = r[0] / l11;
    const v = (r[1] - l21 * u) / l22;
    x[2 * i] = sFlat * u * flatAxis[0] + sSteep * v * steepAxis[0];
    x[2 * i + 1] = sFlat * u * flatAxis[1] + sSteep * v * steepAxis[1];
  });
  // Noise orthogonal to both input columns, scaled to the requested standard deviation.
  const e = Array.from({ length: n }, () => rng.normal());
  for (let pass = 0; pass < 2; pass++) projectOut(e, x);
  const eStd = Math.sqrt(e.reduce((a, v) => a + v * v, 0) / n);
  const t = Float32Array.from(e, (v, i) => TRUE_WEIGHTS[0] * x[2 * i]! + TRUE_WEIGHTS[1] * x[2 * i + 1]! + (spec.noise * v) / eStd);
  return { spec, x, t, ...leastSquares(x, t), flatAxis, steepAxis };
}

/** Removes from e its least-squares fit on the two columns of x (Gram–Schmidt against each). */
function projectOut(e: number[], x: Float32Array): void {
  const n = e.length;
  const col = (j: number) => Array.from({ length: n }, (_, i) => x[2 * i + j]!);
  const a = col(0);
  const b = col(1);
  const dot = (p: number[], q: number[]) => p.reduce((s, v, i) => s + v * q[i]!, 0);
  const bPerp = b.map((v, i) => v - (dot(a, b) / dot(a, a)) * a[i]!);
  for (const c of [a, bPerp]) {
    const k = dot(e, c) / dot(c, c);
    for (let i = 0; i < n; i++) e[i] -= k * c[i]!;
  }
}

/** H, w*, L* and H's eigen-decomposition, in float64 from the float32 data the engine sees. */
function leastSquares(x: Float32Array, t: Float32Array) {
  const n = t.length;
  let [h11, h12, h22, g1, g2] = [0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const [a, b, y] = [x[2 * i]!, x[2 * i + 1]!, t[i]!];
    h11 += (a * a) / n;
    h12 += (a * b) / n;
    h22 += (b * b) / n;
    g1 += (a * y) / n;
    g2 += (b * y) / n;
  }
  const det = h11 * h22 - h12 * h12;
  const optimum = [(h22 * g1 - h12 * g2) / det, (h11 * g2 - h12 * g1) / det] as const;
  let minLoss = 0;
  for (let i = 0; i < n; i++) minLoss += (optimum[0] * x[2 * i]! + optimum[1] * x[2 * i + 1]! - t[i]!) ** 2 / (2 * n);
  const mid = (h11 + h22) / 2;
  const rad = Math.sqrt(((h11 - h22) / 2) ** 2 + h12 * h12);
  return { hessian: [h11, h12, h12, h22] as const, optimum, minLoss, eigenvalues: { steep: mid + rad, flat: mid - rad } };
}

/** L(w) − L*, from H: exact for this problem, used for the contour lines. */
export function excessLoss(p: EllipseProblem, w: readonly [number, number]): number {
  const d0 = w[0] - p.optimum[0];
  const d1 = w[1] - p.optimum[1];
  const [h11, h12, , h22] = p.hessian;
  return 0.5 * (h11 * d0 * d0 + 2 * h12 * d0 * d1 + h22 * d1 * d1);
}

/**
 * The contour L − L* = level as a closed polyline of `points` points: w = w* + Σ_k √(2·level/λ_k)·cosθ/sinθ·u_k
 * over H's eigenvectors u_k (recomputed from H, so the drawn ellipse is the data's own).
 */
export function contour(p: EllipseProblem, level: number, points = 120): [number, number][] {
  const [h11, h12, , h22] = p.hessian;
  const { steep, flat } = p.eigenvalues;
  // Eigenvector of the larger eigenvalue; the other is perpendicular.
  const raw = Math.abs(h12) > 1e-12 ? [h12, steep - h11] : h11 >= h22 ? [1, 0] : [0, 1];
  const len = Math.hypot(raw[0]!, raw[1]!);
  const us = [raw[0]! / len, raw[1]! / len];
  const uf = [-us[1]!, us[0]!];
  const rs = Math.sqrt((2 * level) / steep);
  const rf = Math.sqrt((2 * level) / flat);
  return Array.from({ length: points + 1 }, (_, k) => {
    const th = (2 * Math.PI * k) / points;
    const [a, b] = [rs * Math.cos(th), rf * Math.sin(th)];
    return [p.optimum[0] + a * us[0]! + b * uf[0]!, p.optimum[1] + a * us[1]! + b * uf[1]!];
  });
}

/** The linear neuron y = w·x (no bias) with squared error; the spec is written out whole (no zod) so a page can build it. */
export const linearNeuron = (): ResolvedModel =>
  resolveModel({ name: 'linear-neuron', input: 'flat', layers: [{ type: 'dense', units: 1, bias: false }] }, [2], 1, 'squared-error');

/** The start, in the frame of the ellipses: far out along the long axis, a little off it. */
export function startPoint(p: EllipseProblem): [number, number] {
  return [p.optimum[0] + 2.5 * p.flatAxis[0] - 0.8 * p.steepAxis[0], p.optimum[1] + 2.5 * p.flatAxis[1] - 0.8 * p.steepAxis[1]];
}
