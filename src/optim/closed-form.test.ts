/**
 * Optimizers against closed-form trajectories, run in onnxruntime through the emitted update.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { UpdateRunner, close, type OptState } from '../testing/optimizer-harness.js';
import { makeOptimizer } from './registry.js';
import type { PartialHyper } from './registry.js';

/** Run `steps` updates of `name`, with the gradient from `gradOf(θ)`; returns every state. */
async function trajectory(
  name: string,
  hyper: PartialHyper,
  theta0: number[],
  steps: number,
  gradOf: (theta: Float32Array) => number[],
): Promise<OptState[]> {
  const runner = await UpdateRunner.create(makeOptimizer(name, hyper), theta0.length);
  const states = [runner.init(theta0)];
  for (let t = 1; t <= steps; t++) {
    const s = states[t - 1]!;
    states.push(await runner.step(s, { grad: gradOf(s.param), t }));
  }
  await runner.release();
  return states;
}

function assertClose(actual: number, expected: number, what: string, rel = 1e-5): void {
  assert.ok(close(actual, expected, rel), `${what}: got ${actual}, expected ${expected}`);
}

test('sgd on f(θ) = ½aθ² gives θ_t = θ₀(1 − ηa)^t', async () => {
  const a = [2, 0.5, 15];
  const eta = 0.1;
  const theta0 = [1, -3, 0.25];
  const states = await trajectory('sgd', { lr: eta }, theta0, 12, (th) => a.map((ai, i) => ai * th[i]!));
  states.forEach((s, t) =>
    theta0.forEach((th0, i) => assertClose(s.param[i]!, th0 * (1 - eta * a[i]!) ** t, `t=${t} i=${i}`)),
  );
});

test("adam's first step is −η·sign(g)·|g|/(|g| + ε) ≈ −η·sign(g)", async () => {
  const eta = 0.01;
  const eps = 1e-8;
  const g = [3, -0.5, 1e-3, -2e-8];
  const [, s1] = await trajectory('adam', { lr: eta, eps }, [0, 0, 0, 0], 1, () => g);
  g.forEach((gi, i) => {
    assertClose(s1!.param[i]!, (-eta * Math.sign(gi) * Math.abs(gi)) / (Math.abs(gi) + eps), `i=${i}`);
  });
  // Away from |g| ~ ε the step is η in size, whatever |g| is.
  for (let i = 0; i < 3; i++) assertClose(s1!.param[i]!, -eta * Math.sign(g[i]!), `≈ i=${i}`, 1e-4);
});

test('momentum with a constant gradient: θ_t = θ₀ − ηg·Σ_{k=1..t} (1 − μ^k)/(1 − μ)', async () => {
  const eta = 0.05;
  const mu = 0.9;
  const g = [1, -0.25];
  const states = await trajectory('momentum', { lr: eta, momentum: mu }, [2, 2], 15, () => g);
  let sum = 0;
  states.forEach((s, t) => {
    if (t > 0) sum += (1 - mu ** t) / (1 - mu);
    g.forEach((gi, i) => assertClose(s.param[i]!, 2 - eta * gi * sum, `t=${t} i=${i}`));
  });
});

test('nesterov with a constant gradient: each step is η·g·(1 + μ(1 − μ^k)/(1 − μ))', async () => {
  const eta = 0.05;
  const mu = 0.8;
  const states = await trajectory('nesterov', { lr: eta, momentum: mu }, [1], 10, () => [0.5]);
  let theta = 1;
  states.forEach((s, t) => {
    if (t > 0) theta -= eta * 0.5 * (1 + (mu * (1 - mu ** t)) / (1 - mu));
    assertClose(s.param[0]!, theta, `t=${t}`);
  });
});

test('rmsprop with a constant gradient: each step is η·g/(|g|·√(1 − ρ^k) + ε)', async () => {
  const eta = 0.01;
  const rho = 0.9;
  const g = [4, -0.1];
  const states = await trajectory('rmsprop', { lr: eta, rho }, [0, 0], 10, () => g);
  const theta = [0, 0];
  states.forEach((s, t) => {
    g.forEach((gi, i) => {
      if (t > 0) theta[i]! -= (eta * gi) / (Math.abs(gi) * Math.sqrt(1 - rho ** t) + 1e-8);
      assertClose(s.param[i]!, theta[i]!, `t=${t} i=${i}`);
    });
  });
});

test('adagrad with a constant gradient: θ_t = θ₀ − η·Σ_{k=1..t} g/(√k·|g| + ε)', async () => {
  const eta = 0.1;
  const g = [3, -1e-3];
  const states = await trajectory('adagrad', { lr: eta }, [1, 1], 20, () => g);
  const theta = [1, 1];
  states.forEach((s, t) => {
    g.forEach((gi, i) => {
      if (t > 0) theta[i]! -= (eta * gi) / (Math.sqrt(t) * Math.abs(gi) + 1e-10);
      assertClose(s.param[i]!, theta[i]!, `t=${t} i=${i}`);
    });
  });
});

test('iRprop− with a constant-sign gradient grows the step as Δ₀·1.2^(t−1) up to Δmax', async () => {
  const delta0 = 1;
  const stepMax = 5;
  // Magnitudes change every step; only the signs matter.
  const states = await trajectory('rprop', { lr: delta0, stepMax }, [0, 0], 12, (th) => [0.1 + th[0]! ** 2, -3]);
  for (let t = 1; t < states.length; t++) {
    const expected = Math.min(delta0 * 1.2 ** (t - 1), stepMax);
    assertClose(states[t]!.slots[1]![0]!, expected, `Δ at t=${t}`);
    assertClose(states[t]!.param[0]! - states[t - 1]!.param[0]!, -expected, `step of θ₀ at t=${t}`);
    assertClose(states[t]!.param[1]! - states[t - 1]!.param[1]!, expected, `step of θ₁ at t=${t}`);
  }
  assert.equal(states.at(-1)!.slots[1]![0], stepMax, 'Δ capped at Δmax');
});

test('iRprop− at alternating signs: no move at a flip, then the halved step, down to Δmin', async () => {
  // g = +1, −1, +1, −1, …: every even step is a flip (the gradient is then zeroed, so the next
  // step sees g·g_prev = 0 and moves by the current Δ).
  let k = 0;
  const states = await trajectory('rprop', { lr: 1e-5, stepMin: 1e-6 }, [0], 12, () => [k++ % 2 === 0 ? 1 : -1]);
  let delta = 1e-5;
  for (let t = 1; t < states.length; t++) {
    if (t % 2 === 0) delta = Math.max(delta * 0.5, 1e-6);
    const move = states[t]!.param[0]! - states[t - 1]!.param[0]!;
    assertClose(states[t]!.slots[1]![0]!, delta, `Δ at t=${t}`);
    assertClose(move, t % 2 === 0 ? 0 : -delta, `move at t=${t}`, 1e-4);
    assert.equal(states[t]!.slots[0]![0], t % 2 === 0 ? 0 : 1, `g_prev at t=${t}`);
  }
  assert.equal(delta, 1e-6, 'the sequence reached Δmin');
});
