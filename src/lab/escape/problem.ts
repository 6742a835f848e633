/**
 * The escape problem (C2): one ReLU neuron f(x) = relu(w·x) (a dense layer of one unit without
 * bias, then relu) on scalar inputs, with squared error, over a finite data set of n examples:
 *
 *   L(w) = (1/n) Σ_i ½ (relu(w·x_i) − t_i)².
 *
 * Half the examples have x > 0, half x < 0, with magnitudes m_j spread over (0.5, 1.5). The sign
 * of w decides which half the neuron sees: for w > 0 only the x > 0 examples are active, for
 * w < 0 only the x < 0 ones; the other half then contributes its constant ½t². So L is a
 * quadratic on each side of w = 0, with one minimum on each side, and w = 0 (where the neuron
 * outputs 0 for everything) is the ridge between them:
 *
 * - the poor basin, w > 0: the x > 0 examples disagree, their targets t = (0.2 ± 1)·m alternate
 *   between slopes 1.2 and −0.8, so the best w_poor ≈ 0.2 fits none of them well and sits close
 *   to the ridge (shallow);
 * - the better basin, w < 0: the x < 0 examples agree, t = m, and w = −1 fits them exactly.
 *
 * The start w₀ = 0.6 lies in the poor basin. Full-batch gradient descent (a stable rate) slides
 * monotonically to w_poor and stays there. A mini-batch's gradient is the mean over its own
 * examples: one heavy in slope −0.8 examples pushes w past the ridge, after which the x > 0
 * examples are inactive and cannot pull it back. The noise is the data's own disagreement
 * sampled by the batch, nothing added. Browser-safe: the lab's escape page trains it too.
 */
import { resolveModel, type ResolvedModel } from '../../model/model.js';

/** f(x) = relu(w·x): one weight, no bias. */
export const reluNeuron = (): ResolvedModel =>
  resolveModel({ name: 'relu-neuron', input: 'flat', layers: [{ type: 'dense', units: 1, bias: false }, { type: 'relu' }] }, [1], 1, 'squared-error');

export interface EscapeProblemSpec {
  /** Examples in the data set (even: half on each side). */
  readonly examples: number;
}

export interface EscapeProblem {
  readonly spec: EscapeProblemSpec;
  /** Inputs, one feature per example, float32 as the engine gets them. */
  readonly x: Float32Array;
  readonly t: Float32Array;
  /** Minimisers and loss values of each side, and the ridge's loss L(0), in float64. */
  readonly poor: { readonly w: number; readonly loss: number };
  readonly better: { readonly w: number; readonly loss: number };
  readonly ridgeLoss: number;
}

/** The fixed start, in the poor basin. */
export const ESCAPE_START = 0.6;

export function escapeProblem(spec: EscapeProblemSpec): EscapeProblem {
  const half = Math.floor(spec.examples / 2);
  const x = new Float32Array(2 * half);
  const t = new Float32Array(2 * half);
  for (let j = 0; j < half; j++) {
    const m = 0.5 + (j + 0.5) / half;
    x[2 * j] = m;
    t[2 * j] = (0.2 + (j % 2 === 0 ? 1 : -1)) * m;
    x[2 * j + 1] = -m;
    t[2 * j + 1] = m;
  }
  const side = (sign: 1 | -1) => {
    let [xx, xt] = [0, 0];
    x.forEach((xi, i) => {
      if (xi * sign > 0) ((xx += xi * xi), (xt += xi * t[i]!));
    });
    const w = xt / xx;
    return { w, loss: lossAt({ x, t }, w) };
  };
  return { spec: { examples: 2 * half }, x, t, poor: side(1), better: side(-1), ridgeLoss: lossAt({ x, t }, 0) };
}

/** L(w) in float64 from the float32 data. */
export function lossAt(p: Pick<EscapeProblem, 'x' | 't'>, w: number): number {
  let s = 0;
  p.x.forEach((xi, i) => (s += 0.5 * (Math.max(0, w * xi) - p.t[i]!) ** 2));
  return s / p.x.length;
}
