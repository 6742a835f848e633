/**
 * Every optimizer minimises the ill-conditioned quadratic f(x, y) = ½(x² + 10y²) from (1, 1):
 * full-batch gradients, the emitted update run in onnxruntime, f below 1e-3 within 300 steps.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { UpdateRunner } from '../testing/optimizer-harness.js';
import { OPTIMIZER_NAMES, makeOptimizer, type OptimizerName } from './registry.js';

const f = (x: number, y: number) => 0.5 * (x * x + 10 * y * y);

/** A learning rate that suits each method on this problem (for Rprop, the initial step Δ₀). */
const LR: Record<OptimizerName, number> = {
  sgd: 0.15,
  momentum: 0.05,
  nesterov: 0.05,
  rmsprop: 0.01,
  adam: 0.05,
  adagrad: 0.5,
  rprop: 0.1,
  'irprop+': 0.1,
};
const STEPS = 300;

for (const name of OPTIMIZER_NAMES) {
  test(`${name} (lr ${LR[name]}) minimises ½(x² + 10y²) from (1, 1) to below 1e-3 in ${STEPS} steps`, async () => {
    const runner = await UpdateRunner.create(makeOptimizer(name, { lr: LR[name] }), 2);
    let s = runner.init([1, 1]);
    let best = Infinity;
    for (let t = 1; t <= STEPS; t++) {
      const x = s.param[0]!;
      const y = s.param[1]!;
      best = Math.min(best, f(x, y));
      s = await runner.step(s, { grad: [x, 10 * y], t, loss: f(x, y) });
    }
    await runner.release();
    const final = f(s.param[0]!, s.param[1]!);
    if (process.env['OPTIM_VERBOSE']) console.log(name, 'final', final, 'best', best);
    assert.ok(final < 1e-3, `${name}: f = ${final} after ${STEPS} steps (best seen ${best})`);
  });
}
