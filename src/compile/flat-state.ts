/**
 * Update groups: the small tensors of a model packed into one flat vector inside the training
 * Loop, so the optimizer's elementwise ops run once over all of them.
 *
 * Every optimizer's update is elementwise, so it can run over any set of parameters laid back to
 * back. Per tensor, each op over a bias vector costs about as much to dispatch as to compute; the
 * mlp's Adam step was 6 tensors × 13 ops. Packing every tensor costs a Split of the parameters
 * for the forward pass and a Concat of the gradients per step, two extra passes over the large
 * weight matrices, which per-tensor ops do not need; so a tensor of PACK_BELOW elements or more
 * keeps its own ops (for the mlp: the two large weight matrices alone, the other four packed).
 *
 * The graph's inputs and outputs keep one tensor per parameter and per slot, so callers
 * (trainer, checkpoints, the browser lab) see the same interface: the packed vectors are built
 * before the Loop and cut up after it, once per run, not per step.
 */
import type { GraphBuilder } from '../graph/builder.js';

/** Elements of a tensor of this shape. */
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** `values` (one tensor per shape) flattened and concatenated, in order: one vector of Σ sizes. */
export function packFlat(g: GraphBuilder, values: readonly string[]): string {
  const flat = values.map((v) => g.op('Reshape', [v, g.constInt64([-1])]));
  return flat.length === 1 ? flat[0]! : g.op('Concat', flat, { axis: 0 });
}

/** The inverse of `packFlat`: `flat` cut into tensors of `shapes`, optionally with given output names. */
export function unpackFlat(g: GraphBuilder, flat: string, shapes: readonly (readonly number[])[], outNames?: readonly string[]): string[] {
  const pieces = shapes.length === 1 ? [flat] : g.opN('Split', [flat, g.constInt64(shapes.map(count))], shapes.length, { axis: 0 });
  return pieces.map((p, i) => g.op('Reshape', [p, g.constInt64(shapes[i]!)], {}, outNames?.[i]));
}

/** Total number of elements of `shapes`. */
export function flatLength(shapes: readonly (readonly number[])[]): number {
  return shapes.reduce((a, s) => a + count(s), 0);
}

/** Tensors with fewer elements than this share one packed vector in the update. */
export const PACK_BELOW = 65_536;

/**
 * Parameter indices grouped for the update: each large tensor alone, the small ones together (in
 * model order, the packed group where its first member is). Without packing, one group per tensor.
 */
export function updateGroups(shapes: readonly (readonly number[])[], packing: boolean): number[][] {
  const small = shapes.flatMap((s, i) => (packing && count(s) < PACK_BELOW ? [i] : []));
  const groups: number[][] = [];
  shapes.forEach((_, i) => {
    if (!small.includes(i)) groups.push([i]);
    else if (i === small[0]) groups.push(small);
  });
  return groups;
}
