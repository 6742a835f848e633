import assert from 'node:assert/strict';
import test from 'node:test';
import { pathFigures } from './path.js';
import { contour, ellipseProblem, excessLoss, TRUE_WEIGHTS } from './problem.js';
import { runPath, runZigzag, startPoint, ZIGZAG_DEFAULTS } from './zigzag.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('the synthetic problem has the asked condition number, angle, optimum and residual', () => {
  const p = ellipseProblem({ condition: 25, angleDeg: -30, examples: 50, noise: 0.4, seed: 3 });
  close(p.eigenvalues.steep, 1, 1e-5, 'λ_max');
  close(p.eigenvalues.steep / p.eigenvalues.flat, 25, 1e-3, 'κ');
  close(p.optimum[0], TRUE_WEIGHTS[0], 1e-5, 'w*₁');
  close(p.optimum[1], TRUE_WEIGHTS[1], 1e-5, 'w*₂');
  close(p.minLoss, 0.4 ** 2 / 2, 1e-5, 'L* = σ²/2');
  // The long axis points at −30°: the loss rises 25× slower along it than across it.
  const along = excessLoss(p, [p.optimum[0] + Math.cos(-Math.PI / 6), p.optimum[1] + Math.sin(-Math.PI / 6)]);
  const across = excessLoss(p, [p.optimum[0] - Math.sin(-Math.PI / 6), p.optimum[1] + Math.cos(-Math.PI / 6)]);
  close(across / along, 25, 1e-2, 'curvature ratio');
  for (const w of contour(p, 0.3, 16)) close(excessLoss(p, w), 0.3, 1e-9, 'contour level');
});

test('path figures: a straight path has ratio 1 and no reversal; a zig-zag counts each turn back', () => {
  const straight = pathFigures([[0, 0], [1, 0], [2, 0], [3, 0]], [3, 0], 1);
  assert.deepEqual([straight.lengthOverDisplacement, straight.reversals, straight.finalDistance], [1, 0, 0]);
  const zig = pathFigures([[0, 0], [2, 1], [0, 2], [2, 3], [0, 4]], [0, 4], 2);
  assert.deepEqual([zig.reversals, zig.reversalsPerEpoch, zig.displacement], [3, 1.5, 4]);
  close(zig.lengthOverDisplacement, Math.sqrt(5), 1e-12, 'ratio');
});

test('the engine trains the linear neuron: full-batch SGD follows w ← w − η·H(w − w*) exactly', async () => {
  const p = ellipseProblem({ condition: 10, angleDeg: -30, examples: 32, noise: 0.3, seed: 2 });
  const lr = 0.25;
  const { path, trainer } = await runPath(p, 32, 'sgd', lr, 6, 2);
  await trainer.release();
  let w = startPoint(p);
  const [h11, h12, , h22] = p.hessian;
  for (let k = 1; k < path.length; k++) {
    const d = [w[0] - p.optimum[0], w[1] - p.optimum[1]];
    w = [w[0] - lr * (h11 * d[0]! + h12 * d[1]!), w[1] - lr * (h12 * d[0]! + h22 * d[1]!)];
    close(path[k]![0], w[0], 1e-5, `w₁ after ${k}`);
    close(path[k]![1], w[1], 1e-5, `w₂ after ${k}`);
  }
});

test('C5/C6c: at equal examples B = 1 zig-zags (path many times its displacement) and the full batch does not', async () => {
  const r = await runZigzag({ ...ZIGZAG_DEFAULTS, examples: 32, epochs: 4, seed: 1 });
  assert.equal(r.verdict.holds, true, r.verdict.sentence);
  const runs = r.figures['runs'] as { batch: number; updates: number; examplesSeen: number; lengthOverDisplacement: number; reversalsPerEpoch: number; finalExcessLoss: number; path: number[][] }[];
  assert.deepEqual(runs.map((x) => [x.batch, x.updates, x.examplesSeen]), [[1, 128, 128], [8, 16, 128], [32, 4, 128]]);
  const [online, mini, full] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
  assert.ok(online.lengthOverDisplacement > 3 * full.lengthOverDisplacement, `B=1 ${online.lengthOverDisplacement} vs full ${full.lengthOverDisplacement}`);
  assert.ok(online.lengthOverDisplacement > mini.lengthOverDisplacement && mini.lengthOverDisplacement > full.lengthOverDisplacement, 'straighter as B grows');
  assert.equal(full.reversalsPerEpoch, 0);
  assert.ok(online.reversalsPerEpoch > 10, `B=1 reverses ${online.reversalsPerEpoch} times an epoch`);
  // The engine's own evaluation of the final loss agrees with the closed form at the final weights.
  const p = ellipseProblem({ ...ZIGZAG_DEFAULTS, examples: 32, seed: 1 });
  const end = full.path[full.path.length - 1]! as [number, number];
  close(full.finalExcessLoss, excessLoss(p, end), 1e-4, 'L − L* of the full batch');
  assert.deepEqual(r.plots.map((x) => x.name), ['zigzag-paths', 'zigzag-distance']);
});
