/**
 * One flat vector for all parameters and for each optimizer slot, inside the training Loop.
 *
 * Every optimizer's update is elementwise, so it can run once over all P parameters back to back
 * instead of once per tensor. Per tensor, the mlp's Adam step was 6 tensors × 13 ops; each op
 * over the two small bias vectors costs as much to dispatch (and, with two threads, to hand to
 * the other thread) as it costs to compute. Flat, it is 13 ops over one vector, plus one Split of
 * the parameters for the forward pass and one Concat of the gradients per step.
 *
 * The graph's inputs and outputs keep one tensor per parameter and per slot, so callers
 * (trainer, checkpoints, the browser lab) see the same interface: the flat vectors are packed
 * before the Loop and unpacked after it, once per run, not per step.
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
