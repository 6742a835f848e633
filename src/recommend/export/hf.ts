/**
 * Hugging Face TrainingArguments as JSON, for HfArgumentParser(TrainingArguments).parse_json_file
 * (which rejects unknown keys, so the file holds TrainingArguments fields only).
 * Checked against transformers' sources (trainer.py, training_args.py, optimization.py):
 * - Trainer.get_optimizer_cls_and_kwargs: optim "sgd", "adagrad" and "rmsprop" build
 *   torch.optim.SGD / Adagrad / RMSprop with lr alone (optim_args is not read for them), so SGD
 *   momentum, RMSprop's alpha and eps, and Adagrad's eps stay at torch's defaults (0, 0.99,
 *   1e-8, 1e-10); "adamw_torch" builds torch.optim.AdamW(betas=(adam_beta1, adam_beta2),
 *   eps=adam_epsilon), which is Adam when weight_decay is 0.
 * - Trainer.create_optimizer: weight_decay applies to every parameter except biases and
 *   LayerNorm weights.
 * - get_scheduler: "constant", "constant_with_warmup", "cosine", "cosine_with_min_lr"
 *   (lr_scheduler_kwargs {"min_lr": …}); warm-up gives step u the factor u/warmup_steps, and
 *   cosine then follows (1 + cos(π·(u − W)/(total − W)))/2; the scheduler steps once per update.
 * - max_grad_norm defaults to 1.0 (clipping); 0 turns it off, as batchwise does not clip.
 * - Gradient accumulation divides the loss by gradient_accumulation_steps; DDP averages devices.
 */
import { ADAGRAD_EPS } from '../../optim/registry.js';
import { batchSentence, epochNote, inexpressible, rejectRprop, type ExportedConfig, type ResolvedPlan } from './plan.js';
import { torchrunNote } from './torchrun.js';

/** torch.optim.RMSprop's defaults, which HF's optim "rmsprop" cannot change. */
const TORCH_RMSPROP_ALPHA = 0.99;
const TORCH_RMSPROP_EPS = 1e-8;

type Json = number | boolean | string | { readonly [k: string]: number };

export function exportHf(r: ResolvedPlan): ExportedConfig {
  rejectRprop('hf', r, 'Hugging Face TrainingArguments');
  const { plan, hyper } = r;
  const notes: string[] = [];
  const args: { [k: string]: Json } = {
    output_dir: `${plan.modelName}-hf`,
    per_device_train_batch_size: plan.microBatch,
    gradient_accumulation_steps: plan.iterSize,
    num_train_epochs: plan.epochs,
    learning_rate: hyper.lr,
    ...optimizerArgs(r),
    weight_decay: hyper.weightDecay,
    ...schedulerArgs(r, notes),
    max_grad_norm: 0,
    dataloader_drop_last: true,
  };
  const torchrun = torchrunNote(r, 'train.py training_args.json');
  notes.unshift(
    `${batchSentence(r, 'per_device_train_batch_size', 'gradient_accumulation_steps', 'processes')}` +
      (torchrun ? ` (TrainingArguments has no device count: the launcher sets it), where train.py reads training_args.json with HfArgumentParser; ${torchrun}` : ''),
  );
  if (hyper.weightDecay > 0) notes.push(`HF's Trainer leaves biases and LayerNorm weights out of weight_decay; batchwise decays every parameter`);
  notes.push(`${epochNote(r)}; HF steps once more at an epoch's end when its micro-batch count is not a multiple of gradient_accumulation_steps`);
  return { format: 'hf', fileName: 'training_args.json', text: JSON.stringify(args, null, 2) + '\n', notes };
}

function optimizerArgs(r: ResolvedPlan): { [k: string]: Json } {
  const h = r.hyper;
  const fix = 'use --export lightning or deepspeed';
  switch (r.plan.optimizer) {
    case 'sgd':
      return { optim: 'sgd' };
    case 'momentum':
    case 'nesterov':
      throw inexpressible('hf', `--optimizer ${r.plan.optimizer} (momentum ${h.momentum})`, 'its optim "sgd" builds torch.optim.SGD with lr only, momentum 0', `${fix}, or --optimizer sgd, adam or adagrad`);
    case 'adam':
      if (h.weightDecay > 0) {
        throw inexpressible('hf', `--optimizer adam with --weight-decay ${h.weightDecay}`, 'its Adam is AdamW, whose decoupled decay is not batchwise\'s L2 penalty', `${fix}, or --weight-decay 0`);
      }
      return { optim: 'adamw_torch', adam_beta1: h.beta1, adam_beta2: h.beta2, adam_epsilon: h.eps };
    case 'rmsprop':
      if (h.rho !== TORCH_RMSPROP_ALPHA || h.eps !== TORCH_RMSPROP_EPS) {
        throw inexpressible('hf', `--optimizer rmsprop with --rho ${h.rho} --eps ${h.eps}`, `its optim "rmsprop" keeps torch's alpha ${TORCH_RMSPROP_ALPHA} and eps ${TORCH_RMSPROP_EPS}`, `${fix}, or --rho ${TORCH_RMSPROP_ALPHA} --eps ${TORCH_RMSPROP_EPS}`);
      }
      return { optim: 'rmsprop' };
    case 'adagrad':
      if (h.eps !== ADAGRAD_EPS) {
        throw inexpressible('hf', `--optimizer adagrad with --eps ${h.eps}`, `its optim "adagrad" keeps torch's eps ${ADAGRAD_EPS}`, `${fix}, or --eps ${ADAGRAD_EPS}`);
      }
      return { optim: 'adagrad' };
    case 'rprop':
    case 'irprop+':
      throw new Error('internal error: Rprop reached the HF exporter');
  }
}

function schedulerArgs(r: ResolvedPlan, notes: string[]): { [k: string]: Json } {
  const s = r.schedule;
  const w = r.plan.warmupSteps;
  // batchwise's single warm-up update runs at the full rate, so a constant schedule with W = 1 is
  // plain constant; HF's warm-up would run update 0 at rate 0/1.
  if (s.kind === 'constant' && !r.hasWarmup) return { lr_scheduler_type: 'constant', warmup_steps: 0 };
  if (w > 0) notes.push(`HF's linear warm-up gives update u the rate lr·u/${w} where batchwise gives lr·(u+1)/${w}: one update later, update 0 at rate 0; from update ${w} on the rates are batchwise's`);
  switch (s.kind) {
    case 'constant':
      return { lr_scheduler_type: 'constant_with_warmup', warmup_steps: w };
    case 'step':
      throw inexpressible('hf', `--schedule step:${s.everySteps}:${s.gamma}`, 'TrainingArguments has no step-decay lr_scheduler_type', 'use --schedule cosine or constant, or --export lightning, deepspeed or caffe');
    case 'cosine':
      return s.minLr > 0
        ? { lr_scheduler_type: 'cosine_with_min_lr', lr_scheduler_kwargs: { min_lr: s.minLr }, warmup_steps: w }
        : { lr_scheduler_type: 'cosine', warmup_steps: w };
  }
}
