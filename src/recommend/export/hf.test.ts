import assert from 'node:assert/strict';
import test from 'node:test';
import { UserError } from '../../errors.js';
import { completeSchedule, lrAt } from '../../optim/schedule.js';
import { MOMENTUM_PLAN } from '../../testing/export-fixtures.js';
import { exportPlan, type TrainingPlan } from './export-plan.js';

const base: TrainingPlan = { ...MOMENTUM_PLAN, optimizer: 'adam', hyper: { lr: 0.001 }, schedule: { kind: 'cosine', minLr: 0 }, worldSize: 2 };

/** TrainingArguments fields the export may use; HfArgumentParser.parse_json_file rejects any other key. */
const TRAINING_ARGUMENTS = new Set([
  'output_dir', 'per_device_train_batch_size', 'gradient_accumulation_steps', 'num_train_epochs', 'learning_rate', 'optim',
  'adam_beta1', 'adam_beta2', 'adam_epsilon', 'weight_decay', 'lr_scheduler_type', 'lr_scheduler_kwargs', 'warmup_steps',
  'max_grad_norm', 'dataloader_drop_last',
]);
const args = (plan: TrainingPlan) => JSON.parse(exportPlan('hf', plan).text) as Record<string, unknown>;

test('hf: per_device_train_batch_size × gradient_accumulation_steps × processes is the effective batch', () => {
  const e = exportPlan('hf', base);
  assert.equal(e.fileName, 'training_args.json');
  const a = JSON.parse(e.text) as Record<string, unknown>;
  for (const key of Object.keys(a)) assert.ok(TRAINING_ARGUMENTS.has(key), `${key} is not a TrainingArguments field`);
  assert.deepEqual(a, {
    output_dir: 'mlp-hf',
    per_device_train_batch_size: 64,
    gradient_accumulation_steps: 4,
    num_train_epochs: 10,
    learning_rate: 0.001,
    optim: 'adamw_torch',
    adam_beta1: 0.9,
    adam_beta2: 0.999,
    adam_epsilon: 1e-8,
    weight_decay: 0,
    lr_scheduler_type: 'cosine',
    warmup_steps: 0,
    max_grad_norm: 0,
    dataloader_drop_last: true,
  });
  assert.equal((a['per_device_train_batch_size'] as number) * (a['gradient_accumulation_steps'] as number) * 2, 512);
  assert.ok(e.notes[0]!.startsWith('512 examples per update = per_device_train_batch_size 64 × gradient_accumulation_steps 4 × 2 processes (TrainingArguments has no device count'));
  assert.ok(e.notes[0]!.includes('launch the 2 processes on one node with: torchrun --standalone --nnodes=1 --nproc_per_node=2 train.py training_args.json; '));
  assert.equal(exportPlan('hf', { ...base, worldSize: 1 }).notes[0], '256 examples per update = per_device_train_batch_size 64 × gradient_accumulation_steps 4');
});

test('hf: schedules: constant, warm-up, cosine to a minimum', () => {
  assert.equal(args({ ...base, schedule: { kind: 'constant' } })['lr_scheduler_type'], 'constant');
  const warm = args({ ...base, schedule: { kind: 'constant' }, warmupSteps: 100 });
  assert.deepEqual([warm['lr_scheduler_type'], warm['warmup_steps']], ['constant_with_warmup', 100]);
  const min = args({ ...base, schedule: { kind: 'cosine', minLr: 1e-5 } });
  assert.deepEqual([min['lr_scheduler_type'], min['lr_scheduler_kwargs']], ['cosine_with_min_lr', { min_lr: 1e-5 }]);
  assert.throws(
    () => exportPlan('hf', { ...base, schedule: { kind: 'step', everySteps: 100, gamma: 0.5 } }),
    (e: unknown) => e instanceof UserError && e.message.startsWith('--export hf cannot express --schedule step:100:0.5: ') && e.message.includes('use --schedule cosine or constant'),
  );
});

/** transformers' get_scheduler lambdas (optimization.py) at scheduler step u, which the Trainer steps once per update. */
function hfFactor(a: Record<string, unknown>, u: number, total: number): number {
  const w = a['warmup_steps'] as number;
  switch (a['lr_scheduler_type']) {
    case 'constant':
      return 1; // get_constant_schedule ignores warmup_steps.
    case 'constant_with_warmup':
      return u < w ? u / Math.max(1, w) : 1;
    case 'cosine':
      return u < w ? u / Math.max(1, w) : 0.5 * (1 + Math.cos(Math.PI * ((u - w) / Math.max(1, total - w))));
    default:
      return assert.fail(`unmodelled ${String(a['lr_scheduler_type'])}`);
  }
}

test('hf: a constant schedule with one warm-up update is plain constant, and every constant plan runs as batchwise from update W on', () => {
  for (const warmupSteps of [0, 1, 2, 100]) {
    const plan: TrainingPlan = { ...base, schedule: { kind: 'constant' }, warmupSteps };
    const e = exportPlan('hf', plan);
    const a = JSON.parse(e.text) as Record<string, unknown>;
    const spec = completeSchedule(plan.schedule, { totalUpdates: 1070, warmupSteps });
    const differ = Array.from({ length: 1070 }, (_, u) => u).filter((u) => Math.abs(0.001 * hfFactor(a, u, 1070) - lrAt(spec, 0.001, u)) > 1e-15);
    if (warmupSteps <= 1) {
      assert.deepEqual([a['lr_scheduler_type'], a['warmup_steps'], differ], ['constant', 0, []], `W = ${warmupSteps}`);
      assert.ok(!e.notes.some((n) => n.includes('warm-up')), `W = ${warmupSteps}: exact, so no warm-up note`);
    } else {
      assert.deepEqual(differ, Array.from({ length: warmupSteps }, (_, u) => u), `W = ${warmupSteps}`);
      assert.ok(e.notes.some((n) => n.includes(`update 0 at rate 0; from update ${warmupSteps} on the rates are batchwise's`)));
    }
  }
});

test('hf: the optimizers its optim names build with batchwise hyper-parameters', () => {
  assert.equal(args({ ...base, optimizer: 'sgd', hyper: { lr: 0.05, weightDecay: 0.001 } })['optim'], 'sgd');
  assert.equal(args({ ...base, optimizer: 'adagrad', hyper: { lr: 0.02 } })['optim'], 'adagrad');
  assert.equal(args({ ...base, optimizer: 'rmsprop', hyper: { lr: 0.001, rho: 0.99 } })['optim'], 'rmsprop');
  const e = exportPlan('hf', { ...base, optimizer: 'sgd', hyper: { lr: 0.05, weightDecay: 0.001 } });
  assert.ok(e.notes.some((n) => n.includes('biases and LayerNorm weights')));
});

test('hf: what TrainingArguments cannot hold is refused with the fix', () => {
  const refused = (plan: TrainingPlan, ...parts: string[]) =>
    assert.throws(() => exportPlan('hf', plan), (e: unknown) => e instanceof UserError && e.message.startsWith('--export hf cannot express') && parts.every((p) => e.message.includes(p)));
  refused({ ...base, optimizer: 'momentum' }, '--optimizer momentum (momentum 0.9)', 'use --export lightning or deepspeed');
  refused({ ...base, optimizer: 'nesterov' }, '--optimizer nesterov');
  refused({ ...base, hyper: { weightDecay: 0.01 } }, '--optimizer adam with --weight-decay 0.01', 'AdamW');
  refused({ ...base, optimizer: 'rmsprop' }, '--rho 0.9 --eps 1e-8', 'or --rho 0.99 --eps 1e-8');
  refused({ ...base, optimizer: 'adagrad', hyper: { eps: 1e-8 } }, '--optimizer adagrad with --eps 1e-8');
  refused({ ...base, optimizer: 'rprop' }, '--optimizer rprop', 'use --export lightning or deepspeed');
  refused({ ...base, optimizer: 'irprop+' }, '--optimizer irprop+');
});
