/**
 * A model spec resolved against the data: every layer's input and output shape and parameters.
 * This is where a model that does not fit its data is rejected, naming the layer and the shapes.
 */
import { UserError } from '../errors.js';
import { Rng } from '../rng.js';
import { size, type BufferSpec, type LayerKind, type ParamSpec, type Shape } from './layer.js';
import { layerKind } from './layers/registry.js';
import type { LossName } from './loss.js';
import type { LayerSpec, ModelSpec } from './spec.js';

export interface ResolvedLayer {
  readonly index: number;
  readonly spec: LayerSpec;
  readonly kind: LayerKind<LayerSpec>;
  readonly inShape: Shape;
  readonly outShape: Shape;
  /** Indices into `ResolvedModel.params` of this layer's parameters, in its own order. */
  readonly paramIndices: readonly number[];
  /** Indices into `ResolvedModel.buffers` of this layer's non-trainable state. */
  readonly bufferIndices: readonly number[];
}

export interface NamedParam extends ParamSpec {
  /** Unique graph-safe name, e.g. "l0_W". */
  readonly id: string;
}

export interface NamedBuffer extends BufferSpec {
  /** Unique graph-safe name, e.g. "l1_running_mean". */
  readonly id: string;
}

export interface ResolvedModel {
  readonly spec: ModelSpec;
  readonly inputShape: Shape;
  /** Outputs per example: the classes, or for a squared-error model the size of a target. */
  readonly numClasses: number;
  readonly loss: LossName;
  readonly layers: readonly ResolvedLayer[];
  readonly params: readonly NamedParam[];
  /** Non-trainable state (batch norm's running statistics): saved and restored, never optimised. */
  readonly buffers: readonly NamedBuffer[];
  /** Forward multiply-adds per example; a training step costs about 3× this. */
  readonly macsPerExample: number;
}

const describe = (l: LayerSpec, i: number) => `layer ${i} (${l.type})`;
const fmt = (s: Shape) => `[${s.join(', ')}]`;

export function resolveModel(spec: ModelSpec, inputShape: Shape, numClasses: number, loss: LossName = 'softmax-cross-entropy'): ResolvedModel {
  const layers: ResolvedLayer[] = [];
  const params: NamedParam[] = [];
  const buffers: NamedBuffer[] = [];
  let shape = inputShape;
  let macs = 0;
  spec.layers.forEach((layerSpec, i) => {
    const kind = layerKind(layerSpec);
    const out = kind.outShape(layerSpec, shape);
    if (typeof out === 'string') throw new UserError(`model "${spec.name}": ${describe(layerSpec, i)} ${out}`);
    const paramIndices = kind.params(layerSpec, shape).map((p) => params.push({ ...p, id: `l${i}_${p.name}` }) - 1);
    const bufferIndices = (kind.buffers?.(layerSpec, shape) ?? []).map((b) => buffers.push({ ...b, id: `l${i}_${b.name}` }) - 1);
    macs += kind.macs(layerSpec, shape);
    layers.push({ index: i, spec: layerSpec, kind, inShape: shape, outShape: out, paramIndices, bufferIndices });
    shape = out;
  });
  if (shape.length !== 1 || shape[0] !== numClasses) {
    const last = spec.layers.length - 1;
    throw new UserError(
      `model "${spec.name}": ${describe(spec.layers[last]!, last)} outputs ${fmt(shape)} but the data has ${numClasses} ${loss === 'squared-error' ? 'target values' : 'classes'}, ` +
        `so the last layer must output [${numClasses}]`,
    );
  }
  if (params.length === 0) throw new UserError(`model "${spec.name}" has no trainable layer (add a dense or conv2d layer)`);
  return { spec, inputShape, numClasses, loss, layers, params, buffers, macsPerExample: macs };
}

/** He-normal weights (std √(2/fan-in), for ReLU nets), zero biases and unit scales, from the seed. */
export function initParams(model: ResolvedModel, seed: number): Float32Array[] {
  return model.params.map((p, i) => {
    const values = new Float32Array(size(p.shape));
    if (p.init.kind === 'ones') values.fill(1);
    if (p.init.kind === 'he') {
      const rng = Rng.derive(seed, 1, i);
      const std = Math.sqrt(2 / p.init.fanIn);
      for (let k = 0; k < values.length; k++) values[k] = rng.normal() * std;
    }
    return values;
  });
}

export const paramCount = (m: ResolvedModel): number => m.params.reduce((a, p) => a + size(p.shape), 0);

/** Running statistics before any training: mean 0, variance 1 (PyTorch's start). */
export function initBuffers(model: ResolvedModel): Float32Array[] {
  return model.buffers.map((b) => new Float32Array(size(b.shape)).fill(b.init === 'ones' ? 1 : 0));
}
