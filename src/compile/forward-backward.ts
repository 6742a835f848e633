/**
 * The network's forward pass, and forward + loss + backward, emitted into any graph (the
 * top-level graph of a gradient model, or the body of the training Loop).
 */
import { DType, type Dim, type GraphBuilder } from '../graph/builder.js';
import type { ForwardContext, GradSink } from '../model/layer.js';
import type { LayerSpec } from '../model/spec.js';
import type { ResolvedModel } from '../model/model.js';
import { lossKind } from '../model/loss.js';
import { layerScope, LOSS_SCOPE } from '../graph/scope.js';

export interface ForwardPass {
  readonly logits: string;
  /** What each layer's forward got, so its backward gets the same. */
  readonly contexts: readonly ForwardContext<LayerSpec>[];
  readonly saved: readonly Readonly<Record<string, string>>[];
  /** Training: each buffer's statistic on this batch, in `model.buffers` order (see BufferSpec). */
  readonly stats: readonly string[];
}

export interface ForwardOptions {
  /** The running statistics, in `model.buffers` order; evaluation needs them. */
  readonly buffers?: readonly string[];
  /** Examples per batch-norm group (ghost batch norm); absent: the whole batch. */
  readonly normGroup?: number | undefined;
  /** The training batch, when known: a layer may choose its graph by it (conv2d's weight gradient). */
  readonly batch?: number;
}

export function emitForward(g: GraphBuilder, model: ResolvedModel, x: string, params: readonly string[], training: boolean, seed = 0, norm: ForwardOptions = {}): ForwardPass {
  let h = x;
  const contexts: ForwardContext<LayerSpec>[] = [];
  const saved: Readonly<Record<string, string>>[] = [];
  const stats: string[] = new Array<string>(model.buffers.length);
  for (const layer of model.layers) {
    const context = {
      spec: layer.spec,
      inShape: layer.inShape,
      x: h,
      params: layer.paramIndices.map((i) => params[i]!),
      buffers: layer.bufferIndices.map((i) => norm.buffers?.[i] ?? ''),
      training,
      seed: seed * 1000 + layer.index + 1,
      ...(norm.batch === undefined ? {} : { batch: norm.batch }),
      normGroup: norm.normGroup,
    };
    const r = g.scoped(layerScope('forward', layer.index, layer.spec.type), () => layer.kind.forward(g, context));
    contexts.push(context);
    saved.push(r.saved);
    layer.bufferIndices.forEach((b, k) => (stats[b] = r.stats?.[k] ?? ''));
    h = r.y;
  }
  return { logits: h, contexts, saved, stats };
}

/** The graph input holding `count` examples' targets: class indices, or vectors for a regression loss. */
export function targetInput(g: GraphBuilder, model: ResolvedModel, name: string, count: Dim): string {
  return lossKind(model.loss).targets === 'class' ? g.input(name, DType.int64, [count]) : g.input(name, DType.float, [count, model.numClasses]);
}

/**
 * Mean loss over the batch and the gradient of every parameter (in `model.params` order); where
 * `sinks[i]` is given, `grads[i]` is that sink's value instead (see GradSink).
 */
export function emitForwardBackward(
  g: GraphBuilder,
  model: ResolvedModel,
  x: string,
  labels: string,
  params: readonly string[],
  batch: number,
  seed = 0,
  sinks: readonly (GradSink | null)[] = [],
  normGroup?: number,
): { loss: string; grads: string[]; stats: readonly string[] } {
  const fwd = emitForward(g, model, x, params, true, seed, { normGroup: normGroup ?? batch, batch });
  const { loss, dOutputs: dLogits } = g.scoped(LOSS_SCOPE, () => lossKind(model.loss).emit(g, fwd.logits, labels, model.numClasses, batch));
  const grads: string[] = new Array<string>(model.params.length);
  let dy = dLogits;
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i]!;
    const r = g.scoped(layerScope('backward', layer.index, layer.spec.type), () =>
      layer.kind.backward(g, {
        ...fwd.contexts[i]!,
        dy,
        saved: fwd.saved[i]!,
        needInputGrad: i > 0,
        sinks: layer.paramIndices.map((p) => sinks[p] ?? null),
      }),
    );
    layer.paramIndices.forEach((p, k) => (grads[p] = r.grads[k]!));
    if (i > 0) dy = r.dx!;
  }
  return { loss, grads, stats: fwd.stats };
}
