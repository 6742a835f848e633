/**
 * Sharpness of a minimum: the top eigenvalue of the Hessian of the mean training loss, by power
 * iteration on Hessian-vector products. No second-order graph is needed: the gradient graph
 * (src/compile/grad-model.ts) gives g(θ), and
 *
 *   H v ≈ (g(θ + εv) − g(θ − εv)) / 2ε,
 *
 * a central difference whose error is O(ε²) where the loss is smooth (ReLU kinks crossed within
 * ±εv add a small bias). Each product costs two full-data gradients, summed in float64 over
 * chunks of the data. Power iteration converges to the eigenvalue of largest magnitude, which at
 * a minimum (H ⪰ 0 up to the kinks) is the top one.
 */
import { buildGradModel } from '../../compile/grad-model.js';
import type { Examples } from '../../data/dataset.js';
import { createSession, floatTensor, int64Tensor, runFloat, type ort } from '../../engine/ort.js';
import { assert } from '../../errors.js';
import { size } from '../../model/layer.js';
import type { ResolvedModel } from '../../model/model.js';
import { Rng } from '../../rng.js';

/** Examples per gradient-graph call; bounds activation memory. */
const CHUNK = 500;

export type Vec = Float64Array[];

export class FullGradient {
  private constructor(
    readonly model: ResolvedModel,
    readonly data: Examples,
    private readonly sessions: ReadonlyMap<number, ort.InferenceSession>,
    private readonly labels: BigInt64Array,
  ) {}

  /** The data's targets must be class labels (the softmax cross-entropy loss). */
  static async create(model: ResolvedModel, data: Examples): Promise<FullGradient> {
    assert(model.loss === 'softmax-cross-entropy', 'FullGradient reads class labels');
    const chunk = Math.min(CHUNK, data.count);
    const sizes = new Set([chunk, data.count % chunk].filter((s) => s > 0));
    const sessions = new Map<number, ort.InferenceSession>();
    for (const s of sizes) sessions.set(s, await createSession(buildGradModel(model, s), { threads: 1 }));
    return new FullGradient(model, data, sessions, BigInt64Array.from(data.y, (v) => BigInt(v)));
  }

  /** Mean loss and mean gradient over every example, in float64. */
  async at(params: readonly Float32Array[]): Promise<{ loss: number; grad: Vec }> {
    const { data, model } = this;
    const f = size(data.featureShape);
    const grad = model.params.map((p) => new Float64Array(size(p.shape)));
    let loss = 0;
    const chunk = Math.min(CHUNK, data.count);
    for (let start = 0; start < data.count; start += chunk) {
      const n = Math.min(chunk, data.count - start);
      const out = await runFloat(this.sessions.get(n)!, {
        x: floatTensor(data.x.subarray(start * f, (start + n) * f), [n, ...data.featureShape]),
        y: int64Tensor(this.labels.subarray(start, start + n), [n]),
        ...Object.fromEntries(model.params.map((p, i) => [p.id, floatTensor(params[i]!, p.shape)])),
      });
      // Each call's outputs are means over its n examples: weight them by n / N.
      const w = n / data.count;
      loss += out['loss']![0]! * w;
      model.params.forEach((p, i) => {
        const g = out[`grad_${p.id}`]!;
        const acc = grad[i]!;
        for (let j = 0; j < g.length; j++) acc[j]! += g[j]! * w;
      });
    }
    return { loss, grad };
  }

  /** H v by the central difference of gradients at θ ± εv (v need not be unit length). */
  async hessianVector(params: readonly Float32Array[], v: Vec, eps: number): Promise<Vec> {
    const shifted = (s: number) => params.map((p, i) => Float32Array.from(p, (x, j) => x + s * eps * v[i]![j]!));
    const plus = (await this.at(shifted(1))).grad;
    const minus = (await this.at(shifted(-1))).grad;
    return plus.map((g, i) => g.map((x, j) => (x - minus[i]![j]!) / (2 * eps)));
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await s.release();
  }
}

export const dot = (a: Vec, b: Vec): number => a.reduce((s, x, i) => s + x.reduce((t, v, j) => t + v * b[i]![j]!, 0), 0);
const scale = (a: Vec, k: number): Vec => a.map((x) => x.map((v) => v * k));

export interface TopEigen {
  readonly eigenvalue: number;
  readonly iterations: number;
  /** |λ_k − λ_{k−1}| / |λ_k| at the last iteration. */
  readonly relativeChange: number;
}

/**
 * Power iteration from a seeded random direction: v ← Hv/|Hv|, λ = vᵀHv, until λ moves by less
 * than `tolerance` (relative) or after `maxIterations` products.
 */
export async function topHessianEigenvalue(
  fg: FullGradient,
  params: readonly Float32Array[],
  o: { readonly seed: number; readonly maxIterations: number; readonly tolerance: number; readonly eps: number },
): Promise<TopEigen> {
  const rng = Rng.derive(o.seed, 31, 0);
  let v: Vec = fg.model.params.map((p) => Float64Array.from({ length: size(p.shape) }, () => rng.normal()));
  v = scale(v, 1 / Math.sqrt(dot(v, v)));
  let eigenvalue = NaN;
  let relativeChange = Infinity;
  let k = 0;
  while (k < o.maxIterations && !(relativeChange < o.tolerance)) {
    const hv = await fg.hessianVector(params, v, o.eps);
    const next = dot(v, hv);
    relativeChange = Math.abs(next - eigenvalue) / Math.max(Math.abs(next), 1e-12);
    eigenvalue = next;
    v = scale(hv, 1 / Math.sqrt(dot(hv, hv)));
    k++;
  }
  return { eigenvalue, iterations: k, relativeChange };
}
