/**
 * A model, its optimizer and its data bound to ORT sessions: runs any number of updates per
 * `session.run` and evaluates. Holds the whole training state, which `snapshot`/`restore` move
 * in and out exactly (checkpoints, resume).
 *
 * Batch semantics. B = microBatch examples per forward/backward, K = iterSize micro-batches per
 * update, effectiveBatch = B·K. Each epoch draws a fresh permutation of the training split from
 * (seed, epoch); update u of the epoch uses its examples [u·B·K, (u+1)·B·K). An epoch has
 * ⌊N / (B·K)⌋ updates; the N mod B·K examples left at the end of a permutation are not used in
 * that epoch (they are as likely as any to come first in the next one). B = N, K = 1 is
 * full-batch learning; B = 1 is online learning.
 */
import { buildEvalModel } from '../compile/eval-model.js';
import { buildTrainModel, stateLayout, type StateLayout } from '../compile/train-model.js';
import type { DataSplits, Examples } from '../data/dataset.js';
import { assert, UserError } from '../errors.js';
import { size } from '../model/layer.js';
import { lossKind } from '../model/loss.js';
import { initBuffers, initParams, type ResolvedModel } from '../model/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { lrRange, type ScheduleSpec } from '../optim/schedule.js';
import { Rng } from '../rng.js';
import { createSession, floatTensor, int64Tensor, ort, scalar, type Feeds } from './ort.js';

export interface TrainerConfig {
  readonly microBatch: number;
  readonly iterSize: number;
  readonly seed: number;
  readonly threads: number;
  readonly schedule: ScheduleSpec;
  /** Profile the training session (see `endProfiling`); evaluation is never profiled. */
  readonly profileFilePrefix?: string;
  /** Examples per batch-norm group (ghost batch norm); absent: the micro-batch. */
  readonly bnBatch?: number | undefined;
  /** Return each update's squared gradient norms, micro-batch against accumulated (iterSize > 1; compile/train-model.ts). */
  readonly noiseStats?: boolean | undefined;
}

/** Everything that changes during training; enough to continue exactly where it stopped. */
export interface TrainState {
  params: Float32Array[];
  /** slots[i][j]: optimizer slot j of parameter i. */
  slots: Float32Array[][];
  globals: Float32Array[];
  /** Batch norm's running statistics, in `model.buffers` order: trained beside, never by, the optimizer. */
  buffers: Float32Array[];
  /** Updates done so far. */
  step: number;
  /** Seconds spent inside training runs so far, over every session of this run. */
  trainSeconds: number;
}

export interface UpdateResult {
  /** Mean training loss of each update that ran. */
  readonly losses: Float32Array;
  /** Set when an update's loss was NaN or ±Inf: its 1-based global step number. */
  readonly divergedAtStep: number | null;
  readonly seconds: number;
  /** With `noiseStats`: per update, the mean of its micro-batch gradients' |g_k|² and its own |ḡ|² (λθ added to both). */
  readonly noise?: { readonly smallSq: Float32Array; readonly bigSq: Float32Array };
}

export interface Evaluation {
  readonly loss: number;
  /** NaN for a squared-error (regression) model, which has no accuracy. */
  readonly accuracy: number;
}

/** Upper bound on examples per evaluation run, to bound activation memory. */
const EVAL_CHUNK = 10000;

export class Trainer {
  readonly stepsPerEpoch: number;
  readonly effectiveBatch: number;
  private readonly layout: StateLayout;
  private readonly trainX: ort.Tensor;
  private readonly trainY: ort.Tensor;
  private readonly labels = new Map<Examples, BigInt64Array>();
  private readonly classes: boolean;
  private epochOrder: { epoch: number; perm: Int32Array } | null = null;

  private constructor(
    readonly model: ResolvedModel,
    readonly optimizer: Optimizer,
    readonly data: DataSplits,
    readonly config: TrainerConfig,
    private readonly trainSession: ort.InferenceSession,
    private readonly evalSession: ort.InferenceSession,
    public state: TrainState,
  ) {
    this.effectiveBatch = config.microBatch * config.iterSize;
    this.stepsPerEpoch = Math.floor(data.train.count / this.effectiveBatch);
    this.layout = stateLayout(model, optimizer);
    this.trainX = floatTensor(data.train.x, [data.train.count, ...data.featureShape]);
    this.classes = lossKind(model.loss).targets === 'class';
    this.trainY = this.targetTensor(data.train, 0, data.train.count);
  }

  static async create(model: ResolvedModel, optimizer: Optimizer, data: DataSplits, config: TrainerConfig): Promise<Trainer> {
    const { microBatch: B, iterSize: K } = config;
    const n = data.train.count;
    if (B * K > n) {
      throw new UserError(
        `batch ${B} × iter-size ${K} = ${B * K} examples per update, but the training split has only ${n}; ` +
          `use --batch-size full or a smaller --batch-size/--iter-size`,
      );
    }
    const G = config.bnBatch;
    if (G !== undefined && (G < 1 || B % G !== 0)) {
      throw new UserError(`--bn-batch ${G} does not divide the micro-batch of ${B} examples; use a divisor of ${B} (batch norm groups must tile each micro-batch)`);
    }
    if (optimizer.fullBatchOnly && (B * K !== n || K !== 1)) {
      throw new UserError(
        `--optimizer ${optimizer.name} compares whole-data losses between updates, so it needs --batch-size full ` +
          `(and --iter-size 1); use --optimizer rprop (iRprop−) for mini-batches`,
      );
    }
    const [trainSession, evalSession] = await Promise.all([
      createSession(buildTrainModel(model, optimizer, { batchSize: B, iterSize: K, seed: config.seed, bnBatch: config.bnBatch, noiseStats: config.noiseStats }), config),
      createSession(buildEvalModel(model), { threads: config.threads }),
    ]);
    const params = initParams(model, config.seed);
    const state: TrainState = {
      params,
      slots: params.map((p) => optimizer.slots.map((s) => new Float32Array(p.length).fill(optimizer.slotInit(s)))),
      globals: optimizer.globals.map((name) => Float32Array.of(optimizer.globalInit(name))),
      buffers: initBuffers(model),
      step: 0,
      trainSeconds: 0,
    };
    return new Trainer(model, optimizer, data, config, trainSession, evalSession, state);
  }

  get epoch(): number {
    return Math.floor(this.state.step / this.stepsPerEpoch);
  }

  /** Updates left before the end of the current epoch. */
  get stepsLeftInEpoch(): number {
    return this.stepsPerEpoch - (this.state.step % this.stepsPerEpoch);
  }

  /**
   * Run `count` updates (not crossing an epoch boundary) in one `session.run`.
   * Stops early after an update whose loss is not finite.
   * `given`: the examples (count·K·B ids) and rates of the updates, for a caller that keeps its
   * own order across batch sizes (the adaptive batch, src/adaptive); then epochs are its business.
   */
  async runUpdates(count: number, given?: { readonly order: BigInt64Array; readonly lrs: Float32Array }): Promise<UpdateResult> {
    const { microBatch: B, iterSize: K } = this.config;
    assert(given ? count >= 1 && given.order.length === count * K * B && given.lrs.length === count : count >= 1 && count <= this.stepsLeftInEpoch, `runUpdates(${count}) must stay within the epoch`);
    let order = given?.order;
    if (order === undefined) {
      const perm = this.permutation(this.epoch);
      const first = (this.state.step % this.stepsPerEpoch) * B * K;
      order = new BigInt64Array(count * K * B);
      for (let i = 0; i < order.length; i++) order[i] = BigInt(perm[first + i]!);
    }
    const s = this.state;
    const feeds: Feeds = {
      data_x: this.trainX,
      data_y: this.trainY,
      order: int64Tensor(order, [count, K, B]),
      lrs: floatTensor(given?.lrs ?? lrRange(this.config.schedule, this.optimizer.hyper.lr, s.step, count), [count]),
      t0: scalar(s.step),
    };
    const shapes = this.model.params.map((p) => p.shape);
    this.layout.params.forEach((name, i) => (feeds[name] = floatTensor(s.params[i]!, shapes[i]!)));
    this.layout.slots.forEach((names, i) => names.forEach((name, j) => (feeds[name] = floatTensor(s.slots[i]![j]!, shapes[i]!))));
    this.layout.globals.forEach((name, j) => (feeds[name] = floatTensor(s.globals[j]!, [])));
    this.feedBuffers(feeds);

    const started = performance.now();
    const out = await this.trainSession.run(feeds);
    const seconds = (performance.now() - started) / 1000;

    const f32 = (name: string) => out[`out_${name}`]!.data as Float32Array;
    this.state = {
      params: this.layout.params.map(f32),
      slots: this.layout.slots.map((names) => names.map(f32)),
      globals: this.layout.globals.map(f32),
      buffers: this.model.buffers.map((b) => f32(b.id)),
      step: s.step + (out['losses']!.data as Float32Array).length,
      trainSeconds: s.trainSeconds + seconds,
    };
    const losses = out['losses']!.data as Float32Array;
    const last = losses[losses.length - 1];
    const divergedAtStep = last === undefined || Number.isFinite(last) ? null : this.state.step;
    if (!this.config.noiseStats) return { losses, divergedAtStep, seconds };
    return { losses, divergedAtStep, seconds, noise: { smallSq: out['noise_small']!.data as Float32Array, bigSq: out['noise_big']!.data as Float32Array } };
  }

  /** Mean loss and accuracy on a split, at the current weights (dropout off). */
  async evaluate(split: Examples): Promise<Evaluation> {
    let lossSum = 0;
    let correct = 0;
    const featureSize = size(split.featureShape);
    for (let start = 0; start < split.count; start += EVAL_CHUNK) {
      const n = Math.min(EVAL_CHUNK, split.count - start);
      const feeds: Feeds = {
        x: floatTensor(split.x.subarray(start * featureSize, (start + n) * featureSize), [n, ...split.featureShape]),
        y: this.targetTensor(split, start, n),
      };
      this.model.params.forEach((p, i) => (feeds[p.id] = floatTensor(this.state.params[i]!, p.shape)));
      this.feedBuffers(feeds);
      const out = await this.evalSession.run(feeds);
      lossSum += (out['loss_sum']!.data as Float32Array)[0]!;
      correct += this.classes ? (out['correct']!.data as Float32Array)[0]! : NaN;
    }
    return { loss: lossSum / split.count, accuracy: correct / split.count };
  }

  /** A deep copy of the training state. */
  snapshot(): TrainState {
    const s = this.state;
    return {
      params: s.params.map((p) => p.slice()),
      slots: s.slots.map((ps) => ps.map((x) => x.slice())),
      globals: s.globals.map((x) => x.slice()),
      buffers: s.buffers.map((x) => x.slice()),
      step: s.step,
      trainSeconds: s.trainSeconds,
    };
  }

  restore(state: TrainState): void {
    const ok =
      state.params.length === this.state.params.length &&
      state.params.every((p, i) => p.length === this.state.params[i]!.length) &&
      state.slots.every((ps, i) => ps.length === this.state.slots[i]!.length && ps.every((x) => x.length === state.params[i]!.length)) &&
      state.globals.length === this.state.globals.length &&
      state.buffers.length === this.state.buffers.length &&
      state.buffers.every((b, i) => b.length === this.state.buffers[i]!.length);
    if (!ok) throw new UserError('the checkpoint does not match this model and optimizer (tensor counts or sizes differ)');
    this.state = state;
  }

  /** Stop profiling and write the profile file (to the TrainerConfig's profileFilePrefix). */
  endProfiling(): void {
    this.trainSession.endProfiling();
  }

  async release(): Promise<void> {
    await Promise.all([this.trainSession.release(), this.evalSession.release()]);
  }

  private feedBuffers(feeds: Feeds): void {
    this.model.buffers.forEach((b, i) => (feeds[b.id] = floatTensor(this.state.buffers[i]!, b.shape)));
  }

  private permutation(epoch: number): Int32Array {
    if (this.epochOrder?.epoch !== epoch) this.epochOrder = { epoch, perm: Rng.derive(this.config.seed, 2, epoch).permutation(this.data.train.count) };
    return this.epochOrder.perm;
  }

  /** Targets of examples [start, start + n): class indices (int64), or regression vectors. */
  private targetTensor(split: Examples, start: number, n: number): ort.Tensor {
    if (this.classes) return int64Tensor(this.labelsOf(split).subarray(start, start + n), [n]);
    const width = this.model.numClasses;
    if (split.targets?.length !== split.count * width) {
      throw new UserError(`a squared-error model needs ${width} float target value(s) per example, and this data set has class labels only`);
    }
    return floatTensor(split.targets.subarray(start * width, (start + n) * width), [n, width]);
  }

  private labelsOf(split: Examples): BigInt64Array {
    let l = this.labels.get(split);
    if (!l) {
      l = BigInt64Array.from(split.y, (v) => BigInt(v));
      this.labels.set(split, l);
    }
    return l;
  }
}
