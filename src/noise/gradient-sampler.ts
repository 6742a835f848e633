/**
 * Squared gradient norms at two batch sizes on real parameters, from the ONNX gradient model.
 *
 * One round draws B_big = k·B_small examples of the training split WITH replacement (seeded),
 * splits them into k micro-batches of B_small and computes each micro-batch's mean gradient g_i
 * with one gradient-model session at batch B_small. Then
 *   |G_small|² = mean_i |g_i|²   and   G_big = mean_i g_i,
 * the latter exact because the loss is a mean over the batch. Sampling with replacement makes
 * the examples independent draws from the finite training set, so E|G_B|² = |G|² + tr(Σ)/B
 * holds exactly with G and Σ the full-split mean and covariance (divisor N) of the per-example
 * gradients; without replacement it would carry a finite-population factor (N − B)/(N − 1).
 *
 * Squared norms are summed over every parameter tensor in float64 (the gradients themselves are
 * float32, as the trainer computes them).
 *
 * Weight decay. Training steps on g + λθ (optim/weight-decay.ts), so each sampled gradient is
 * g_i + λθ too. λθ is the same for every example: tr Σ is unchanged and G becomes the gradient
 * of the regularised loss. Without it, near the regularised optimum (G + λθ ≈ 0) the measured
 * |G|² would stay near |λθ|² and B_simple would come out far too low.
 */
import { buildGradModel } from '../compile/grad-model.js';
import type { Examples } from '../data/dataset.js';
import { createSession, floatTensor, int64Tensor, ort, type Feeds } from '../engine/ort.js';
import { assert } from '../errors.js';
import { size } from '../model/layer.js';
import type { ResolvedModel } from '../model/model.js';
import type { Rng } from '../rng.js';
import type { PairMeasurement } from './estimator.js';

export interface RoundResult extends PairMeasurement {
  /** Mean training loss over the round's B_big examples. */
  readonly loss: number;
}

export class GradientSampler {
  private readonly featureSize: number;
  private readonly xBuf: Float32Array;
  private readonly yBuf: BigInt64Array;
  private readonly labels: BigInt64Array;

  private constructor(
    readonly model: ResolvedModel,
    readonly data: Examples,
    readonly bSmall: number,
    private readonly session: ort.InferenceSession,
  ) {
    this.featureSize = size(data.featureShape);
    this.xBuf = new Float32Array(bSmall * this.featureSize);
    this.yBuf = new BigInt64Array(bSmall);
    this.labels = BigInt64Array.from(data.y, (v) => BigInt(v));
  }

  /** `weightDecay`: the λ training adds as λθ to every gradient (0: none). */
  static async create(model: ResolvedModel, data: Examples, bSmall: number, threads: number, weightDecay = 0): Promise<GradientSampler> {
    assert(Number.isInteger(bSmall) && bSmall >= 1, `bSmall ${bSmall}`);
    const session = await createSession(buildGradModel(model, bSmall, weightDecay), { threads });
    return new GradientSampler(model, data, bSmall, session);
  }

  /** Mean loss and gradient (one array per parameter, λθ included) of the examples `ids` (length bSmall). */
  async gradient(params: readonly Float32Array[], ids: ArrayLike<number>): Promise<{ loss: number; grads: Float32Array[] }> {
    const f = this.featureSize;
    const x = this.data.x;
    for (let i = 0; i < this.bSmall; i++) {
      const id = ids[i]!;
      this.xBuf.set(x.subarray(id * f, (id + 1) * f), i * f);
      this.yBuf[i] = this.labels[id]!;
    }
    const feeds: Feeds = {
      x: floatTensor(this.xBuf, [this.bSmall, ...this.data.featureShape]),
      y: int64Tensor(this.yBuf, [this.bSmall]),
    };
    this.model.params.forEach((p, i) => (feeds[p.id] = floatTensor(params[i]!, p.shape)));
    const out = await this.session.run(feeds);
    const grads = this.model.params.map((p) => out[`grad_${p.id}`]!.data as Float32Array);
    return { loss: (out['loss']!.data as Float32Array)[0]!, grads };
  }

  /** One round: k micro-batches of bSmall examples drawn with replacement by `rng`. */
  async round(params: readonly Float32Array[], k: number, rng: Rng): Promise<RoundResult> {
    assert(Number.isInteger(k) && k >= 2, `k ${k}`);
    const sums = this.model.params.map((p) => new Float64Array(size(p.shape)));
    const ids = new Int32Array(this.bSmall);
    let smallSq = 0;
    let loss = 0;
    for (let m = 0; m < k; m++) {
      for (let i = 0; i < ids.length; i++) ids[i] = rng.int(this.data.count);
      const r = await this.gradient(params, ids);
      loss += r.loss;
      r.grads.forEach((g, pi) => {
        const sum = sums[pi]!;
        let sq = 0;
        for (let j = 0; j < g.length; j++) {
          const v = g[j]!;
          sq += v * v;
          sum[j] += v;
        }
        smallSq += sq;
      });
    }
    let bigSq = 0;
    for (const sum of sums) for (let j = 0; j < sum.length; j++) bigSq += (sum[j]! / k) ** 2;
    return { bSmall: this.bSmall, bBig: k * this.bSmall, smallSq: smallSq / k, bigSq, loss: loss / k };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
