/**
 * The shared suite: every optimizer's emitted update, run step by step in onnxruntime with its
 * outputs fed back, against an independent plain-JS (float64) reference of the same rule.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { FusedUpdateRunner, UpdateRunner, close, type OptState } from '../testing/optimizer-harness.js';
import { OPTIMIZER_NAMES, makeOptimizer, type OptimizerName } from './registry.js';
import type { Hyper } from './optimizer.js';

interface RefState {
  param: number[];
  slots: number[][];
  globals: number[];
}
type RefStep = (s: RefState, g: number[], lr: number, t: number, loss: number) => RefState;

/** Per-element map over the parameter and its slots. */
const each = (s: RefState, g: number[], f: (theta: number, g: number, slots: number[]) => [number, ...number[]]) => {
  const rows = s.param.map((theta, i) => f(theta, g[i]!, s.slots.map((sl) => sl[i]!)));
  return { param: rows.map((r) => r[0]), slots: s.slots.map((_, j) => rows.map((r) => r[j + 1]!)) };
};
const sign = Math.sign;

/** Counts of the two iRprop+ branches at a sign flip, to check both ran. */
const branches = { reverted: 0, kept: 0 };

const REFS: Record<OptimizerName, { slots: string[]; init: (h: Hyper) => number[]; globals?: number[]; step: (h: Hyper) => RefStep }> = {
  sgd: { slots: [], init: () => [], step: () => (s, g, lr) => ({ ...each(s, g, (th, gi) => [th - lr * gi]), globals: [] }) },
  momentum: {
    slots: ['velocity'],
    init: () => [0],
    step: (h) => (s, g, lr) => ({
      ...each(s, g, (th, gi, [v]) => {
        const v1 = h.momentum * v! + gi;
        return [th - lr * v1, v1];
      }),
      globals: [],
    }),
  },
  nesterov: {
    slots: ['velocity'],
    init: () => [0],
    step: (h) => (s, g, lr) => ({
      ...each(s, g, (th, gi, [v]) => {
        const v1 = h.momentum * v! + gi;
        return [th - lr * (gi + h.momentum * v1), v1];
      }),
      globals: [],
    }),
  },
  rmsprop: {
    slots: ['sqAvg'],
    init: () => [0],
    step: (h) => (s, g, lr) => ({
      ...each(s, g, (th, gi, [sq]) => {
        const s1 = h.rho * sq! + (1 - h.rho) * gi * gi;
        return [th - (lr * gi) / (Math.sqrt(s1) + h.eps), s1];
      }),
      globals: [],
    }),
  },
  adam: {
    slots: ['m', 'v'],
    init: () => [0, 0],
    step: (h) => (s, g, lr, t) => ({
      ...each(s, g, (th, gi, [m, v]) => {
        const m1 = h.beta1 * m! + (1 - h.beta1) * gi;
        const v1 = h.beta2 * v! + (1 - h.beta2) * gi * gi;
        const mHat = m1 / (1 - h.beta1 ** t);
        const vHat = v1 / (1 - h.beta2 ** t);
        return [th - (lr * mHat) / (Math.sqrt(vHat) + h.eps), m1, v1];
      }),
      globals: [],
    }),
  },
  adagrad: {
    slots: ['sumSq'],
    init: () => [0],
    step: (h) => (s, g, lr) => ({
      ...each(s, g, (th, gi, [sum]) => {
        const s1 = sum! + gi * gi;
        return [th - (lr * gi) / (Math.sqrt(s1) + h.eps), s1];
      }),
      globals: [],
    }),
  },
  rprop: {
    slots: ['gradPrev', 'step'],
    init: (h) => [0, h.lr],
    step: (h) => (s, g) => ({
      ...each(s, g, (th, gi, [gp, d]) => {
        let step = d!;
        let gEff = gi;
        if (gi * gp! > 0) step = Math.min(step * h.etaPlus, h.stepMax);
        else if (gi * gp! < 0) {
          step = Math.max(step * h.etaMinus, h.stepMin);
          gEff = 0;
        }
        return [th - sign(gEff) * step, gEff, step];
      }),
      globals: [],
    }),
  },
  'irprop+': {
    slots: ['gradPrev', 'step', 'change'],
    init: (h) => [0, h.lr, 0],
    globals: [Infinity],
    step: (h) => (s, g, _lr, _t, loss) => {
      const lossRose = loss > s.globals[0]!;
      return {
        ...each(s, g, (th, gi, [gp, d, dw]) => {
          let step = d!;
          let change: number;
          let gEff = gi;
          if (gi * gp! < 0) {
            step = Math.max(step * h.etaMinus, h.stepMin);
            change = lossRose ? -dw! : 0;
            branches[lossRose ? 'reverted' : 'kept']++;
            gEff = 0;
          } else {
            if (gi * gp! > 0) step = Math.min(step * h.etaPlus, h.stepMax);
            change = -sign(gi) * step;
          }
          return [th + change, gEff, step, change];
        }),
        globals: [loss],
      };
    },
  },
};

// Four weights over eight updates: sign flips (weights 0 and 2, every step for 2), a zero
// gradient (weight 1), a constant sign (weight 3), magnitudes from 0.01 to 5.
const GRADS = [
  [1.0, -2.0, 0.01, 5],
  [0.5, -1.5, -0.02, 4],
  [-0.3, -1.0, 0.03, 3],
  [-0.8, -0.2, -0.04, 3],
  [0.2, -0.05, 0.05, 2],
  [2.0, 0.0, -0.06, 1],
  [-1.5, -0.1, 0.07, 0.5],
  [0.7, 0.3, -0.08, 0.25],
];
// Rises at steps 2, 4 and 7 and falls otherwise, so iRprop+ both reverts and keeps at flips.
const LOSSES = [1.0, 1.2, 0.9, 0.95, 0.7, 0.6, 0.65, 0.5];
const THETA0 = [1.5, -2, 0.5, 3];
// A schedule-like varying learning rate (ignored by Rprop, whose Δ₀ is hyper.lr = 0.1).
const LRS = [0.1, 0.1, 0.08, 0.08, 0.05, 0.05, 0.03, 0.03];

function assertStateClose(got: OptState, want: RefState, where: string): void {
  const check = (a: ArrayLike<number>, b: number[], what: string) => {
    assert.equal(a.length, b.length, `${where} ${what} length`);
    for (let i = 0; i < b.length; i++) {
      assert.ok(close(a[i]!, b[i]!), `${where} ${what}[${i}]: graph ${a[i]} vs reference ${b[i]}`);
    }
  };
  check(got.param, want.param, 'param');
  want.slots.forEach((s, j) => check(got.slots[j]!, s, `slot ${j}`));
  check(got.globals, want.globals, 'globals');
}

for (const name of OPTIMIZER_NAMES) {
  test(`${name}: graph update matches the JS reference over ${GRADS.length} steps`, async () => {
    const opt = makeOptimizer(name, { lr: 0.1 });
    const ref = REFS[name];
    assert.equal(opt.name, name);
    assert.deepEqual(opt.slots, ref.slots);
    assert.equal(opt.globals.length, (ref.globals ?? []).length);
    const runner = await UpdateRunner.create(opt, THETA0.length);
    let got = runner.init(THETA0);
    const inits = ref.init(opt.hyper);
    let want: RefState = { param: [...THETA0], slots: inits.map((v) => THETA0.map(() => v)), globals: ref.globals ?? [] };
    assertStateClose(got, { ...want, globals: want.globals.map((v) => (v === Infinity ? 3.4e38 : v)) }, 'init');
    const refStep = ref.step(opt.hyper);
    for (let k = 0; k < GRADS.length; k++) {
      const feed = { grad: GRADS[k]!, lr: LRS[k]!, t: k + 1, loss: LOSSES[k]! };
      got = await runner.step(got, feed);
      want = refStep(want, feed.grad, feed.lr, feed.t, feed.loss);
      assertStateClose(got, want, `step ${k + 1}`);
    }
    await runner.release();
    if (name === 'irprop+') {
      // Both branches at a sign flip ran: revert on a loss rise, keep otherwise.
      assert.ok(branches.reverted > 0 && branches.kept > 0, JSON.stringify(branches));
    }
  });
}

// The trainer fuses SGD's and heavy-ball momentum's first stage into the backward Gemm (without
// accumulation or weight decay): that path must follow the same reference, step for step.
const FUSED = OPTIMIZER_NAMES.filter((name) => makeOptimizer(name, { lr: 0.1 }).fused !== undefined);

test('the fused optimizers are SGD and heavy-ball momentum', () => {
  assert.deepEqual(FUSED, ['sgd', 'momentum']);
});

for (const name of FUSED) {
  test(`${name}, fused into the backward pass (weight Gemm and bias): matches the JS reference over ${GRADS.length} steps`, async () => {
    const opt = makeOptimizer(name, { lr: 0.1 });
    const ref = REFS[name];
    const runner = await FusedUpdateRunner.create(opt, THETA0.length);
    let got: OptState = { param: Float32Array.from(THETA0), slots: opt.slots.map((s) => new Float32Array(THETA0.length).fill(opt.slotInit(s))), globals: [] };
    let want: RefState = { param: [...THETA0], slots: ref.init(opt.hyper).map((v) => THETA0.map(() => v)), globals: [] };
    const refStep = ref.step(opt.hyper);
    for (let k = 0; k < GRADS.length; k++) {
      const feed = { grad: GRADS[k]!, lr: LRS[k]!, t: k + 1, loss: LOSSES[k]! };
      const step = await runner.step(got, feed);
      want = refStep(want, feed.grad, feed.lr, feed.t, feed.loss);
      assertStateClose(step.viaWeight, want, `step ${k + 1} (weight)`);
      assertStateClose(step.viaBias, want, `step ${k + 1} (bias)`);
      got = step.viaWeight;
    }
    await runner.release();
  });
}
