/**
 * The optimizers `batchwise lab rprop` compares and their rates, shared with the browser lab's
 * rprop page so both run the same comparison.
 */
import type { OptimizerName } from '../../optim/registry.js';
import type { RpropProblem } from './rprop.js';

export interface Variant {
  readonly label: string;
  readonly optimizer: OptimizerName;
  readonly fullBatch: boolean;
}

export const VARIANTS: readonly Variant[] = [
  { label: 'iRprop− full batch', optimizer: 'rprop', fullBatch: true },
  { label: 'iRprop− mini-batch', optimizer: 'rprop', fullBatch: false },
  { label: 'RMSProp mini-batch', optimizer: 'rmsprop', fullBatch: false },
  { label: 'SGD mini-batch', optimizer: 'sgd', fullBatch: false },
];

/** Rates for each problem: Rprop's is its initial step Δ₀ (it adapts from there); the others are fixed. */
export const RATES: Record<RpropProblem, Record<'rprop' | 'rmsprop' | 'sgd', number>> = {
  synthetic: { rprop: 0.05, rmsprop: 0.01, sgd: 0.1 },
  mnist: { rprop: 0.01, rmsprop: 0.001, sgd: 0.05 },
};

/** C4 as measured: mini-batch Rprop ends above twice full-batch Rprop's loss, RMSProp on the same batches below half of mini-batch Rprop's. */
export function judgeC4(loss: { readonly full: number; readonly mini: number; readonly rms: number }): { rpropFails: boolean; rmsCopes: boolean } {
  return { rpropFails: loss.mini > 2 * loss.full, rmsCopes: loss.rms < loss.mini / 2 };
}
