/**
 * What LightningCLI and torch do with an exported config, for the export tests.
 *
 * Trainer arguments: Lightning-AI/pytorch-lightning master, commit
 * 7f0c3436cd3f6ad3753125672024fc415cbcb414 (2026-07-20), src/lightning/pytorch/trainer/trainer.py,
 * Trainer.__init__ (keyword-only). Top-level groups of `fit`: src/lightning/pytorch/cli.py
 * (seed_everything, trainer, model, data, optimizer, lr_scheduler; ckpt_path from Trainer.fit).
 * torch.optim / torch.optim.lr_scheduler constructor parameters and checks: torch 2.x
 * (torch/optim/sgd.py raises "Nesterov momentum requires a momentum and zero dampening").
 * `stepsPerEpoch` follows src/lightning/pytorch/loops/training_epoch_loop.py (_should_accumulate).
 */
import assert from 'node:assert/strict';
import { parseDocument, visit } from 'yaml';

/** PyYAML's implicit float and int resolvers (resolver.py): what it reads as a number; `1e-8` (no dot) stays a string. */
const PYYAML_FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const PYYAML_INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$/;

const TRAINER_ARGS = new Set([
  'accelerator', 'strategy', 'devices', 'num_nodes', 'precision', 'logger', 'callbacks', 'fast_dev_run', 'max_epochs',
  'min_epochs', 'max_steps', 'min_steps', 'max_time', 'limit_train_batches', 'limit_val_batches', 'limit_test_batches',
  'limit_predict_batches', 'overfit_batches', 'val_check_interval', 'check_val_every_n_epoch', 'num_sanity_val_steps',
  'log_every_n_steps', 'enable_checkpointing', 'enable_progress_bar', 'enable_model_summary', 'accumulate_grad_batches',
  'gradient_clip_val', 'gradient_clip_algorithm', 'deterministic', 'benchmark', 'inference_mode', 'use_distributed_sampler',
  'profiler', 'detect_anomaly', 'barebones', 'plugins', 'sync_batchnorm', 'reload_dataloaders_every_n_epochs',
  'default_root_dir', 'enable_autolog_hparams', 'model_registry', 'suggest_integrations',
]);
const FIT_GROUPS = new Set(['seed_everything', 'trainer', 'model', 'data', 'optimizer', 'lr_scheduler', 'ckpt_path']);

/** Constructor parameters after `params` / `optimizer`. */
export const TORCH_CLASSES: Record<string, readonly string[]> = {
  'torch.optim.SGD': ['lr', 'momentum', 'dampening', 'weight_decay', 'nesterov', 'maximize', 'foreach', 'differentiable', 'fused'],
  'torch.optim.Adam': ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'foreach', 'maximize', 'capturable', 'differentiable', 'fused', 'decoupled_weight_decay'],
  'torch.optim.RMSprop': ['lr', 'alpha', 'eps', 'weight_decay', 'momentum', 'centered', 'capturable', 'foreach', 'maximize', 'differentiable'],
  'torch.optim.Adagrad': ['lr', 'lr_decay', 'weight_decay', 'initial_accumulator_value', 'eps', 'foreach', 'maximize', 'differentiable', 'fused'],
  'torch.optim.Rprop': ['lr', 'etas', 'step_sizes', 'capturable', 'foreach', 'maximize', 'differentiable'],
  'torch.optim.lr_scheduler.StepLR': ['step_size', 'gamma', 'last_epoch'],
  'torch.optim.lr_scheduler.CosineAnnealingLR': ['T_max', 'eta_min', 'last_epoch'],
};

type Args = Readonly<Record<string, unknown>>;

/** Build the torch class as its constructor would: unknown parameters and failed checks throw. */
export function constructTorch(classPath: string, args: Args): void {
  const known = TORCH_CLASSES[classPath];
  assert.ok(known, `${classPath} is not a torch class the exports use`);
  for (const k of Object.keys(args)) assert.ok(known.includes(k), `${classPath}.__init__() got an unexpected keyword argument '${k}'`);
  const num = (k: string, fallback: number) => (args[k] === undefined ? fallback : (args[k] as number));
  for (const k of ['lr', 'momentum', 'weight_decay', 'eps', 'alpha']) {
    if (args[k] !== undefined) assert.ok(typeof args[k] === 'number' && args[k] >= 0, `Invalid ${k} value: ${String(args[k])}`);
  }
  if (classPath === 'torch.optim.SGD' && args['nesterov'] === true && (num('momentum', 0) <= 0 || num('dampening', 0) !== 0)) {
    throw new Error('ValueError: Nesterov momentum requires a momentum and zero dampening');
  }
  if (classPath === 'torch.optim.Adam' && args['betas'] !== undefined) {
    const betas = args['betas'] as number[];
    assert.ok(betas.length === 2 && betas.every((b) => typeof b === 'number' && b >= 0 && b < 1), `Invalid beta parameters: ${String(betas)}`);
  }
}

export interface LightningConfig {
  readonly trainer: Args;
  readonly data: Args;
  readonly optimizer: { readonly class_path: string; readonly init_args: Args };
  readonly lr_scheduler?: { readonly class_path: string; readonly init_args: Args };
}

/** Parse as YAML 1.1 (PyYAML, under jsonargparse), check every key against LightningCLI's and the Trainer's, and build the torch classes. */
export function parseLightningConfig(text: string): LightningConfig {
  const parsed = parseDocument(text, { version: '1.1', uniqueKeys: true });
  assert.deepEqual(parsed.errors, [], 'not valid YAML');
  visit(parsed, {
    Scalar(_key, node) {
      const source = node.source ?? '';
      if (typeof node.value === 'number') assert.ok(PYYAML_FLOAT.test(source) || PYYAML_INT.test(source), `PyYAML reads ${source} as a string, not a number`);
    },
  });
  const doc = parsed.toJS() as Record<string, unknown>;
  for (const k of Object.keys(doc)) assert.ok(FIT_GROUPS.has(k), `${k} is not a LightningCLI fit group`);
  const trainer = doc['trainer'] as Args;
  for (const [k, v] of Object.entries(trainer)) {
    assert.ok(TRAINER_ARGS.has(k), `${k} is not a Trainer argument`);
    if (['max_epochs', 'accumulate_grad_batches', 'num_nodes', 'limit_train_batches', 'devices'].includes(k)) {
      assert.ok(Number.isInteger(v) && (v as number) >= 1, `trainer.${k} should be a whole number >= 1 here, got ${String(v)}`);
    }
  }
  for (const group of ['optimizer', 'lr_scheduler'] as const) {
    const block = doc[group] as { class_path: string; init_args: Args } | undefined;
    if (block === undefined) continue;
    assert.deepEqual(Object.keys(block).sort(), ['class_path', 'init_args'], `${group} takes class_path and init_args`);
    constructTorch(block.class_path, block.init_args);
  }
  return doc as unknown as LightningConfig;
}

/**
 * Optimizer steps in one epoch of `loaderBatches` batches, and how many of them close a group
 * shorter than accumulate_grad_batches (Lightning steps on an epoch's final batch anyway, with the
 * loss still divided by accumulate_grad_batches).
 */
export function stepsPerEpoch(trainer: Args, loaderBatches: number): { steps: number; partial: number } {
  const accumulate = (trainer['accumulate_grad_batches'] as number | undefined) ?? 1;
  const limit = trainer['limit_train_batches'] as number | undefined;
  const batches = limit === undefined ? loaderBatches : Math.min(loaderBatches, limit);
  let steps = 0;
  let partial = 0;
  for (let ready = 1; ready <= batches; ready++) {
    const accumulationDone = ready % accumulate === 0;
    if (accumulationDone || ready === batches) {
      steps++;
      if (!accumulationDone) partial++;
    }
  }
  return { steps, partial };
}
