/**
 * A sweep's identity. Sweeps with the same identity share one run in the store, and a finished
 * trial whose key (batch size, rate, seed: plan.ts) is already there is taken instead of run
 * again; so the identity must hold everything else that changes a trial's result, or a trial
 * trained on other terms stands in for this one. It holds:
 *  - the run configuration, less what each trial sets itself (batch size, seed) and what does not
 *    change the training (the model's display name; epochs, which the trial limits replace);
 *  - the base seed: it fixes the train/validation/test split, while a trial's own seed fixes only
 *    its initial weights and order (`--seed 1 --seeds 2` and `--seed 2 --seeds 2` both have a
 *    trial with seed 2, on different splits);
 *  - a fingerprint of the examples the trials see, so that a data file changed in place is a new
 *    sweep too;
 *  - the trial limits, the prune factor, the stall share and the rate rule: each decides where a
 *    trial stops or what rate it trains at.
 * Not in it: the batch sizes, rate grid and seed count, so that a larger plan resumes a smaller one;
 * nor whether the grid is extended past its edges, which adds trials but changes none.
 */
import { createHash } from 'node:crypto';
import type { DataSplits } from '../data/dataset.js';
import { dataFingerprint } from '../data/fingerprint.js';
import type { SweepSpec } from './sweep.js';

export function sweepIdentity(spec: SweepSpec, data: DataSplits): string {
  const { batchSize: _b, seed, epochs: _e, modelName: _m, hyper, ...rest } = spec.base;
  const { lr: _lr, ...otherHyper } = hyper;
  const identity = {
    ...rest,
    hyper: otherHyper,
    splitSeed: seed,
    data: dataFingerprint(data),
    limits: spec.limits,
    pruneFactor: spec.pruneFactor,
    stallAfter: spec.stallAfter,
    lrRule: spec.plan.lrRule,
    lrRefBatch: spec.plan.lrRefBatch,
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
}
