/**
 * PyTorch Lightning: a LightningCLI config (`python main.py fit --config lightning.yaml`).
 * Checked against Lightning's sources and docs:
 * - lightning/pytorch/cli.py: top-level `optimizer` and `lr_scheduler` groups take
 *   class_path/init_args; LightningCLI.configure_optimizers returns `[optimizer], [lr_scheduler]`,
 *   so the scheduler steps with Lightning's default interval, once per epoch.
 * - loops/optimization/automatic.py: the training-step loss is divided by
 *   trainer.accumulate_grad_batches (ClosureResult.from_training_step_output), and DDP averages
 *   gradients over devices, so lr is batchwise's unchanged.
 * - loops/training_epoch_loop.py (_should_accumulate): the optimizer steps when a group of
 *   accumulate_grad_batches is done or on the epoch's final batch, whichever comes first.
 * - Trainer arguments: max_epochs, accumulate_grad_batches, limit_train_batches (an int counts
 *   batches per device and epoch), devices, num_nodes, strategy.
 * torch.optim signatures: SGD(lr, momentum, dampening, weight_decay, nesterov) with
 * v ← μ·v + g, θ ← θ − η·v (nesterov: θ ← θ − η·(g + μ·v)), as batchwise's; Adam(lr, betas, eps,
 * weight_decay) with coupled L2; RMSprop(lr, alpha, eps, weight_decay), alpha = ρ;
 * Adagrad(lr, lr_decay, weight_decay, initial_accumulator_value, eps); Rprop(lr, etas, step_sizes),
 * iRprop− with Δ₀ = lr and no weight_decay.
 */
import { batchSentence, checkTorchRprop, epochNote, scheduleText, targetComment, type ExportedConfig, type ResolvedPlan } from './plan.js';
import { torchrunCommand, torchrunNote } from './torchrun.js';

type Yaml = number | boolean | string | readonly number[];
interface ClassSpec {
  readonly classPath: string;
  readonly initArgs: ReadonlyArray<readonly [string, Yaml]>;
}

/**
 * A YAML 1.1 number (PyYAML, which jsonargparse uses, reads `1e-8` as a string: its float
 * pattern needs a dot and a signed exponent).
 */
export function yamlNumber(x: number): string {
  const s = String(x);
  const m = /^(-?\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  return m ? `${m[1]}.${m[2] ?? '0'}e${m[3]}` : s;
}

const yamlValue = (v: Yaml): string =>
  typeof v === 'number' ? yamlNumber(v) : typeof v === 'boolean' ? String(v) : typeof v === 'string' ? v : `[${v.map(yamlNumber).join(', ')}]`;

function classBlock(key: string, spec: ClassSpec): string[] {
  return [`${key}:`, `  class_path: ${spec.classPath}`, '  init_args:', ...spec.initArgs.map(([k, v]) => `    ${k}: ${yamlValue(v)}`)];
}

const LIGHTNING_SCRIPT = 'main.py fit --config lightning.yaml';

export function exportLightning(r: ResolvedPlan): ExportedConfig {
  checkTorchRprop('lightning', r);
  const { plan } = r;
  const notes: string[] = [];
  const trainer: Array<readonly [string, Yaml]> = [
    ['max_epochs', plan.epochs],
    ['accumulate_grad_batches', plan.iterSize],
    // Lightning steps on an epoch's last batch even when it closes a short accumulation group,
    // with the loss still divided by accumulate_grad_batches: one extra, down-weighted update per
    // epoch unless the epoch is a whole number of groups, as batchwise's is.
    ['limit_train_batches', r.updatesPerEpoch * plan.iterSize],
    ['devices', plan.worldSize],
    ['num_nodes', 1],
  ];
  if (plan.worldSize > 1) {
    trainer.push(['strategy', 'ddp']);
    notes.push(`devices: ${plan.worldSize} on one node; for several nodes keep devices × num_nodes = ${plan.worldSize}`);
    // Lightning runs under torchrun as it finds it (its TorchElastic environment), devices and num_nodes matching.
    notes.push(torchrunNote(r, LIGHTNING_SCRIPT)!);
  }
  const lines = [
    `# LightningCLI config for ${plan.modelName}: ${batchSentence(r, 'data.batch_size', 'accumulate_grad_batches', 'devices')}${targetComment(r)}.`,
    `# Use: python main.py fit --config lightning.yaml, where main.py runs LightningCLI(YourModule, YourDataModule)`,
    `# and YourDataModule takes batch_size (each device's train loader batch size; drop_last=True matches batchwise).`,
    ...(plan.worldSize > 1 ? [`# With ${plan.worldSize} processes: ${torchrunCommand(plan.worldSize, LIGHTNING_SCRIPT)}`] : []),
    `# Lightning divides the loss by accumulate_grad_batches and DDP averages over devices, so lr is batchwise's unchanged.`,
    'trainer:',
    ...trainer.map(([k, v]) => `  ${k}: ${yamlValue(v)}`),
    'data:',
    `  batch_size: ${plan.microBatch}`,
    ...classBlock('optimizer', optimizerSpec(r)),
  ];
  const scheduler = schedulerSpec(r, notes);
  if (scheduler) lines.push(...classBlock('lr_scheduler', scheduler));
  notes.push(
    `limit_train_batches ${r.updatesPerEpoch * plan.iterSize} = ${r.updatesPerEpoch} updates × accumulate_grad_batches ${plan.iterSize} per device and epoch: every update accumulates a whole group, as batchwise's; without it Lightning steps once more at an epoch's end on a shorter group, still dividing by ${plan.iterSize}`,
  );
  notes.push(`data.batch_size needs a LightningDataModule with a batch_size argument; ${epochNote(r)}`);
  return { format: 'lightning', fileName: 'lightning.yaml', text: lines.join('\n') + '\n', notes };
}

/** torch.optim class and arguments that run batchwise's update rule. */
export function optimizerSpec(r: ResolvedPlan): ClassSpec {
  const h = r.hyper;
  const wd: readonly [string, Yaml] = ['weight_decay', h.weightDecay];
  switch (r.plan.optimizer) {
    case 'sgd':
      return { classPath: 'torch.optim.SGD', initArgs: [['lr', h.lr], ['momentum', 0], wd] };
    case 'momentum':
    case 'nesterov':
      // With μ = 0 both are plain SGD, and torch.optim.SGD raises on nesterov=True without momentum.
      if (h.momentum === 0) return { classPath: 'torch.optim.SGD', initArgs: [['lr', h.lr], ['momentum', 0], wd] };
      return { classPath: 'torch.optim.SGD', initArgs: [['lr', h.lr], ['momentum', h.momentum], ['nesterov', r.plan.optimizer === 'nesterov'], wd] };
    case 'adam':
      return { classPath: 'torch.optim.Adam', initArgs: [['lr', h.lr], ['betas', [h.beta1, h.beta2]], ['eps', h.eps], wd] };
    case 'rmsprop':
      return { classPath: 'torch.optim.RMSprop', initArgs: [['lr', h.lr], ['alpha', h.rho], ['eps', h.eps], wd] };
    case 'adagrad':
      return { classPath: 'torch.optim.Adagrad', initArgs: [['lr', h.lr], ['eps', h.eps], wd] };
    case 'rprop':
    case 'irprop+':
      return { classPath: 'torch.optim.Rprop', initArgs: [['lr', h.lr], ['etas', [h.etaMinus, h.etaPlus]], ['step_sizes', [h.stepMin, h.stepMax]]] };
  }
}

function schedulerSpec(r: ResolvedPlan, notes: string[]): ClassSpec | null {
  const s = r.schedule;
  if (r.plan.optimizer === 'rprop') {
    if (s.kind !== 'constant' || r.hasWarmup) notes.push(`no lr_scheduler: batchwise's Rprop ignores the schedule (${scheduleText(r)}), and torch.optim.Rprop reads lr only as the initial step`);
    return null;
  }
  if (r.hasWarmup) notes.push(`LightningCLI's lr_scheduler steps once per epoch and cannot warm up: the ${r.plan.warmupSteps} warm-up updates run at the full lr`);
  switch (s.kind) {
    case 'constant':
      return null;
    case 'step': {
      const epochs = s.everySteps / r.updatesPerEpoch;
      const stepSize = Math.max(1, Math.round(epochs));
      if (stepSize !== epochs) {
        notes.push(`StepLR steps per epoch: batchwise decays every ${s.everySteps} updates = ${+epochs.toFixed(3)} epochs of ${r.updatesPerEpoch} updates, rounded to step_size ${stepSize}`);
      }
      return { classPath: 'torch.optim.lr_scheduler.StepLR', initArgs: [['step_size', stepSize], ['gamma', s.gamma]] };
    }
    case 'cosine':
      notes.push(`CosineAnnealingLR steps once per epoch: batchwise's per-update ${scheduleText(r)} becomes a staircase of ${r.plan.epochs} steps`);
      return { classPath: 'torch.optim.lr_scheduler.CosineAnnealingLR', initArgs: [['T_max', r.plan.epochs], ['eta_min', s.minLr]] };
  }
}
