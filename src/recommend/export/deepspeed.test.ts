import assert from 'node:assert/strict';
import test from 'node:test';
import { UserError } from '../../errors.js';
import { completeSchedule, lrAt } from '../../optim/schedule.js';
import { MOMENTUM_PLAN } from '../../testing/export-fixtures.js';
import { exportPlan, type TrainingPlan } from './export-plan.js';
import { constructTorch } from '../../testing/lightning-cli.js';

const base: TrainingPlan = { ...MOMENTUM_PLAN, worldSize: 2 };

interface DsConfig {
  train_batch_size: number;
  train_micro_batch_size_per_gpu: number;
  gradient_accumulation_steps: number;
  optimizer: { type: string; params: Record<string, unknown> };
  scheduler?: { type: string; params: Record<string, number | string> };
}
const config = (plan: TrainingPlan) => JSON.parse(exportPlan('deepspeed', plan).text) as DsConfig;

test('deepspeed: train_batch_size = micro × accumulation × world size, the identity DeepSpeed asserts', () => {
  const c = config(base);
  assert.equal(c.train_micro_batch_size_per_gpu, 64);
  assert.equal(c.gradient_accumulation_steps, 4);
  assert.equal(c.train_batch_size, 512);
  assert.equal(c.train_batch_size, c.train_micro_batch_size_per_gpu * c.gradient_accumulation_steps * 2);
  assert.deepEqual(c.optimizer, { type: 'SGD', params: { lr: 0.1, momentum: 0.9, nesterov: false, weight_decay: 0 } });
  assert.equal(c.scheduler, undefined);
  assert.ok(!('gradient_clipping' in c));
  const odd = config({ ...base, microBatch: 24, iterSize: 3, worldSize: 8 });
  assert.equal(odd.train_batch_size, 576);
});

test('deepspeed: the deepspeed launcher or torchrun for the world of processes', () => {
  const notes = exportPlan('deepspeed', { ...base, worldSize: 4 }).notes;
  assert.ok(notes[0]!.endsWith('launch with deepspeed --num_gpus 4 (DeepSpeed asserts this identity at start)'));
  assert.ok(notes.includes('or with torchrun, where train.py calls deepspeed.initialize(config="ds_config.json"): launch the 4 processes on one node with: torchrun --standalone --nnodes=1 --nproc_per_node=4 train.py; across M nodes of K processes each (M × K = 4), run on every node: torchrun --nnodes=M --nproc_per_node=K --rdzv_id=JOB --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 train.py'));
  assert.ok(!exportPlan('deepspeed', { ...base, worldSize: 1 }).notes.some((n) => n.includes('torchrun')));
});

test('deepspeed: Adam keeps L2 weight decay with adam_w_mode false; RMSprop and Adagrad go to torch.optim', () => {
  assert.deepEqual(config({ ...base, optimizer: 'adam', hyper: { lr: 0.001, weightDecay: 0.0005 } }).optimizer, {
    type: 'Adam',
    params: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.0005, adam_w_mode: false },
  });
  assert.deepEqual(config({ ...base, optimizer: 'rmsprop', hyper: { lr: 0.0005, rho: 0.95 } }).optimizer, {
    type: 'RMSprop',
    params: { lr: 0.0005, alpha: 0.95, eps: 1e-8, weight_decay: 0 },
  });
  assert.deepEqual(config({ ...base, optimizer: 'adagrad', hyper: { lr: 0.02 } }).optimizer, { type: 'Adagrad', params: { lr: 0.02, eps: 1e-10, weight_decay: 0 } });
  assert.deepEqual(config({ ...base, optimizer: 'rprop', hyper: { lr: 0.001 } }).optimizer, {
    type: 'Rprop',
    params: { lr: 0.001, etas: [0.5, 1.2], step_sizes: [1e-6, 50] },
  });
  assert.throws(() => exportPlan('deepspeed', { ...base, optimizer: 'irprop+' }), UserError);
});

/** DeepSpeed's engine builds "Adam" itself after popping adam_w_mode; every other type here is torch.optim's, built from the params. */
function buildOptimizer(c: DsConfig): void {
  const { adam_w_mode: _mode, ...params } = c.optimizer.params;
  constructTorch(`torch.optim.${c.optimizer.type}`, params);
}

test('deepspeed: every optimizer is one torch builds, Nesterov without momentum as plain SGD', () => {
  const plans: TrainingPlan[] = [
    { ...base, optimizer: 'sgd' },
    { ...base, optimizer: 'nesterov', hyper: { lr: 0.1, momentum: 0.95 } },
    { ...base, optimizer: 'nesterov', hyper: { lr: 0.1, momentum: 0 } },
    { ...base, optimizer: 'momentum', hyper: { lr: 0.1, momentum: 0 } },
    { ...base, optimizer: 'adam', hyper: { lr: 0.001 } },
    { ...base, optimizer: 'rmsprop', hyper: { lr: 0.001 } },
    { ...base, optimizer: 'adagrad', hyper: { lr: 0.01 } },
    { ...base, optimizer: 'rprop', hyper: { lr: 0.001 } },
  ];
  for (const plan of plans) buildOptimizer(config(plan));
  assert.deepEqual(config({ ...base, optimizer: 'nesterov', hyper: { lr: 0.1, momentum: 0 } }).optimizer, { type: 'SGD', params: { lr: 0.1, momentum: 0, weight_decay: 0 } });
});

test('deepspeed: without warm-up, torch schedulers stepped per update give batchwise rates exactly', () => {
  assert.deepEqual(config({ ...base, schedule: { kind: 'cosine', minLr: 0.001 } }).scheduler, { type: 'CosineAnnealingLR', params: { T_max: 1070, eta_min: 0.001 } });
  assert.deepEqual(config({ ...base, schedule: { kind: 'step', everySteps: 300, gamma: 0.1 } }).scheduler, { type: 'StepLR', params: { step_size: 300, gamma: 0.1 } });
});

/** deepspeed/runtime/lr_schedules.py WarmupCosineLR.get_lr_ratio, linear warm-up, at scheduler iteration k. */
function warmupCosineRatio(p: Record<string, number | string>, k: number): number {
  const w = Math.max(2, p['warmup_num_steps'] as number);
  const minRatio = p['warmup_min_ratio'] as number;
  const cosMin = p['cos_min_ratio'] as number;
  if (k < 0) return 0;
  if (k < w) return minRatio + (k / w) * (1 - minRatio);
  const progress = Math.min(1, (k - w + 1) / Math.max(1, (p['total_num_steps'] as number) - w));
  return Math.max(0, cosMin + (1 - cosMin) * (1 + Math.cos(Math.PI * progress)) / 2);
}

/** WarmupLR.get_lr, linear warm-up, at scheduler iteration k (min_lrs before the first step). */
function warmupLr(p: Record<string, number | string>, k: number): number {
  const w = Math.max(2, p['warmup_num_steps'] as number);
  const min = p['warmup_min_lr'] as number;
  const max = p['warmup_max_lr'] as number;
  if (k < 0) return min;
  return min + (max - min) * (k < w ? k / w : 1);
}

test("deepspeed: the warm-up note says which updates run at rate 0 and how the rest compare, as DeepSpeed's schedulers run", () => {
  const w = 30;
  for (const schedule of [{ kind: 'constant' }, { kind: 'cosine', minLr: 0.002 }] as const) {
    const plan: TrainingPlan = { ...base, schedule, warmupSteps: w };
    const e = exportPlan('deepspeed', plan);
    const s = (JSON.parse(e.text) as DsConfig).scheduler!;
    // The engine steps the scheduler after each update: update u runs at scheduler iteration u − 1.
    const rate = (u: number) => (s.type === 'WarmupLR' ? warmupLr(s.params, u - 1) : 0.1 * warmupCosineRatio(s.params, u - 1));
    const zero = Array.from({ length: 1070 }, (_, u) => u).filter((u) => rate(u) === 0);
    const note = e.notes.find((n) => n.startsWith("DeepSpeed's scheduler starts at iteration −1"));
    assert.ok(note, `${s.type}: no warm-up note`);
    assert.deepEqual(zero, [0, 1]);
    assert.match(note, /updates 0 and 1 run at rate 0 and update u ≤ 30 at lr·\(u−1\)\/30, where batchwise gives lr·\(u\+1\)\/30; from update 31 on/);
    for (let u = 1; u <= w; u++) assert.ok(Math.abs(rate(u) - (0.1 * (u - 1)) / w) < 1e-15, `${s.type} update ${u}`);
    const spec = completeSchedule(plan.schedule, { totalUpdates: 1070, warmupSteps: w });
    for (let u = w + 1; u < 1070; u++) assert.ok(Math.abs(rate(u) - lrAt(spec, 0.1, u)) < 1e-12, `${s.type} update ${u}`);
  }
});

test('deepspeed: with warm-up, WarmupCosineLR matches batchwise from update W + 1 on', () => {
  const plan: TrainingPlan = { ...base, schedule: { kind: 'cosine', minLr: 0.002 }, warmupSteps: 30 };
  const e = exportPlan('deepspeed', plan);
  const s = (JSON.parse(e.text) as DsConfig).scheduler!;
  assert.equal(s.type, 'WarmupCosineLR');
  assert.deepEqual(s.params, { total_num_steps: 1070, warmup_min_ratio: 0, warmup_num_steps: 30, cos_min_ratio: 0.02, warmup_type: 'linear' });
  const spec = completeSchedule(plan.schedule, { totalUpdates: 1070, warmupSteps: 30 });
  // The engine steps the scheduler after each update: update u runs at scheduler iteration u − 1.
  for (let u = 31; u < 1070; u++) {
    const ds = 0.1 * warmupCosineRatio(s.params, u - 1);
    assert.ok(Math.abs(ds - lrAt(spec, 0.1, u)) < 1e-12, `update ${u}: ${ds} vs ${lrAt(spec, 0.1, u)}`);
  }
  assert.ok(e.notes.some((n) => n.includes('from update 31 on the rates are batchwise')));
  const constant = config({ ...base, warmupSteps: 30 }).scheduler;
  assert.deepEqual(constant, { type: 'WarmupLR', params: { warmup_min_lr: 0, warmup_max_lr: 0.1, warmup_num_steps: 30, warmup_type: 'linear' } });
});
