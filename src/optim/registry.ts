/**
 * Optimizers by name, their default hyper-parameters, and the checks on user-given values.
 */
import { UserError } from '../errors.js';
import { adagrad } from './adagrad.js';
import { adam } from './adam.js';
import { momentum, nesterov } from './momentum.js';
import type { Hyper, Optimizer } from './optimizer.js';
import { irpropMinus, irpropPlus } from './rprop.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';

export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adagrad', 'rprop', 'irprop+'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

const FACTORIES: Record<OptimizerName, (h: Hyper) => Optimizer> = {
  sgd,
  momentum,
  nesterov,
  rmsprop,
  adam,
  adagrad,
  rprop: irpropMinus,
  'irprop+': irpropPlus,
};

/**
 * Defaults shared by all optimizers. `lr` (0.01) is only a fallback: for Rprop it is the initial
 * step Δ₀. `eps` here is Adam's and RMSProp's; AdaGrad's default is `ADAGRAD_EPS`.
 */
export const defaultHyper: Hyper = Object.freeze({
  lr: 0.01,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  rho: 0.9,
  eps: 1e-8,
  weightDecay: 0,
  etaPlus: 1.2,
  etaMinus: 0.5,
  stepMin: 1e-6,
  stepMax: 50,
});

export const ADAGRAD_EPS = 1e-10;

/** What the caller may set; `undefined` (an absent CLI flag) means "use the default". */
export type PartialHyper = { readonly [K in keyof Hyper]?: Hyper[K] | undefined };

export function isOptimizerName(name: string): name is OptimizerName {
  return (OPTIMIZER_NAMES as readonly string[]).includes(name);
}

/** The defaults of one optimizer (they differ only in AdaGrad's ε). */
export function defaultHyperFor(name: OptimizerName): Hyper {
  return name === 'adagrad' ? { ...defaultHyper, eps: ADAGRAD_EPS } : defaultHyper;
}

/** The full, validated hyper-parameters for `name`: the defaults overlaid with `partial`. */
export function resolveHyper(name: OptimizerName, partial: PartialHyper = {}): Hyper {
  const h: { -readonly [K in keyof Hyper]: Hyper[K] } = { ...defaultHyperFor(name) };
  for (const key of Object.keys(h) as (keyof Hyper)[]) {
    const v = partial[key];
    if (v !== undefined) h[key] = v;
  }
  validateHyper(h);
  return h;
}

export function makeOptimizer(name: string, partial: PartialHyper = {}): Optimizer {
  if (!isOptimizerName(name)) {
    throw new UserError(`--optimizer: unknown optimizer ${JSON.stringify(name)}; valid names: ${OPTIMIZER_NAMES.join(', ')}`);
  }
  return FACTORIES[name](resolveHyper(name, partial));
}

/** The command-line spelling of each hyper-parameter, used in error messages. */
export const HYPER_FLAGS: Record<keyof Hyper, string> = {
  lr: '--lr',
  momentum: '--momentum',
  beta1: '--beta1',
  beta2: '--beta2',
  rho: '--rho',
  eps: '--eps',
  weightDecay: '--weight-decay',
  etaPlus: '--eta-plus',
  etaMinus: '--eta-minus',
  stepMin: '--step-min',
  stepMax: '--step-max',
};

/** Throws UserError naming the flag and the value for the first value out of its range. */
export function validateHyper(h: Hyper): void {
  const bad = (key: keyof Hyper, range: string): never => {
    throw new UserError(`${HYPER_FLAGS[key]} must be ${range}, got ${h[key]}`);
  };
  const isNum = (v: number) => typeof v === 'number' && Number.isFinite(v);
  const unit = (key: keyof Hyper) => {
    if (!isNum(h[key]) || h[key] < 0 || h[key] >= 1) bad(key, 'in [0, 1)');
  };
  const positive = (key: keyof Hyper) => {
    if (!isNum(h[key]) || h[key] <= 0) bad(key, 'a finite number > 0');
  };
  positive('lr');
  unit('momentum');
  unit('beta1');
  unit('beta2');
  unit('rho');
  positive('eps');
  if (!isNum(h.weightDecay) || h.weightDecay < 0) bad('weightDecay', 'a finite number >= 0');
  if (!isNum(h.etaPlus) || h.etaPlus <= 1) bad('etaPlus', 'a finite number > 1');
  if (!isNum(h.etaMinus) || h.etaMinus <= 0 || h.etaMinus >= 1) bad('etaMinus', 'in (0, 1)');
  positive('stepMin');
  if (!isNum(h.stepMax) || h.stepMax < h.stepMin) bad('stepMax', `a finite number >= --step-min (${h.stepMin})`);
}
