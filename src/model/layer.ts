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
  /** He-normal with this fan-in (for ReLU nets), or zeros. */
  readonly init: { readonly kind: 'he'; readonly fanIn: number } | { readonly kind: 'zeros' };
}

export interface ForwardContext<S> {
  readonly spec: S;
  readonly inShape: Shape;
  readonly x: string;
  readonly params: readonly string[];
  /** Training-mode forward (dropout active, saved values needed for backward). */
  readonly training: boolean;
  /** Seed for stochastic layers, distinct per layer. */
  readonly seed: number;
}

export interface ForwardResult {
  readonly y: string;
  /** Whatever backward needs (inputs, masks, indices), by name. */
  readonly saved: Readonly<Record<string, string>>;
}

export interface BackwardContext<S> extends ForwardContext<S> {
  readonly dy: string;
  readonly saved: Readonly<Record<string, string>>;
  /** False for the first layer: nobody needs the gradient of the data. */
  readonly needInputGrad: boolean;
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
  forward(g: GraphBuilder, c: ForwardContext<S>): ForwardResult;
  backward(g: GraphBuilder, c: BackwardContext<S>): BackwardResult;
  /** Multiply-adds of the forward pass for one example (backward costs about twice this). */
  macs(spec: S, inShape: Shape): number;
}

export const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);
