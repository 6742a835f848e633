/**
 * A layer emits its forward ops and its backward ops side by side. Shapes are per example
 * (no batch axis); the batch axis is always first in the graph and may be symbolic.
 */
import type { GraphBuilder } from '../graph/builder.js';

export type Shape = readonly number[];

export interface ParamSpec {
  /** Suffix of the parameter's name, e.g. "W" or "b". */
  readonly name: string;
  readonly shape: Shape;
  /** He-normal with this fan-in (for ReLU nets), zeros, or ones (a scale that starts as identity). */
  readonly init: { readonly kind: 'he'; readonly fanIn: number } | { readonly kind: 'zeros' } | { readonly kind: 'ones' };
}

/**
 * Non-trainable state (batch norm's running statistics): carried through training beside the
 * parameters and saved with them, but no optimizer sees it. In training the layer reports a
 * statistic s per buffer; the buffer moves once per update, r ← (1 − momentum)·r + momentum·s̄,
 * where s̄ is the mean of s over the update's micro-batches.
 */
export interface BufferSpec {
  readonly name: string;
  readonly shape: Shape;
  readonly init: 'zeros' | 'ones';
  readonly momentum: number;
}

export interface ForwardContext<S> {
  readonly spec: S;
  readonly inShape: Shape;
  readonly x: string;
  readonly params: readonly string[];
  /** One per `buffers()` entry: the values evaluation uses (absent where only training runs). */
  readonly buffers?: readonly string[];
  /**
   * Examples per normalisation group (ghost batch norm); absent: the whole batch. Must divide
   * the batch.
   */
  readonly normGroup?: number | undefined;
  /** Training-mode forward (dropout active, saved values needed for backward). */
  readonly training: boolean;
  /** Seed for stochastic layers, distinct per layer. */
  readonly seed: number;
  /** Examples per pass where the graph fixes it (a training step), so a layer can pick its fastest ops. */
  readonly batch?: number;
}

export interface ForwardResult {
  readonly y: string;
  /** Whatever backward needs (inputs, masks, indices), by name. */
  readonly saved: Readonly<Record<string, string>>;
  /** Training only: one statistic per buffer, in `buffers()` order (see BufferSpec). */
  readonly stats?: readonly string[];
}

/**
 * Where a parameter's gradient goes: instead of g itself the layer returns β·addTo + scale·g
 * (scale a scalar tensor, or 1 when null). Optimizers whose update starts that way (SGD:
 * θ − η·g; momentum: μ·v + g) and gradient accumulation (acc + g) then get their new value from
 * the layer's own backward product (a Gemm with C = addTo), never writing g to memory.
 */
export interface GradSink {
  readonly addTo: string;
  readonly beta: number;
  readonly scale: string | null;
}

export interface BackwardContext<S> extends ForwardContext<S> {
  readonly dy: string;
  readonly saved: Readonly<Record<string, string>>;
  /** False for the first layer: nobody needs the gradient of the data. */
  readonly needInputGrad: boolean;
  /** One per parameter, in `params()` order; null or absent: return the plain gradient. */
  readonly sinks?: readonly (GradSink | null)[];
}

export interface BackwardResult {
  readonly dx: string | null;
  /** One gradient per parameter, in `params()` order. */
  readonly grads: readonly string[];
}

export interface LayerKind<S> {
  /** Per-example output shape, or a sentence saying why this input shape is not accepted. */
  outShape(spec: S, inShape: Shape): Shape | string;
  params(spec: S, inShape: Shape): readonly ParamSpec[];
  /** Non-trainable state; absent: none. */
  buffers?(spec: S, inShape: Shape): readonly BufferSpec[];
  forward(g: GraphBuilder, c: ForwardContext<S>): ForwardResult;
  backward(g: GraphBuilder, c: BackwardContext<S>): BackwardResult;
  /** Multiply-adds of the forward pass for one example (backward costs about twice this). */
  macs(spec: S, inShape: Shape): number;
}

export const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/** β·addTo + scale·grad, for layers that cannot fold a sink into their own ops. */
export function sinkGrad(g: GraphBuilder, grad: string, sink: GradSink | null | undefined): string {
  if (!sink) return grad;
  const scaled = sink.scale === null ? grad : g.op('Mul', [grad, sink.scale]);
  const kept = sink.beta === 1 ? sink.addTo : g.op('Mul', [sink.addTo, g.scalarFloat(sink.beta)]);
  return g.op('Add', [kept, scaled]);
}
