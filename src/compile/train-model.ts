/**
 * The training graph: many SGD updates inside one `session.run`.
 *
 * One ONNX `Loop` iteration is one update. The whole training split is an input, passed once per
 * run (inputs are zero-copy), and each iteration gathers its examples through `order`, so only the
 * final weights are copied out per run, not per step.
 *
 * Update u uses the examples order[u, k, :] for k < K (K = iterSize, B = micro-batch): with K = 1
 * they form the batch; with K > 1 a nested Loop runs K forward/backward passes of B examples each
 * (only B examples' activations are live at a time) and sums their gradients, and the update uses
 * the mean, (1/K)·Σ_k ∇L_k — exactly the mean gradient over all B·K examples, since each L_k is
 * already a mean over its B examples. Accumulation thus wraps every optimizer the same way.
 *
 * Inputs: data_x [N, …], data_y [N], order [M, K, B] int64, lrs [M], t0 (updates done before),
 * then every parameter, every optimizer slot, every optimizer global and every buffer (batch
 * norm's running statistics, which no optimizer sees: each moves once per update toward the mean
 * of its statistic over the update's micro-batches, so B·K in one batch and B × K give the same
 * buffers whenever the batch-norm groups are the same).
 * Outputs: t_out, the same state with an `out_` prefix, and losses [≤ M]: the mean loss of each
 * update. The loop stops early, after the update whose loss is NaN or ±Inf.
 *
 * Noise statistics (`noiseStats`, K > 1 only): each update also returns noise_small [≤ M], the
 * mean over its K micro-batches of |g_k + λθ|², and noise_big [≤ M], |ḡ + λθ|² of the gradient
 * the update steps on (ḡ = mean of the g_k, λ the weight decay): McCandlish's micro-batch against
 * accumulated gradient, from the gradients the step computes anyway (src/adaptive). Sums of
 * squares over every parameter tensor, in float32. The micro-steps then return plain gradients
 * and add them to the accumulators themselves, instead of the backward adding into them.
 */
import { DType, GraphBuilder, encodeModel, type Dim } from '../graph/builder.js';
import type { ResolvedModel } from '../model/model.js';
import type { GradSink } from '../model/layer.js';
import type { FusedStage, Optimizer, UpdateOutputs } from '../optim/optimizer.js';
import { emitGradWithDecay } from '../optim/weight-decay.js';
import { emitForwardBackward, targetInput } from './forward-backward.js';
import { layerScope } from '../graph/scope.js';
import { assert } from '../errors.js';

export interface TrainGraphConfig {
  readonly batchSize: number;
  readonly iterSize: number;
  /** Seed for dropout masks. */
  readonly seed: number;
  /** Examples per batch-norm group (ghost batch norm); absent: the micro-batch. */
  readonly bnBatch?: number | undefined;
  /** Return each update's noise statistics (see the header); needs iterSize > 1. */
  readonly noiseStats?: boolean | undefined;
}

/** Names of the state tensors, in the order the graph takes and returns them. */
export interface StateLayout {
  readonly params: readonly string[];
  /** slots[i][j]: slot j of parameter i. */
  readonly slots: readonly (readonly string[])[];
  readonly globals: readonly string[];
}

export function stateLayout(model: ResolvedModel, opt: Optimizer): StateLayout {
  return {
    params: model.params.map((p) => p.id),
    slots: model.params.map((p) => opt.slots.map((s) => `${p.id}__${s}`)),
    globals: opt.globals.map((name) => `global__${name}`),
  };
}

export function buildTrainModel(model: ResolvedModel, opt: Optimizer, cfg: TrainGraphConfig): Uint8Array {
  const { batchSize: B, iterSize: K } = cfg;
  assert(!cfg.noiseStats || K > 1, 'noise statistics compare micro-batches with their accumulated gradient: they need iterSize > 1');
  const layout = stateLayout(model, opt);
  const shapes = model.params.map((p) => [...p.shape]);
  const g = new GraphBuilder('train');
  const dataX = g.input('data_x', DType.float, ['n', ...model.inputShape]);
  const dataY = targetInput(g, model, 'data_y', 'n');
  const order = g.input('order', DType.int64, ['steps', K, B]);
  const lrs = g.input('lrs', DType.float, ['steps']);
  const t0 = g.input('t0', DType.float, []);
  const carried: { name: string; shape: Dim[] }[] = [];
  layout.params.forEach((name, i) => carried.push({ name, shape: shapes[i]! }));
  layout.slots.forEach((names, i) => names.forEach((name) => carried.push({ name, shape: shapes[i]! })));
  layout.globals.forEach((name) => carried.push({ name, shape: [] }));
  const bufferShapes = model.buffers.map((b) => [...b.shape]);
  model.buffers.forEach((b, i) => carried.push({ name: b.id, shape: bufferShapes[i]! }));
  for (const c of carried) g.input(c.name, DType.float, c.shape);

  // --- body of the update loop ---
  const body = g.sub('update');
  const iter = body.input(body.fresh('iter'), DType.int64, []);
  body.input(body.fresh('cond'), DType.bool, []);
  const tIn = body.input(body.fresh('t'), DType.float, []);
  const inner = carried.map((c) => body.input(body.fresh(`in_${c.name}`), DType.float, c.shape));
  const nP = layout.params.length;
  const params = inner.slice(0, nP);
  const ids = body.op('Gather', [order, iter], { axis: 0 });
  const lr = body.op('Gather', [lrs, iter], { axis: 0 });
  const t = body.op('Add', [tIn, body.scalarFloat(1)]);

  const nS = opt.slots.length;
  const slotsOf = (i: number) => inner.slice(nP + i * nS, nP + (i + 1) * nS);
  const globalsIn = inner.slice(nP + nP * nS, nP + nP * nS + opt.globals.length);
  const buffersIn = inner.slice(nP + nP * nS + opt.globals.length);
  const microStep = (sg: GraphBuilder, microIds: string, sinks: readonly (GradSink | null)[]) => {
    const xb = sg.op('Gather', [dataX, microIds], { axis: 0 });
    const yb = sg.op('Gather', [dataY, microIds], { axis: 0 });
    return emitForwardBackward(sg, model, xb, yb, params, B, cfg.seed, sinks, cfg.bnBatch);
  };
  // Without accumulation or weight decay, an optimizer with a fusable first stage gets it from
  // the backward pass itself (GradSink); otherwise plain gradients go through `update`.
  const fused = K === 1 && opt.hyper.weightDecay === 0 ? opt.fused : undefined;
  let loss: string;
  let grads: string[];
  let stats: readonly string[];
  let noise: NoiseStats | undefined;
  if (K === 1) {
    const sinks = fused ? fusedSinks(body, fused, lr, params, slotsOf) : [];
    ({ loss, grads, stats } = microStep(body, body.op('Gather', [ids, body.scalarInt64(0)], { axis: 0 }), sinks));
  } else {
    const decayed = cfg.noiseStats ? (b: GraphBuilder, grad: string, i: number) => emitGradWithDecay(b, grad, params[i]!, opt.hyper.weightDecay) : undefined;
    ({ loss, grads, stats, noise } = emitAccumulation(body, ids, K, shapes, bufferShapes, microStep, decayed));
  }

  const newParams: string[] = [];
  const newSlots: string[] = [];
  layout.params.forEach((_, i) => {
    const slots = slotsOf(i);
    const owner = model.layers.find((l) => l.paramIndices.includes(i))!;
    const u = body.scoped(layerScope('update', owner.index, owner.spec.type), (): UpdateOutputs => {
      if (fused) return fused.finish(body, { param: params[i]!, fused: grads[i]!, slots, lr });
      const grad = emitGradWithDecay(body, grads[i]!, params[i]!, opt.hyper.weightDecay);
      return opt.update(body, { param: params[i]!, grad, slots, globals: globalsIn, lr, t, loss });
    });
    newParams.push(u.param);
    newSlots.push(...u.slots);
  });
  const newGlobals = opt.updateGlobals ? opt.updateGlobals(body, { globals: globalsIn, loss }) : [];
  // r + μ·(s − r) = (1 − μ)·r + μ·s
  const newBuffers = model.buffers.map((b, i) =>
    body.op('Add', [buffersIn[i]!, body.op('Mul', [body.op('Sub', [stats[i]!, buffersIn[i]!]), body.scalarFloat(b.momentum)])]),
  );

  // loss − loss is 0 for a finite loss and NaN for NaN or ±Inf: one test, two nodes.
  const finite = body.op('Equal', [body.op('Sub', [loss, loss]), body.scalarFloat(0)]);
  // A body output needs its own name: copy only values that are body inputs or already listed.
  const seen = new Set<string>(inner);
  const scans = noise ? [loss, noise.smallSq, noise.bigSq] : [loss];
  const outs = [finite, t, ...newParams, ...newSlots, ...newGlobals, ...newBuffers, ...scans].map((v) => {
    if (seen.has(v)) return body.op('Identity', [v]);
    seen.add(v);
    return v;
  });
  body.output(outs[0]!, DType.bool, []);
  body.output(outs[1]!, DType.float, []);
  carried.forEach((c, i) => body.output(outs[2 + i]!, DType.float, c.shape));
  scans.forEach((_, i) => body.output(outs[2 + carried.length + i]!, DType.float, []));

  // --- the loop itself ---
  const steps = g.op('Gather', [g.op('Shape', [lrs]), g.scalarInt64(0)], { axis: 0 });
  const trueConst = g.constBool(true);
  const scanNames = noise ? ['losses', 'noise_small', 'noise_big'] : ['losses'];
  const outNames = ['t_out', ...carried.map((c) => `out_${c.name}`), ...scanNames];
  g.opN('Loop', [steps, trueConst, t0, ...carried.map((c) => c.name)], outNames.length, { body: { graph: body.build() } }, outNames);
  g.output('t_out', DType.float, []);
  carried.forEach((c) => g.output(`out_${c.name}`, DType.float, c.shape));
  for (const name of scanNames) g.output(name, DType.float, ['done']);
  return encodeModel(g.build());
}

/** An update's squared gradient norms, micro-batch against accumulated (see the header). */
interface NoiseStats {
  readonly smallSq: string;
  readonly bigSq: string;
}

/** Σ over the tensors of the sum of their squared elements: a scalar. */
function sumOfSquares(g: GraphBuilder, tensors: readonly string[]): string {
  return tensors.map((x) => g.op('ReduceSumSquare', [x], { keepdims: 0 })).reduce((a, b) => g.op('Add', [a, b]));
}

/** Where each parameter's backward product goes for a fused optimizer: its first stage's target, β and α. */
export function fusedSinks(g: GraphBuilder, fused: FusedStage, lr: string, params: readonly string[], slotsOf: (i: number) => readonly string[]): GradSink[] {
  const scale = fused.alpha === 'one' ? null : fused.alpha === 'lr' ? lr : g.op('Neg', [lr]);
  return params.map((p, i) => ({ addTo: fused.target === 'param' ? p : slotsOf(i)[fused.target.slot]!, beta: fused.beta, scale }));
}

/**
 * A nested Loop of K micro-steps that sums losses, gradients and buffer statistics, then divides
 * by K. Accumulators start as zeros of each parameter's (or buffer's) shape. With `decayed` (the
 * gradient of parameter i as the optimizer sees it, λθ added) it also returns the noise statistics.
 */
function emitAccumulation(
  g: GraphBuilder,
  ids: string,
  K: number,
  shapes: number[][],
  statShapes: number[][],
  microStep: (sg: GraphBuilder, microIds: string, sinks: readonly (GradSink | null)[]) => { loss: string; grads: string[]; stats: readonly string[] },
  decayed?: (g: GraphBuilder, grad: string, i: number) => string,
): { loss: string; grads: string[]; stats: string[]; noise?: NoiseStats } {
  const body = g.sub('micro');
  const k = body.input(body.fresh('k'), DType.int64, []);
  body.input(body.fresh('cond'), DType.bool, []);
  const lossAcc = body.input(body.fresh('loss_acc'), DType.float, []);
  const accs = shapes.map((s) => body.input(body.fresh('grad_acc'), DType.float, s));
  const statAccs = statShapes.map((s) => body.input(body.fresh('stat_acc'), DType.float, s));
  const sqAcc = decayed ? body.input(body.fresh('sq_acc'), DType.float, []) : null;
  const microIds = body.op('Gather', [ids, k], { axis: 0 });
  // Each micro-step's backward adds its gradient straight into the accumulator (a sink), unless
  // its own gradient is needed for its norm: then it comes out plain and is added here.
  const r = microStep(body, microIds, decayed ? [] : accs.map((addTo) => ({ addTo, beta: 1, scale: null })));
  const gradSums = decayed ? r.grads.map((grad, i) => body.op('Add', [accs[i]!, grad])) : r.grads;
  const sq = decayed ? [body.op('Add', [sqAcc!, sumOfSquares(body, r.grads.map((grad, i) => decayed(body, grad, i)))])] : [];
  const statSums = statAccs.map((acc, i) => body.op('Add', [acc, r.stats[i]!]));
  const outs = [body.op('Identity', [body.constBool(true)]), body.op('Add', [lossAcc, r.loss]), ...gradSums, ...statSums, ...sq];
  const allShapes = [...shapes, ...statShapes];
  body.output(outs[0]!, DType.bool, []);
  body.output(outs[1]!, DType.float, []);
  allShapes.forEach((s, i) => body.output(outs[2 + i]!, DType.float, s));
  if (sqAcc) body.output(outs[outs.length - 1]!, DType.float, []);

  const zeros = allShapes.map((s) => g.op('ConstantOfShape', [g.constInt64(s)]));
  const trueConst = g.constBool(true);
  const starts = [g.scalarFloat(0), ...zeros, ...(sqAcc ? [g.scalarFloat(0)] : [])];
  const results = g.opN('Loop', [g.scalarInt64(K), trueConst, ...starts], starts.length, {
    body: { graph: body.build() },
  });
  const invK = g.scalarFloat(1 / K);
  const means = results.slice(1, 1 + allShapes.length).map((acc) => g.op('Mul', [acc, invK]));
  const grads = means.slice(0, shapes.length);
  return {
    loss: g.op('Mul', [results[0]!, invK]),
    grads,
    stats: means.slice(shapes.length),
    ...(decayed && {
      noise: {
        smallSq: g.op('Mul', [results[results.length - 1]!, invK]),
        bigSq: sumOfSquares(g, grads.map((grad, i) => decayed(g, grad, i))),
      },
    }),
  };
}
