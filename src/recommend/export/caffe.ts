/**
 * Caffe solver.prototxt. Field names and semantics checked against BVLC Caffe's sources:
 * - src/caffe/proto/caffe.proto (SolverParameter): type (string, default "SGD"), base_lr, lr_policy,
 *   gamma, stepsize, stepvalue (repeated), max_iter, momentum, momentum2 (Adam β₂, default 0.999), delta (ε, default
 *   1e-8), rms_decay (default 0.99), weight_decay, iter_size, solver_mode.
 * - src/caffe/solvers/sgd_solver.cpp: GetLearningRate (fixed; step: base_lr·γ^⌊iter/stepsize⌋;
 *   multistep: base_lr·γ^k, k incremented at most once per iteration when iter ≥ stepvalue[k];
 *   every policy with a gamma CHECKs gamma ≥ 0; iter is the update index from 0), Normalize (the
 *   accumulated gradient is scaled by 1/iter_size: Caffe averages over iter_size, so base_lr is
 *   batchwise's lr unchanged), Regularize (L2: diff += weight_decay·data, coupled like batchwise's), and
 *   ComputeUpdateValue (history = momentum·history + lr·g; θ −= history).
 * - sgd_solvers.hpp: AdaGrad and RMSProp CHECK that momentum is 0, so neither gets one.
 * - adam_solver.cpp: θ −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + delta).
 * - parallel.cpp (multi-GPU): gradients are summed over GPUs then scaled by 1/solver_count.
 * Caffe's batch size is the data layer's batch_size in the net, not a solver field.
 */
import type { OptimizerName } from '../../optim/registry.js';
import { lrAt } from '../../optim/schedule.js';
import { batchSentence, rejectRprop, scheduleText, targetComment, type ExportedConfig, type ResolvedPlan } from './plan.js';

/**
 * Caffe has no cosine policy; "sigmoid" cannot decay since gamma ≥ 0 is CHECKed (a negative gamma
 * aborts Caffe at iteration 0), and "poly", the closest smooth policy, is off by 10.5% of base_lr.
 * A "multistep" ladder follows the cosine: rate = base_lr·γ^k after the k-th stepvalue.
 * Stepping to the next rung when the cosine falls below the rungs' arithmetic mean bounds the
 * relative error by (1 − γ)/(1 + γ), 1/19 = 5.3% at γ = 0.9, wherever the cosine falls by less
 * than a factor γ per update; Caffe takes at most one stepvalue per iteration, so where it falls
 * faster (the last few updates of a cosine to 0) the ladder lags.
 */
export const LADDER_GAMMA = 0.9;

export interface CosineLadder {
  /** Iterations at which the rate drops by LADDER_GAMMA, strictly increasing. */
  readonly stepvalues: number[];
  /** Largest |ladder − cosine| / cosine over the updates after warm-up, leaving out the lag. */
  readonly maxRelativeError: number;
  /** Updates where the ladder lags by more than (1 − γ)/(1 + γ), and the largest cosine rate among them. */
  readonly lagUpdates: number;
  readonly lagMaxLr: number;
}

/** The multistep ladder for batchwise's warm-up-delayed cosine, measured against it update by update. */
export function cosineLadder(r: ResolvedPlan): CosineLadder {
  const lr = r.hyper.lr;
  const bound = (1 - LADDER_GAMMA) / (1 + LADDER_GAMMA);
  const stepvalues: number[] = [];
  let rung = lr;
  let maxRelativeError = 0;
  let lagUpdates = 0;
  let lagMaxLr = 0;
  for (let it = r.plan.warmupSteps; it < r.totalUpdates; it++) {
    const cosine = lrAt(r.schedule, lr, it);
    if (cosine < (rung * (1 + LADDER_GAMMA)) / 2) {
      stepvalues.push(it);
      rung *= LADDER_GAMMA;
    }
    const error = Math.abs(rung - cosine) / cosine;
    if (error > bound * (1 + 1e-9)) {
      lagUpdates++;
      lagMaxLr = Math.max(lagMaxLr, cosine);
    } else {
      maxRelativeError = Math.max(maxRelativeError, error);
    }
  }
  return { stepvalues, maxRelativeError, lagUpdates, lagMaxLr };
}

const SOLVER_TYPE: Record<Exclude<OptimizerName, 'rprop' | 'irprop+'>, string> = {
  sgd: 'SGD',
  momentum: 'SGD',
  nesterov: 'Nesterov',
  adam: 'Adam',
  rmsprop: 'RMSProp',
  adagrad: 'AdaGrad',
};

export function exportCaffe(r: ResolvedPlan): ExportedConfig {
  rejectRprop('caffe', r, 'Caffe');
  const { plan, hyper } = r;
  const name = plan.optimizer as keyof typeof SOLVER_TYPE;
  const notes: string[] = [];
  const netFile = `${plan.modelName}_train.prototxt`;
  const lines = [
    `# Caffe solver for ${plan.modelName}: ${batchSentence(r, 'batch_size', 'iter_size', 'GPUs')}${targetComment(r)}.`,
    `# Put  batch_size: ${plan.microBatch}  in the TRAIN data layer of ${netFile}: Caffe's batch size lives in the net, not the solver.`,
    `# Caffe averages the accumulated gradient over iter_size (SGDSolver::Normalize scales it by 1/iter_size), so base_lr is batchwise's lr unchanged.`,
  ];
  const gpus = Array.from({ length: plan.worldSize }, (_, i) => i).join(',');
  if (plan.worldSize > 1) {
    lines.push(`# Run on ${plan.worldSize} GPUs: caffe train --solver=solver.prototxt --gpu ${gpus}  (Caffe averages the GPUs' gradients).`);
    notes.push(`Caffe runs data-parallel only on GPUs: solver_mode is GPU and the run needs --gpu ${gpus}`);
  } else {
    // tools/caffe.cpp trains on the CPU unless --gpu is given or solver_mode: GPU is set explicitly
    // (it asks has_solver_mode(), so the proto's default GPU alone does not count); pycaffe ignores
    // solver_mode and needs caffe.set_mode_gpu().
    lines.push(`# Run on one GPU: caffe train --solver=solver.prototxt --gpu 0  (or pycaffe after caffe.set_mode_gpu()); without --gpu, solver_mode: GPU picks GPU 0.`);
  }
  lines.push(`net: "${netFile}"`, `type: "${SOLVER_TYPE[name]}"`, `base_lr: ${hyper.lr}`);
  switch (name) {
    case 'sgd':
      lines.push('momentum: 0');
      break;
    case 'momentum':
    case 'nesterov':
      lines.push(`momentum: ${hyper.momentum}`);
      break;
    case 'adam':
      lines.push(`momentum: ${hyper.beta1}`, `momentum2: ${hyper.beta2}`, `delta: ${hyper.eps}`);
      notes.push(`Caffe's Adam adds delta to √v before the bias correction, which is ε/√(1−β₂ᵗ) in batchwise's form: ${+(1 / Math.sqrt(1 - hyper.beta2)).toPrecision(3)}× ε at the first update, approaching ε as t grows`);
      break;
    case 'rmsprop':
      lines.push(`rms_decay: ${hyper.rho}`, `delta: ${hyper.eps}`);
      break;
    case 'adagrad':
      lines.push(`delta: ${hyper.eps}`);
      break;
  }
  lines.push(`weight_decay: ${hyper.weightDecay}`, ...policyLines(r, notes));
  lines.push(`iter_size: ${plan.iterSize}`, `max_iter: ${r.totalUpdates}`, `snapshot_prefix: "${plan.modelName}"`, 'solver_mode: GPU');
  if ((name === 'momentum' || name === 'nesterov') && r.schedule.kind !== 'constant') {
    notes.push(`Caffe's momentum accumulates lr·g (history = μ·history + lr·g) where batchwise's accumulates g and scales by the current lr: the same updates while the lr is constant; under a changing lr each Caffe step mixes the rates of the last ~1/(1−μ) updates`);
  }
  notes.push(`max_iter ${r.totalUpdates} = ${plan.epochs} epochs × ${r.updatesPerEpoch} updates; Caffe has no epochs and cycles through its data source, so epoch boundaries fall where the source wraps`);
  return { format: 'caffe', fileName: 'solver.prototxt', text: lines.join('\n') + '\n', notes };
}

function policyLines(r: ResolvedPlan, notes: string[]): string[] {
  const s = r.schedule;
  const w = r.plan.warmupSteps;
  if (r.hasWarmup) notes.push(`Caffe has no warm-up: the ${w} warm-up updates run at base_lr`);
  switch (s.kind) {
    case 'constant':
      return ['lr_policy: "fixed"'];
    case 'step':
      if (w > 0) notes.push(`Caffe's step clock starts at iteration 0, batchwise's after warm-up: each decay comes ${w} updates earlier`);
      return ['lr_policy: "step"', `gamma: ${s.gamma}`, `stepsize: ${s.everySteps}`];
    case 'cosine': {
      const ladder = cosineLadder(r);
      // Rounded up to two digits, so that the note's bounds hold.
      const percent = (x: number) => {
        if (x === 0) return '0%';
        const unit = 10 ** (Math.floor(Math.log10(x * 100)) - 1);
        return `${+(Math.ceil((x * 100) / unit) * unit).toPrecision(2)}%`;
      };
      const lag = ladder.lagUpdates > 0
        ? `, except the last ${ladder.lagUpdates} updates, where the cosine falls faster than one rung per iteration and its rates are at most ${percent(ladder.lagMaxLr / r.hyper.lr)} of base_lr`
        : '';
      notes.push(
        `Caffe has no cosine policy: batchwise's ${scheduleText(r)} runs as lr_policy "multistep" with gamma ${LADDER_GAMMA} and ${ladder.stepvalues.length} stepvalues, within ${percent(ladder.maxRelativeError)} of batchwise's rate at every update${w > 0 ? ' after warm-up' : ''}${lag}`,
      );
      return ['lr_policy: "multistep"', `gamma: ${LADDER_GAMMA}`, ...ladder.stepvalues.map((it) => `stepvalue: ${it}`)];
    }
  }
}
