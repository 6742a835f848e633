/**
 * Small emit helpers shared by the optimizers: elementwise ops with scalar broadcasting, float
 * constants, and the slot/global bookkeeping every optimizer repeats.
 */
import type { GraphBuilder } from '../graph/builder.js';
import { assert } from '../errors.js';
import type { UpdateInputs } from './optimizer.js';

/** A scalar float constant (rounded to float32 when stored). */
export const k = (g: GraphBuilder, x: number): string => g.scalarFloat(x);
export const add = (g: GraphBuilder, a: string, b: string): string => g.op('Add', [a, b]);
export const sub = (g: GraphBuilder, a: string, b: string): string => g.op('Sub', [a, b]);
export const mul = (g: GraphBuilder, a: string, b: string): string => g.op('Mul', [a, b]);
export const div = (g: GraphBuilder, a: string, b: string): string => g.op('Div', [a, b]);
export const sqrt = (g: GraphBuilder, a: string): string => g.op('Sqrt', [a]);

/** `a·x + b·y` for float constants a, b (the exponential moving averages). */
export function axpby(g: GraphBuilder, a: number, x: string, b: number, y: string): string {
  return add(g, mul(g, k(g, a), x), mul(g, k(g, b), y));
}

/** A lookup for `slotInit` / `globalInit` that fails loudly on a name the optimizer lacks. */
export function initTable(optimizer: string, kind: string, table: Record<string, number>): (name: string) => number {
  return (name) => {
    const v = table[name];
    assert(v !== undefined, `optimizer ${optimizer} has no ${kind} "${name}"`);
    return v;
  };
}

/** Check that the trainer passed as many slot and global values as the optimizer declared. */
export function checkArity(optimizer: { name: string; slots: readonly string[]; globals: readonly string[] }, u: UpdateInputs): void {
  assert(u.slots.length === optimizer.slots.length, `${optimizer.name}: expected ${optimizer.slots.length} slots, got ${u.slots.length}`);
  assert(
    u.globals.length === optimizer.globals.length,
    `${optimizer.name}: expected ${optimizer.globals.length} globals, got ${u.globals.length}`,
  );
}
