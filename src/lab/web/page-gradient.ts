/**
 * Mean loss and gradient of chosen examples from the compiled gradient graph (`buildGradModel`,
 * the one the noise-scale sampler runs in Node), on whichever ONNX Runtime is handed in, and one
 * round of the noise-scale measurement as `GradientSampler.round` takes it: k micro-batches of
 * bSmall examples drawn with replacement, |G_small|² their mean squared norm, |G_big|² the squared
 * norm of their mean. Browser-safe.
 */
import { buildGradModel } from '../../compile/grad-model.js';
import type { ResolvedModel } from '../../model/model.js';
import type { PairMeasurement } from '../../noise/estimator.js';
import type { Rng } from '../../rng.js';
import type { OrtModule, OrtSession, OrtTensor, PageSplit } from './page-trainer.js';

export class PageGradient {
  private readonly featureSize: number;

  private constructor(
    private readonly ort: OrtModule,
    readonly model: ResolvedModel,
    readonly split: PageSplit,
    readonly batch: number,
    private readonly session: OrtSession,
  ) {
    this.featureSize = split.featureShape.reduce((a, b) => a * b, 1);
  }

  static async create(ort: OrtModule, model: ResolvedModel, split: PageSplit, batch: number, sessionOptions: Record<string, unknown> = {}): Promise<PageGradient> {
    if (!split.labels) throw new Error('the gradient page runs classifiers: it needs class labels');
    return new PageGradient(ort, model, split, batch, await ort.InferenceSession.create(buildGradModel(model, batch), sessionOptions));
  }

  /** Mean loss and gradient (one array per parameter) over the examples `ids` (length `batch`). */
  async gradient(params: readonly Float32Array[], ids: ArrayLike<number>): Promise<{ loss: number; grads: Float32Array[] }> {
    const f = this.featureSize;
    const x = new Float32Array(this.batch * f);
    const y = new BigInt64Array(this.batch);
    for (let i = 0; i < this.batch; i++) {
      const id = ids[i]!;
      x.set(this.split.x.subarray(id * f, (id + 1) * f), i * f);
      y[i] = BigInt(this.split.labels![id]!);
    }
    const T = this.ort.Tensor;
    const feeds: Record<string, OrtTensor> = { x: new T('float32', x, [this.batch, ...this.split.featureShape]), y: new T('int64', y, [this.batch]) };
    this.model.params.forEach((p, i) => (feeds[p.id] = new T('float32', params[i]!, p.shape)));
    const out = await this.session.run(feeds);
    // Copied: onnxruntime-web may hand back views on memory its next run reuses.
    const grads = this.model.params.map((p) => Float32Array.from(out[`grad_${p.id}`]!.data as Float32Array));
    return { loss: (out['loss']!.data as Float32Array)[0]!, grads };
  }

  /** One noise-scale round at this batch (B_small): k micro-batches drawn with replacement by `rng`. */
  async round(params: readonly Float32Array[], k: number, rng: Rng): Promise<PairMeasurement> {
    const sums = this.model.params.map((p) => new Float64Array(p.shape.reduce((a, b) => a * b, 1)));
    let smallSq = 0;
    for (let m = 0; m < k; m++) {
      const ids = Int32Array.from({ length: this.batch }, () => rng.int(this.split.count));
      const { grads } = await this.gradient(params, ids);
      grads.forEach((g, pi) => {
        for (let j = 0; j < g.length; j++) {
          smallSq += g[j]! * g[j]!;
          sums[pi]![j]! += g[j]!;
        }
      });
    }
    let bigSq = 0;
    for (const sum of sums) for (let j = 0; j < sum.length; j++) bigSq += (sum[j]! / k) ** 2;
    return { bSmall: this.batch, bBig: k * this.batch, smallSq: smallSq / k, bigSq };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
