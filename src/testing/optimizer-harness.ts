/**
 * Runs one optimizer's update on its own, for tests and experiments: a graph whose inputs are
 * the parameter, its gradient, the slots, the globals, lr, t and loss, and whose outputs are the
 * new parameter, slots and globals. `step` feeds one update and returns the new state.
 */
import { DType, GraphBuilder, encodeModel } from '../graph/builder.js';
import { createSession, floatTensor, runFloat, scalar, type ort } from '../engine/ort.js';
import { fusedSinks } from '../compile/train-model.js';
import { dense } from '../model/layers/dense.js';
import type { LayerOf } from '../model/spec.js';
import type { Optimizer } from '../optim/optimizer.js';

export interface OptState {
  readonly param: Float32Array;
  readonly slots: readonly Float32Array[];
  readonly globals: readonly number[];
}

export interface StepFeed {
  readonly grad: ArrayLike<number>;
  /** Defaults to the optimizer's `hyper.lr`. */
  readonly lr?: number;
  /** 1-based update index. */
  readonly t: number;
  /** Defaults to 0. */
  readonly loss?: number;
}

export class UpdateRunner {
  private constructor(
    readonly optimizer: Optimizer,
    readonly n: number,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(optimizer: Optimizer, n: number): Promise<UpdateRunner> {
    const g = new GraphBuilder(`update_${optimizer.name}`);
    const param = g.input('param', DType.float, [n]);
    const grad = g.input('grad', DType.float, [n]);
    const slots = optimizer.slots.map((s) => g.input(`slot_${s}`, DType.float, [n]));
    const globals = optimizer.globals.map((s) => g.input(`global_${s}`, DType.float, []));
    const lr = g.input('lr', DType.float, []);
    const t = g.input('t', DType.float, []);
    const loss = g.input('loss', DType.float, []);
    const out = optimizer.update(g, { param, grad, slots, globals, lr, t, loss });
    g.identity(out.param, 'new_param');
    g.output('new_param', DType.float, [n]);
    out.slots.forEach((s, i) => {
      g.identity(s, `new_slot_${optimizer.slots[i]}`);
      g.output(`new_slot_${optimizer.slots[i]}`, DType.float, [n]);
    });
    const newGlobals = optimizer.updateGlobals ? optimizer.updateGlobals(g, { globals, loss }) : globals;
    newGlobals.forEach((s, i) => {
      g.identity(s, `new_global_${optimizer.globals[i]}`);
      g.output(`new_global_${optimizer.globals[i]}`, DType.float, []);
    });
    const session = await createSession(encodeModel(g.build()), { threads: 1 });
    return new UpdateRunner(optimizer, n, session);
  }

  init(theta0: ArrayLike<number>): OptState {
    const o = this.optimizer;
    return {
      param: Float32Array.from(theta0),
      slots: o.slots.map((s) => new Float32Array(this.n).fill(o.slotInit(s))),
      globals: o.globals.map((s) => Math.fround(o.globalInit(s))),
    };
  }

  async step(state: OptState, feed: StepFeed): Promise<OptState> {
    const o = this.optimizer;
    const dims = [this.n];
    const feeds: Record<string, ort.Tensor> = {
      param: floatTensor(state.param, dims),
      grad: floatTensor(Float32Array.from(feed.grad), dims),
      lr: scalar(feed.lr ?? o.hyper.lr),
      t: scalar(feed.t),
      loss: scalar(feed.loss ?? 0),
    };
    o.slots.forEach((s, i) => (feeds[`slot_${s}`] = floatTensor(state.slots[i]!, dims)));
    o.globals.forEach((s, i) => (feeds[`global_${s}`] = scalar(state.globals[i]!)));
    const out = await runFloat(this.session, feeds);
    return {
      param: out['new_param']!,
      slots: o.slots.map((s) => out[`new_slot_${s}`]!),
      globals: o.globals.map((s) => out[`new_global_${s}`]![0]!),
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Both fused results of one step: through a dense layer's weight Gemm and through its bias. */
export interface FusedStep {
  readonly viaWeight: OptState;
  readonly viaBias: OptState;
}

/**
 * An optimizer's fused path (FusedStage), built as the trainer builds it without accumulation or
 * weight decay: the sinks come from `fusedSinks`, the gradient out of a real dense layer's
 * backward — once through its weight Gemm (W = θ as a [1, n] matrix on the single input feature
 * 1, so the Gemm's xᵀ·dy is g, with C = the sink's target) and once through its bias (Σ_batch dy
 * = g) — and `finish` completes each update. Both must give what `update` gives.
 */
export class FusedUpdateRunner {
  private constructor(
    readonly optimizer: Optimizer,
    readonly n: number,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(optimizer: Optimizer, n: number): Promise<FusedUpdateRunner> {
    const fused = optimizer.fused;
    if (!fused) throw new Error(`${optimizer.name} has no fused stage`);
    const g = new GraphBuilder(`fused_${optimizer.name}`);
    const param = g.input('param', DType.float, [n]);
    const grad = g.input('grad', DType.float, [n]);
    const slots = optimizer.slots.map((s) => g.input(`slot_${s}`, DType.float, [n]));
    const lr = g.input('lr', DType.float, []);
    const row = (v: string) => g.op('Reshape', [v, g.constInt64([1, n])]);
    const flat = (v: string) => g.op('Reshape', [v, g.constInt64([n])]);
    const params = [row(param), param];
    const slotsOf = (i: number) => (i === 0 ? slots.map(row) : slots);
    const x = g.constFloat([1], [1, 1]);
    const spec: LayerOf<'dense'> = { type: 'dense', units: n };
    const sinks = fusedSinks(g, fused, lr, params, slotsOf);
    const back = dense.backward(g, { spec, inShape: [1], x, params, training: true, seed: 0, dy: row(grad), saved: { x }, needInputGrad: false, sinks });
    const outs = [0, 1].map((i) => fused.finish(g, { param: params[i]!, fused: back.grads[i]!, slots: slotsOf(i), lr }));
    outs.forEach((u, i) => {
      const tag = i === 0 ? 'w' : 'b';
      g.identity(flat(u.param), `new_param_${tag}`);
      g.output(`new_param_${tag}`, DType.float, [n]);
      u.slots.forEach((sl, j) => {
        g.identity(flat(sl), `new_slot_${tag}_${j}`);
        g.output(`new_slot_${tag}_${j}`, DType.float, [n]);
      });
    });
    const session = await createSession(encodeModel(g.build()), { threads: 1 });
    return new FusedUpdateRunner(optimizer, n, session);
  }

  /** One update from the state reached by the weight path (the bias path starts from the same). */
  async step(state: OptState, feed: StepFeed): Promise<FusedStep> {
    const o = this.optimizer;
    const dims = [this.n];
    const feeds: Record<string, ort.Tensor> = { param: floatTensor(state.param, dims), grad: floatTensor(Float32Array.from(feed.grad), dims), lr: scalar(feed.lr ?? o.hyper.lr) };
    o.slots.forEach((s, i) => (feeds[`slot_${s}`] = floatTensor(state.slots[i]!, dims)));
    const out = await runFloat(this.session, feeds);
    const result = (tag: string): OptState => ({ param: out[`new_param_${tag}`]!, slots: o.slots.map((_, j) => out[`new_slot_${tag}_${j}`]!), globals: [] });
    return { viaWeight: result('w'), viaBias: result('b') };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Float comparison used by the optimizer tests: 1e-5 relative, with a 1e-7 floor near zero. */
export function close(actual: number, expected: number, rel = 1e-5, abs = 1e-7): boolean {
  return Math.abs(actual - expected) <= rel * Math.max(Math.abs(actual), Math.abs(expected)) + abs;
}
