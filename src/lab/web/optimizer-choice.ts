/**
 * The optimizers the browser lab offers, by the names the optimizer registry (and the CLI's
 * --optimizer) uses, and the MNIST page's rate for each. AdaGrad and iRprop+ are left out:
 * AdaGrad adds nothing the page's comparison needs, and iRprop+ is for the full batch only.
 */
import type { OptimizerName } from '../../optim/registry.js';

export const PAGE_OPTIMIZERS = [
  { value: 'sgd', label: 'SGD', short: 'SGD' },
  { value: 'momentum', label: 'SGD with momentum 0.9', short: 'Momentum' },
  { value: 'nesterov', label: 'Nesterov momentum 0.9', short: 'Nesterov' },
  { value: 'rmsprop', label: 'RMSProp', short: 'RMSProp' },
  { value: 'adam', label: 'Adam', short: 'Adam' },
  { value: 'rprop', label: 'iRprop− (rate = initial step Δ₀)', short: 'iRprop−' },
] as const satisfies readonly { value: OptimizerName; label: string; short: string }[];

export type PageOptimizer = (typeof PAGE_OPTIMIZERS)[number]['value'];

export function pageOptimizerOf(raw: string | null, fallback: PageOptimizer = 'sgd'): PageOptimizer {
  return PAGE_OPTIMIZERS.find((o) => o.value === raw)?.value ?? fallback;
}

/** The optimizer's name for a plot title. */
export const optimizerShortName = (name: PageOptimizer): string => PAGE_OPTIMIZERS.find((o) => o.value === name)!.short;

/**
 * Rates at B = 32 for the 784-32-10 MLP on MNIST: SGD's is `batchwise lab accuracy`'s; momentum
 * 0.9 multiplies the step about tenfold, so a tenth; RMSProp and Adam take the usual 1e-3.
 */
const MNIST_RATE_AT_32: Record<PageOptimizer, number> = { sgd: 0.05, momentum: 0.005, nesterov: 0.005, rmsprop: 0.001, adam: 0.001, rprop: 0.001 };

/**
 * The rate for batch B by the square-root rule from the rate at B = 32; Rprop's rate is only its
 * initial step, which adapts per weight, so it stays as it is.
 */
export function mnistRateFor(optimizer: PageOptimizer, batch: number): number {
  const base = MNIST_RATE_AT_32[optimizer];
  return optimizer === 'rprop' ? base : base * Math.sqrt(batch / 32);
}
