import assert from 'node:assert/strict';
import test from 'node:test';
import { UserError } from '../../errors.js';
import { MOMENTUM_PLAN } from '../../testing/export-fixtures.js';
import { exportPlan, type TrainingPlan } from './export-plan.js';
import { yamlNumber } from './lightning.js';
import { parseLightningConfig, stepsPerEpoch } from '../../testing/lightning-cli.js';

const base: TrainingPlan = { ...MOMENTUM_PLAN, worldSize: 2 };

/** The YAML without its comment lines. */
const body = (text: string) => text.split('\n').filter((l) => !l.startsWith('#')).join('\n');

test('lightning: accumulate_grad_batches, devices, the loader batch size and torch.optim.SGD', () => {
  const e = exportPlan('lightning', base);
  assert.equal(e.fileName, 'lightning.yaml');
  assert.equal(
    body(e.text),
    [
      'trainer:',
      '  max_epochs: 10',
      '  accumulate_grad_batches: 4',
      '  limit_train_batches: 428',
      '  devices: 2',
      '  num_nodes: 1',
      '  strategy: ddp',
      'data:',
      '  batch_size: 64',
      'optimizer:',
      '  class_path: torch.optim.SGD',
      '  init_args:',
      '    lr: 0.1',
      '    momentum: 0.9',
      '    nesterov: false',
      '    weight_decay: 0',
      '',
    ].join('\n'),
  );
  const c = parseLightningConfig(e.text);
  assert.equal((c.data['batch_size'] as number) * (c.trainer['accumulate_grad_batches'] as number) * (c.trainer['devices'] as number), 512);
  assert.match(e.text, /^# LightningCLI config for mlp: 512 examples per update = data\.batch_size 64 × accumulate_grad_batches 4 × 2 devices\.$/m);
});

/** Batches per device and epoch: DistributedSampler's ⌈N / devices⌉ examples, in a loader with drop_last=True. */
const loaderBatches = (plan: TrainingPlan) => Math.floor(Math.ceil(plan.trainExamples / plan.worldSize) / plan.microBatch);

test("lightning: each epoch runs batchwise's updates, every one a whole accumulation group", () => {
  for (const plan of [base, { ...base, worldSize: 1 }, { ...base, microBatch: 24, iterSize: 3, worldSize: 8 }, { ...base, iterSize: 1 }]) {
    const c = parseLightningConfig(exportPlan('lightning', plan).text);
    const updatesPerEpoch = Math.floor(plan.trainExamples / (plan.microBatch * plan.iterSize * plan.worldSize));
    assert.deepEqual(stepsPerEpoch(c.trainer, loaderBatches(plan)), { steps: updatesPerEpoch, partial: 0 }, JSON.stringify(plan));
  }
  // Without the limit, 429 batches per device make 107 whole groups and one of a single batch.
  assert.deepEqual(stepsPerEpoch({ accumulate_grad_batches: 4 }, loaderBatches(base)), { steps: 108, partial: 1 });
});

test('lightning: two devices come with the torchrun line that starts them; one has none', () => {
  const e = exportPlan('lightning', base);
  assert.match(e.text, /^# With 2 processes: torchrun --standalone --nnodes=1 --nproc_per_node=2 main\.py fit --config lightning\.yaml$/m);
  assert.ok(e.notes.includes('launch the 2 processes on one node with: torchrun --standalone --nnodes=1 --nproc_per_node=2 main.py fit --config lightning.yaml; across M nodes of K processes each (M × K = 2), run on every node: torchrun --nnodes=M --nproc_per_node=K --rdzv_id=JOB --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 main.py fit --config lightning.yaml'));
  const one = exportPlan('lightning', { ...base, worldSize: 1 });
  assert.ok(!one.text.includes('torchrun') && !one.notes.some((n) => n.includes('torchrun')));
});

test('lightning: one device has no strategy line', () => {
  const text = exportPlan('lightning', { ...base, worldSize: 1 }).text;
  assert.match(text, /^ {2}devices: 1$/m);
  assert.ok(!text.includes('strategy'));
});

test('lightning: Adam, RMSprop (alpha = rho), Adagrad and Nesterov arguments, as PyYAML reads them', () => {
  const optimizer = (plan: TrainingPlan) => parseLightningConfig(exportPlan('lightning', plan).text).optimizer;
  assert.deepEqual(optimizer({ ...base, optimizer: 'adam', hyper: { lr: 0.001, eps: 1e-8, weightDecay: 0.0005 } }), {
    class_path: 'torch.optim.Adam',
    init_args: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.0005 },
  });
  assert.deepEqual(optimizer({ ...base, optimizer: 'rmsprop', hyper: { lr: 0.0005, rho: 0.95 } }), {
    class_path: 'torch.optim.RMSprop',
    init_args: { lr: 0.0005, alpha: 0.95, eps: 1e-8, weight_decay: 0 },
  });
  assert.deepEqual(optimizer({ ...base, optimizer: 'adagrad', hyper: { lr: 0.02 } }), { class_path: 'torch.optim.Adagrad', init_args: { lr: 0.02, eps: 1e-10, weight_decay: 0 } });
  assert.equal(optimizer({ ...base, optimizer: 'nesterov' }).init_args['nesterov'], true);
  // What the check above guards: `eps: 1e-8` would reach torch as the string "1e-8".
  assert.throws(() => parseLightningConfig('optimizer:\n  class_path: torch.optim.Adam\n  init_args:\n    eps: 1e-8\n'), /PyYAML reads 1e-8 as a string/);
});

test('lightning: every optimizer block is one torch builds, Nesterov without momentum as plain SGD', () => {
  const plans: TrainingPlan[] = [
    { ...base, optimizer: 'sgd' },
    { ...base, optimizer: 'momentum', hyper: { lr: 0.1, momentum: 0 } },
    { ...base, optimizer: 'nesterov', hyper: { lr: 0.1, momentum: 0.95 } },
    { ...base, optimizer: 'nesterov', hyper: { lr: 0.1, momentum: 0 } },
    { ...base, optimizer: 'adam', hyper: { lr: 0.001, beta1: 0.8 } },
    { ...base, optimizer: 'rmsprop', hyper: { lr: 0.001 } },
    { ...base, optimizer: 'adagrad', hyper: { lr: 0.01 } },
    { ...base, optimizer: 'rprop', hyper: { lr: 0.001 } },
  ];
  for (const plan of plans) parseLightningConfig(exportPlan('lightning', { ...plan, schedule: { kind: 'cosine', minLr: 0 } }).text);
  const plain = parseLightningConfig(exportPlan('lightning', { ...base, optimizer: 'nesterov', hyper: { lr: 0.1, momentum: 0 } }).text).optimizer;
  assert.deepEqual(plain, { class_path: 'torch.optim.SGD', init_args: { lr: 0.1, momentum: 0, weight_decay: 0 } });
});

test('lightning: cosine and step schedules step per epoch', () => {
  const scheduler = (plan: TrainingPlan) => parseLightningConfig(exportPlan('lightning', plan).text).lr_scheduler;
  const cos = exportPlan('lightning', { ...base, schedule: { kind: 'cosine', minLr: 1e-5 } });
  assert.deepEqual(parseLightningConfig(cos.text).lr_scheduler, { class_path: 'torch.optim.lr_scheduler.CosineAnnealingLR', init_args: { T_max: 10, eta_min: 1e-5 } });
  assert.ok(cos.notes.some((n) => n.includes('staircase of 10 steps')));
  // 107 updates per epoch: every 214 updates is exactly 2 epochs.
  const exact = exportPlan('lightning', { ...base, schedule: { kind: 'step', everySteps: 214, gamma: 0.5 } });
  assert.deepEqual(parseLightningConfig(exact.text).lr_scheduler, { class_path: 'torch.optim.lr_scheduler.StepLR', init_args: { step_size: 2, gamma: 0.5 } });
  assert.ok(!exact.notes.some((n) => n.includes('rounded')));
  const rounded = exportPlan('lightning', { ...base, schedule: { kind: 'step', everySteps: 300, gamma: 0.5 } });
  assert.equal(parseLightningConfig(rounded.text).lr_scheduler!.init_args['step_size'], 3);
  assert.ok(rounded.notes.some((n) => n.includes('2.804 epochs') && n.includes('rounded to step_size 3')));
  const warm = exportPlan('lightning', { ...base, warmupSteps: 50 });
  assert.equal(scheduler({ ...base, warmupSteps: 50 }), undefined);
  assert.ok(warm.notes.some((n) => n.includes('50 warm-up updates run at the full lr')));
});

test('lightning: torch.optim.Rprop for rprop, with no scheduler', () => {
  const e = exportPlan('lightning', { ...base, optimizer: 'rprop', hyper: { lr: 0.001 }, schedule: { kind: 'cosine', minLr: 0 } });
  const c = parseLightningConfig(e.text);
  assert.deepEqual(c.optimizer, { class_path: 'torch.optim.Rprop', init_args: { lr: 0.001, etas: [0.5, 1.2], step_sizes: [1e-6, 50] } });
  assert.equal(c.lr_scheduler, undefined);
  assert.ok(e.notes.some((n) => n.includes('ignores the schedule')));
});

test('lightning: iRprop+ and Rprop with weight decay are refused', () => {
  assert.throws(() => exportPlan('lightning', { ...base, optimizer: 'irprop+' }), (e: unknown) => e instanceof UserError && /--export lightning cannot express --optimizer irprop\+: .*; use --optimizer rprop$/.test(e.message));
  assert.throws(() => exportPlan('lightning', { ...base, optimizer: 'rprop', hyper: { weightDecay: 0.01 } }), (e: unknown) => e instanceof UserError && e.message.includes('--weight-decay 0.01'));
});

test('yamlNumber: floats PyYAML reads as floats', () => {
  assert.equal(yamlNumber(1e-8), '1.0e-8');
  assert.equal(yamlNumber(1.5e-7), '1.5e-7');
  assert.equal(yamlNumber(1e21), '1.0e+21');
  assert.equal(yamlNumber(0.1), '0.1');
  assert.equal(yamlNumber(50), '50');
});
