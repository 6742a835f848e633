import test from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../errors.js';
import { DType, GraphBuilder, encodeModel } from '../graph/builder.js';
import { createSession, floatTensor, runFloat } from '../engine/ort.js';
import { ADAGRAD_EPS, OPTIMIZER_NAMES, defaultHyper, makeOptimizer, resolveHyper } from './registry.js';
import { emitGradWithDecay } from './weight-decay.js';

test('every name makes an optimizer of that name with the documented flags', () => {
  assert.deepEqual([...OPTIMIZER_NAMES], ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adagrad', 'rprop', 'irprop+']);
  for (const name of OPTIMIZER_NAMES) {
    const opt = makeOptimizer(name, {});
    assert.equal(opt.name, name);
    assert.equal(opt.fullBatchOnly, name === 'irprop+', `${name}.fullBatchOnly`);
    assert.equal(opt.usesLearningRate, !name.includes('rprop'), `${name}.usesLearningRate`);
    assert.equal(opt.globals.length, name === 'irprop+' ? 1 : 0);
    assert.equal(opt.updateGlobals !== undefined, name === 'irprop+');
    for (const s of opt.slots) assert.ok(Number.isFinite(opt.slotInit(s)));
    assert.throws(() => opt.slotInit('nope'), /internal error/);
  }
});

test('defaults, AdaGrad ε, Rprop Δ₀ = lr, iRprop+ previous loss starts huge', () => {
  assert.deepEqual(
    { ...defaultHyper },
    { lr: 0.01, momentum: 0.9, beta1: 0.9, beta2: 0.999, rho: 0.9, eps: 1e-8, weightDecay: 0, etaPlus: 1.2, etaMinus: 0.5, stepMin: 1e-6, stepMax: 50 },
  );
  assert.equal(makeOptimizer('adam', {}).hyper.eps, 1e-8);
  assert.equal(makeOptimizer('rmsprop', {}).hyper.eps, 1e-8);
  assert.equal(makeOptimizer('adagrad', {}).hyper.eps, ADAGRAD_EPS);
  assert.equal(ADAGRAD_EPS, 1e-10);
  assert.equal(makeOptimizer('adagrad', { eps: 1e-6 }).hyper.eps, 1e-6);
  assert.equal(makeOptimizer('rprop', { lr: 0.3 }).slotInit('step'), 0.3);
  assert.equal(makeOptimizer('irprop+', { lr: 0.3 }).slotInit('step'), 0.3);
  assert.ok(makeOptimizer('irprop+', {}).globalInit('lossPrev') >= 3.4e38);
  // An absent CLI flag arrives as undefined and means "the default".
  assert.equal(resolveHyper('momentum', { momentum: undefined, lr: 0.2 }).momentum, 0.9);
  assert.equal(resolveHyper('momentum', { momentum: 0, lr: 0.2 }).momentum, 0);
});

test('an unknown optimizer name is a UserError naming it and listing the valid names', () => {
  assert.throws(
    () => makeOptimizer('adamw', {}),
    (e: unknown) =>
      e instanceof UserError && e.message.includes('"adamw"') && OPTIMIZER_NAMES.every((n) => e.message.includes(n)),
  );
});

test('hyper-parameters out of range are UserErrors naming the flag and the value', () => {
  const cases: [Parameters<typeof makeOptimizer>[1], string][] = [
    [{ momentum: 1.5 }, '--momentum must be in [0, 1), got 1.5'],
    [{ momentum: 1 }, '--momentum must be in [0, 1), got 1'],
    [{ momentum: -0.1 }, '--momentum must be in [0, 1), got -0.1'],
    [{ lr: 0 }, '--lr must be a finite number > 0, got 0'],
    [{ lr: -1 }, '--lr must be a finite number > 0, got -1'],
    [{ lr: Infinity }, '--lr must be a finite number > 0, got Infinity'],
    [{ lr: NaN }, '--lr must be a finite number > 0, got NaN'],
    [{ beta1: 1 }, '--beta1 must be in [0, 1), got 1'],
    [{ beta2: 2 }, '--beta2 must be in [0, 1), got 2'],
    [{ rho: 1 }, '--rho must be in [0, 1), got 1'],
    [{ eps: 0 }, '--eps must be a finite number > 0, got 0'],
    [{ weightDecay: -0.01 }, '--weight-decay must be a finite number >= 0, got -0.01'],
    [{ etaPlus: 1 }, '--eta-plus must be a finite number > 1, got 1'],
    [{ etaMinus: 1 }, '--eta-minus must be in (0, 1), got 1'],
    [{ stepMin: 0 }, '--step-min must be a finite number > 0, got 0'],
    [{ stepMax: 1e-7 }, '--step-max must be a finite number >= --step-min (0.000001), got 1e-7'],
  ];
  for (const [partial, message] of cases) {
    assert.throws(() => makeOptimizer('adam', partial), (e: unknown) => e instanceof UserError && e.message === message, message);
  }
  assert.doesNotThrow(() => makeOptimizer('adam', { momentum: 0, beta1: 0, beta2: 0, weightDecay: 0 }));
});

test('weight decay: g + λθ in the graph, and no op at all for λ = 0', async () => {
  const g = new GraphBuilder('wd');
  const grad = g.input('grad', DType.float, [3]);
  const param = g.input('param', DType.float, [3]);
  assert.equal(emitGradWithDecay(g, grad, param, 0), grad);
  assert.equal(g.nodes.length, 0);
  g.identity(emitGradWithDecay(g, grad, param, 0.01), 'out');
  g.output('out', DType.float, [3]);
  const session = await createSession(encodeModel(g.build()), { threads: 1 });
  const out = await runFloat(session, {
    grad: floatTensor(Float32Array.of(1, -2, 0), [3]),
    param: floatTensor(Float32Array.of(10, 5, -100), [3]),
  });
  assert.deepEqual([...out['out']!], [1.1, -1.95, -1].map(Math.fround));
  await session.release();
});
