/**
 * DeepSpeed ds_config.json. Checked against deepspeed.ai/docs/config-json and DeepSpeed's sources:
 * - "train_batch_size must be equal to train_micro_batch_size_per_gpu * gradient_accumulation_steps
 *   * number of GPUs" (DeepSpeed asserts it at start); gradients are averaged over the
 *   accumulation steps and the data-parallel ranks, so lr is batchwise's unchanged.
 * - runtime/config.py + engine.py (_configure_basic_optimizer): "Adam"/"AdamW"/"Adagrad"/… are
 *   DeepSpeed's own (lower-cased); "Adam" runs AdamW unless params.adam_w_mode is false;
 *   any other type is looked up in torch.optim (getattr(torch.optim, type)(params, **params)).
 * - engine.py (_scheduler_from_config): a scheduler type not in deepspeed.runtime.lr_schedules is
 *   looked up in torch.optim.lr_scheduler; the engine steps it once per update.
 * - runtime/lr_schedules.py: WarmupLR and WarmupCosineLR start at last_batch_iteration = −1
 *   (lr = warmup_min_lr; 0 for WarmupCosineLR), warm up over max(2, warmup_num_steps)
 *   iterations; warmup_type "linear" gives ratio k/W at iteration k; WarmupCosineLR then follows
 *   cos_min_ratio + (1 − cos_min_ratio)·(1 + cos(π·(k − W + 1)/(total_num_steps − W)))/2.
 * gradient_clipping is left out (DeepSpeed's default, 0, does not clip, as batchwise).
 */
import { batchSentence, checkTorchRprop, scheduleText, type ExportedConfig, type ResolvedPlan } from './plan.js';
import { optimizerSpec } from './lightning.js';
import { torchrunNote } from './torchrun.js';

type Json = number | boolean | string | readonly number[] | { readonly [k: string]: Json };

export function exportDeepSpeed(r: ResolvedPlan): ExportedConfig {
  checkTorchRprop('deepspeed', r);
  const { plan } = r;
  const notes: string[] = [
    `train_batch_size = ${batchSentence(r, 'train_micro_batch_size_per_gpu', 'gradient_accumulation_steps', 'GPUs')}: launch with deepspeed --num_gpus ${plan.worldSize} (DeepSpeed asserts this identity at start)`,
    `DeepSpeed counts updates, not epochs: run ${r.totalUpdates} updates (${plan.epochs} epochs × ${r.updatesPerEpoch}), with a train loader of batch ${plan.microBatch} per GPU and drop_last=True`,
  ];
  const config: { [k: string]: Json } = {
    train_batch_size: r.effectiveBatch,
    train_micro_batch_size_per_gpu: plan.microBatch,
    gradient_accumulation_steps: plan.iterSize,
    optimizer: optimizerJson(r, notes),
  };
  const scheduler = schedulerJson(r, notes);
  if (scheduler) config['scheduler'] = scheduler;
  // deepspeed.initialize reads the RANK/WORLD_SIZE/MASTER_ADDR environment torchrun sets, so either launcher serves.
  const torchrun = torchrunNote(r, 'train.py');
  if (torchrun) notes.push(`or with torchrun, where train.py calls deepspeed.initialize(config="ds_config.json"): ${torchrun}`);
  return { format: 'deepspeed', fileName: 'ds_config.json', text: JSON.stringify(config, null, 2) + '\n', notes };
}

function optimizerJson(r: ResolvedPlan, notes: string[]): Json {
  const spec = optimizerSpec(r);
  const type = spec.classPath.replace('torch.optim.', '');
  const params: { [k: string]: Json } = Object.fromEntries(spec.initArgs);
  if (type === 'Adam') {
    // DeepSpeed's "Adam" is AdamW (decoupled decay) unless told otherwise; batchwise's decay is L2.
    params['adam_w_mode'] = false;
  } else if (type !== 'Adagrad') {
    notes.push(`"${type}" is not a DeepSpeed optimizer: DeepSpeed builds torch.optim.${type} from the params; with ZeRO enabled, also set "zero_allow_untested_optimizer": true`);
  }
  return { type, params };
}

function schedulerJson(r: ResolvedPlan, notes: string[]): Json | null {
  const s = r.schedule;
  const lr = r.hyper.lr;
  const w = r.plan.warmupSteps;
  if (r.plan.optimizer === 'rprop') {
    if (s.kind !== 'constant' || r.hasWarmup) notes.push(`no scheduler: batchwise's Rprop ignores the schedule (${scheduleText(r)}), and torch.optim.Rprop reads lr only as the initial step`);
    return null;
  }
  if (!r.hasWarmup) {
    // torch.optim.lr_scheduler, stepped once per update from iteration 0: batchwise's rates exactly.
    if (w === 1 && s.kind !== 'constant') notes.push(`batchwise's 1 warm-up update runs at the full lr and only delays the ${s.kind} schedule by one update; the scheduler here starts it at once`);
    switch (s.kind) {
      case 'constant':
        return null;
      case 'step':
        return { type: 'StepLR', params: { step_size: s.everySteps, gamma: s.gamma } };
      case 'cosine':
        return { type: 'CosineAnnealingLR', params: { T_max: s.totalSteps, eta_min: s.minLr } };
    }
  }
  const lag = `DeepSpeed's scheduler starts at iteration −1 and steps after each update, so updates 0 and 1 run at rate 0 and update u ≤ ${w} at lr·(u−1)/${w}, where batchwise gives lr·(u+1)/${w}; from update ${w + 1} on the rates are batchwise's`;
  switch (s.kind) {
    case 'constant':
      notes.push(lag);
      return { type: 'WarmupLR', params: { warmup_min_lr: 0, warmup_max_lr: lr, warmup_num_steps: w, warmup_type: 'linear' } };
    case 'step':
      notes.push(`a DeepSpeed config holds one scheduler and none warms up then steps: the ${w} warm-up updates run at the full lr, and StepLR's decays come ${w} updates earlier than batchwise's`);
      return { type: 'StepLR', params: { step_size: s.everySteps, gamma: s.gamma } };
    case 'cosine':
      notes.push(lag);
      return {
        type: 'WarmupCosineLR',
        params: { total_num_steps: r.totalUpdates, warmup_min_ratio: 0, warmup_num_steps: w, cos_min_ratio: s.minLr / lr, warmup_type: 'linear' },
      };
  }
}
