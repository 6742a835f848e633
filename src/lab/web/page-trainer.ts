/**
 * The engine's training feed without Node: the same compiled training graph (`buildTrainModel`),
 * fed as `Trainer.runUpdates` feeds it (the whole split once, `order` [M, 1, B] from the same
 * per-epoch permutation, `lrs`, `t0`, then every parameter, slot and global), on whichever ONNX
 * Runtime build is handed in: onnxruntime-web's wasm in the page, onnxruntime-node in a test that
 * checks the two agree. iterSize is 1 and the schedule constant: the lab's sliders need no more.
 * Unlike the engine, one run may cross epoch boundaries (each epoch still draws its own
 * permutation), so a small problem trains several epochs for one call's overhead.
 *
 * Browser-safe: it imports only the browser-safe layers and `rng`; the runtime is a parameter.
 */
import { buildEvalModel } from '../../compile/eval-model.js';
import { buildTrainModel, stateLayout, type StateLayout } from '../../compile/train-model.js';
import { lossKind } from '../../model/loss.js';
import { initParams, type ResolvedModel } from '../../model/model.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { Rng } from '../../rng.js';

/** What this file needs of an ONNX Runtime module (both onnxruntime-web and -node provide it). */
export interface OrtModule {
  readonly Tensor: new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]) => OrtTensor;
  readonly InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
}
export interface OrtTensor {
  readonly data: unknown;
}
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** A training split as the engine holds it: features row-major, class labels or float targets. */
export interface PageSplit {
  readonly x: Float32Array;
  readonly featureShape: readonly number[];
  readonly count: number;
  /** Class labels (softmax cross-entropy). */
  readonly labels?: Int32Array;
  /** numClasses floats per example (squared error). */
  readonly targets?: Float32Array;
}

export interface PageState {
  params: Float32Array[];
  slots: Float32Array[][];
  globals: Float32Array[];
  step: number;
}

export class PageTrainer {
  readonly stepsPerEpoch: number;
  private readonly layout: StateLayout;
  private readonly dataX: OrtTensor;
  private readonly dataY: OrtTensor;
  private perm: { epoch: number; order: Int32Array } | null = null;

  private constructor(
    private readonly ort: OrtModule,
    readonly model: ResolvedModel,
    readonly optimizer: Optimizer,
    readonly split: PageSplit,
    readonly batch: number,
    public seed: number,
    private readonly train: OrtSession,
    private readonly evaluator: OrtSession,
    public state: PageState,
  ) {
    this.stepsPerEpoch = Math.floor(split.count / batch);
    this.layout = stateLayout(model, optimizer);
    this.dataX = new ort.Tensor('float32', split.x, [split.count, ...split.featureShape]);
    this.dataY = targets(ort, model, split, 0, split.count);
  }

  /** Sessions for batch size `batch`; the weights start as the engine's do for `seed`. */
  static async create(ort: OrtModule, model: ResolvedModel, optimizer: Optimizer, split: PageSplit, batch: number, seed: number, sessionOptions: Record<string, unknown> = {}): Promise<PageTrainer> {
    if (batch < 1 || batch > split.count) throw new Error(`batch ${batch} must lie in 1…${split.count}`);
    const [train, evaluator] = await Promise.all([
      ort.InferenceSession.create(buildTrainModel(model, optimizer, { batchSize: batch, iterSize: 1, seed }), sessionOptions),
      ort.InferenceSession.create(buildEvalModel(model), sessionOptions),
    ]);
    return new PageTrainer(ort, model, optimizer, split, batch, seed, train, evaluator, freshState(model, optimizer, seed));
  }

  /** `count` updates at learning rate `lr` in one run, each epoch in its own order; their losses. */
  async runUpdates(count: number, lr: number): Promise<Float32Array> {
    const m = count;
    const order = new BigInt64Array(m * this.batch);
    for (let u = 0; u < m; u++) {
      const step = this.state.step + u;
      const perm = this.permutation(Math.floor(step / this.stepsPerEpoch));
      const first = (step % this.stepsPerEpoch) * this.batch;
      for (let i = 0; i < this.batch; i++) order[u * this.batch + i] = BigInt(perm[first + i]!);
    }
    const T = this.ort.Tensor;
    const s = this.state;
    const feeds: Record<string, OrtTensor> = {
      data_x: this.dataX,
      data_y: this.dataY,
      order: new T('int64', order, [m, 1, this.batch]),
      lrs: new T('float32', new Float32Array(m).fill(lr), [m]),
      t0: new T('float32', Float32Array.of(s.step), []),
    };
    const shapes = this.model.params.map((p) => p.shape);
    this.layout.params.forEach((name, i) => (feeds[name] = new T('float32', s.params[i]!, shapes[i]!)));
    this.layout.slots.forEach((names, i) => names.forEach((name, j) => (feeds[name] = new T('float32', s.slots[i]![j]!, shapes[i]!))));
    this.layout.globals.forEach((name, j) => (feeds[name] = new T('float32', s.globals[j]!, [])));
    const out = await this.train.run(feeds);
    // onnxruntime-web may hand back views on its own memory: copy before the next run reuses it.
    const f32 = (name: string) => Float32Array.from(out[`out_${name}`]!.data as Float32Array);
    const losses = Float32Array.from(out['losses']!.data as Float32Array);
    this.state = {
      params: this.layout.params.map(f32),
      slots: this.layout.slots.map((names) => names.map(f32)),
      globals: this.layout.globals.map(f32),
      step: s.step + losses.length,
    };
    return losses;
  }

  /** Mean loss and accuracy (NaN for squared error) on a split at the current weights. */
  async evaluate(split: PageSplit): Promise<{ loss: number; accuracy: number }> {
    const feeds: Record<string, OrtTensor> = {
      x: new this.ort.Tensor('float32', split.x, [split.count, ...split.featureShape]),
      y: targets(this.ort, this.model, split, 0, split.count),
    };
    this.model.params.forEach((p, i) => (feeds[p.id] = new this.ort.Tensor('float32', this.state.params[i]!, p.shape)));
    const out = await this.evaluator.run(feeds);
    const lossSum = (out['loss_sum']!.data as Float32Array)[0]!;
    const correct = lossKind(this.model.loss).targets === 'class' ? (out['correct']!.data as Float32Array)[0]! : NaN;
    return { loss: lossSum / split.count, accuracy: correct / split.count };
  }

  /**
   * Starts over as a fresh trainer for `seed` would (its initial weights, zeroed slots and its
   * epoch orders) without compiling new sessions. The graph's own seed only draws dropout masks,
   * so a model with dropout cannot be restarted this way.
   */
  restart(seed: number): void {
    if (this.model.layers.some((l) => l.spec.type === 'dropout')) throw new Error('restart: a model with dropout needs new sessions for a new seed');
    this.seed = seed;
    this.perm = null;
    this.state = freshState(this.model, this.optimizer, seed);
  }

  async release(): Promise<void> {
    await Promise.all([this.train.release(), this.evaluator.release()]);
  }

  /** The engine's epoch order (Trainer.permutation): the same seed draws the same batches. */
  private permutation(epoch: number): Int32Array {
    if (this.perm?.epoch !== epoch) this.perm = { epoch, order: Rng.derive(this.seed, 2, epoch).permutation(this.split.count) };
    return this.perm.order;
  }
}

function freshState(model: ResolvedModel, optimizer: Optimizer, seed: number): PageState {
  const params = initParams(model, seed);
  return {
    params,
    slots: params.map((p) => optimizer.slots.map((s) => new Float32Array(p.length).fill(optimizer.slotInit(s)))),
    globals: optimizer.globals.map((g) => Float32Array.of(optimizer.globalInit(g))),
    step: 0,
  };
}

function targets(ort: OrtModule, model: ResolvedModel, split: PageSplit, start: number, n: number): OrtTensor {
  if (lossKind(model.loss).targets === 'class') {
    if (!split.labels) throw new Error('a classifier needs class labels');
    return new ort.Tensor('int64', BigInt64Array.from(split.labels.subarray(start, start + n), (v) => BigInt(v)), [n]);
  }
  const w = model.numClasses;
  if (split.targets?.length !== split.count * w) throw new Error(`a squared-error model needs ${w} target value(s) per example`);
  return new ort.Tensor('float32', split.targets.subarray(start * w, (start + n) * w), [n, w]);
}
