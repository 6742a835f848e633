/**
 * Caffe solver.prototxt. Field names and semantics checked against BVLC Caffe's sources:
 * - src/caffe/proto/caffe.proto (SolverParameter): type (string, default "SGD"), base_lr, lr_policy,
 *   gamma, stepsize, max_iter, momentum, momentum2 (Adam β₂, default 0.999), delta (ε, default
 *   1e-8), rms_decay (default 0.99), weight_decay, iter_size, solver_mode.
 * - src/caffe/solvers/sgd_solver.cpp: GetLearningRate (fixed; step: base_lr·γ^⌊iter/stepsize⌋;
 *   sigmoid: base_lr/(1 + exp(−γ·(iter − stepsize)))), Normalize (the accumulated gradient is
 *   scaled by 1/iter_size: Caffe averages over iter_size, so base_lr is batchwise's lr
 *   unchanged), Regularize (L2: diff += weight_decay·data, coupled like batchwise's), and
 *   ComputeUpdateValue (history = momentum·history + lr·g; θ −= history).
 * - sgd_solvers.hpp: AdaGrad and RMSProp CHECK that momentum is 0, so neither gets one.
 * - adam_solver.cpp: θ −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + delta).
 * - parallel.cpp (multi-GPU): gradients are summed over GPUs then scaled by 1/solver_count.
 * Caffe's batch size is the data layer's batch_size in the net, not a solver field.
 */
import type { OptimizerName } from '../../optim/registry.js';
import { batchSentence, rejectRprop, scheduleText, targetComment, type ExportedConfig, type ResolvedPlan } from './plan.js';

/**
 * Caffe has no cosine policy. lr_policy "sigmoid" with a negative gamma decays; centred on the
 * cosine's midpoint with γ = −k/T, k = 7.47 minimises the largest gap to (1 + cos πx)/2: 2.7% of
 * base_lr (found by a grid search over k; poly with power 1, the best poly, is off by 10.5%).
 */
export const SIGMOID_COSINE_K = 7.47;
const SIGMOID_MAX_GAP_PERCENT = 2.7;

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
  if (plan.worldSize > 1) {
    const gpus = Array.from({ length: plan.worldSize }, (_, i) => i).join(',');
    lines.push(`# Run on ${plan.worldSize} GPUs: caffe train --solver=solver.prototxt --gpu ${gpus}  (Caffe averages the GPUs' gradients).`);
    notes.push(`Caffe runs data-parallel only on GPUs: solver_mode is GPU and the run needs --gpu ${gpus}`);
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
  lines.push(`iter_size: ${plan.iterSize}`, `max_iter: ${r.totalUpdates}`, `snapshot_prefix: "${plan.modelName}"`, `solver_mode: ${plan.worldSize > 1 ? 'GPU' : 'CPU'}`);
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
      const gamma = +(-SIGMOID_COSINE_K / s.totalSteps).toPrecision(6);
      const centre = w + Math.round(s.totalSteps / 2);
      notes.push(
        `Caffe has no cosine policy: batchwise's ${scheduleText(r)} is approximated by lr_policy "sigmoid" (gamma ${gamma}, centred at iteration ${centre}), within ${SIGMOID_MAX_GAP_PERCENT}% of base_lr of the cosine` +
          (s.minLr > 0 ? `, decaying towards 0 rather than ${s.minLr}` : ''),
      );
      return ['lr_policy: "sigmoid"', `gamma: ${gamma}`, `stepsize: ${centre}`];
    }
  }
}
