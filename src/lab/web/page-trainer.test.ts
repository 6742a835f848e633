import assert from 'node:assert/strict';
import test from 'node:test';
import * as ortWeb from 'onnxruntime-web';
import { Trainer } from '../../engine/trainer.js';
import { resolveModel } from '../../model/model.js';
import { makeOptimizer } from '../../optim/registry.js';
import { blobs } from '../../testing/blobs.js';
import { ellipseProblem } from '../zigzag/problem.js';
import { linearNeuron, problemSplits } from '../zigzag/zigzag.js';
import { PageTrainer, type OrtModule } from './page-trainer.js';

// In Node, onnxruntime-web runs its wasm build from its own package files, single-threaded.
ortWeb.env.wasm.numThreads = 1;
const web = ortWeb as unknown as OrtModule;

function assertClose(a: Float32Array, b: Float32Array, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `${what}[${i}]: web ${a[i]} vs node ${b[i]}`);
}

test('onnxruntime-web on the compiled linear-neuron graph follows the engine on onnxruntime-node, across an epoch boundary', async () => {
  const p = ellipseProblem({ condition: 10, angleDeg: -30, examples: 24, noise: 0.3, seed: 4 });
  const splits = problemSplits(p);
  const engine = await Trainer.create(linearNeuron(), makeOptimizer('sgd', { lr: 0.2 }), splits, { microBatch: 8, iterSize: 1, seed: 4, threads: 1, schedule: { kind: 'constant', warmupSteps: 0 } });
  const page = await PageTrainer.create(web, linearNeuron(), makeOptimizer('sgd', { lr: 0.2 }), { x: p.x, targets: p.t, featureShape: [2], count: 24 }, 8, 4);
  try {
    assertClose(page.state.params[0]!, engine.state.params[0]!, 0, 'initial weights');
    const start = page.state.params[0]!.slice();
    // 3 updates an epoch: 2 runs of one epoch each, then one update at a time into the third.
    for (const count of [3, 3, 1, 1]) {
      const webLosses = await page.runUpdates(count, 0.2);
      const nodeLosses = (await engine.runUpdates(count)).losses;
      assertClose(webLosses, nodeLosses, 1e-5, `losses after step ${engine.state.step}`);
      assertClose(page.state.params[0]!, engine.state.params[0]!, 1e-5, `weights after step ${engine.state.step}`);
    }
    assert.equal(page.state.step, 8);
    // The weights moved: the comparison is not of two untouched starts.
    const moved = Math.hypot(page.state.params[0]![0]! - start[0]!, page.state.params[0]![1]! - start[1]!);
    assert.ok(moved > 0.05, `the weights moved ${moved}`);
    const [we, ne] = [await page.evaluate({ x: p.x, targets: p.t, featureShape: [2], count: 24 }), await engine.evaluate(splits.train)];
    assert.ok(Math.abs(we.loss - ne.loss) < 1e-5, `eval loss web ${we.loss} vs node ${ne.loss}`);
  } finally {
    await Promise.all([page.release(), engine.release()]);
  }
});

test('onnxruntime-web trains an MLP classifier with momentum exactly as the engine does: parameters, slots and accuracy', async () => {
  const data = blobs(48, 6, 3, 2);
  const model = () => resolveModel({ name: 'mlp', input: 'flat', layers: [{ type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dense', units: 3 }] }, [6], 3);
  const engine = await Trainer.create(model(), makeOptimizer('momentum', { lr: 0.1 }), data, { microBatch: 16, iterSize: 1, seed: 7, threads: 1, schedule: { kind: 'constant', warmupSteps: 0 } });
  const split = { x: data.train.x, labels: data.train.y, featureShape: [6], count: data.train.count };
  const page = await PageTrainer.create(web, model(), makeOptimizer('momentum', { lr: 0.1 }), split, 16, 7);
  try {
    const before = await page.evaluate(split);
    for (let k = 0; k < 4; k++) {
      const n = engine.stepsLeftInEpoch;
      assertClose(await page.runUpdates(n, 0.1), (await engine.runUpdates(n)).losses, 1e-4, 'losses');
    }
    engine.state.params.forEach((w, i) => assertClose(page.state.params[i]!, w, 1e-4, `param ${i}`));
    engine.state.slots.forEach((s, i) => assertClose(page.state.slots[i]![0]!, s[0]!, 1e-4, `velocity ${i}`));
    const [we, ne] = [await page.evaluate(split), await engine.evaluate(data.train)];
    assert.ok(Math.abs(we.loss - ne.loss) < 1e-4 && we.accuracy === ne.accuracy, `web ${JSON.stringify(we)} vs node ${JSON.stringify(ne)}`);
    assert.ok(we.loss < before.loss, `training lowered the loss: ${before.loss} → ${we.loss}`);
  } finally {
    await Promise.all([page.release(), engine.release()]);
  }
});

test('one run may cross epochs, each in its own order; restart(seed) makes a trainer what a fresh one for that seed is', async () => {
  const p = ellipseProblem({ condition: 10, angleDeg: -30, examples: 24, noise: 0.3, seed: 4 });
  const split = { x: p.x, targets: p.t, featureShape: [2], count: 24 };
  const model = () => resolveModel({ name: 'mlp', input: 'flat', layers: [{ type: 'dense', units: 4 }, { type: 'relu' }, { type: 'dense', units: 1 }] }, [2], 1, 'squared-error');
  const whole = await PageTrainer.create(web, model(), makeOptimizer('momentum', { lr: 0.05 }), split, 8, 4);
  const pieces = await PageTrainer.create(web, model(), makeOptimizer('momentum', { lr: 0.05 }), split, 8, 9);
  try {
    await pieces.runUpdates(2, 0.05);
    pieces.restart(4);
    assert.equal(pieces.state.step, 0);
    whole.state.params.forEach((w, i) => assertClose(pieces.state.params[i]!, w, 0, `restarted initial param ${i}`));
    // 3 updates an epoch: 7 in one run against 3 + 3 + 1, one epoch a run.
    const one = await whole.runUpdates(7, 0.05);
    const three = [...(await pieces.runUpdates(3, 0.05)), ...(await pieces.runUpdates(3, 0.05)), ...(await pieces.runUpdates(1, 0.05))];
    assertClose(one, Float32Array.from(three), 1e-6, 'losses');
    whole.state.params.forEach((w, i) => assertClose(pieces.state.params[i]!, w, 1e-6, `param ${i}`));
    whole.state.slots.forEach((s, i) => assertClose(pieces.state.slots[i]![0]!, s[0]!, 1e-6, `velocity ${i}`));
    assert.ok(one[6] !== one[0], 'the weights moved');
  } finally {
    await Promise.all([whole.release(), pieces.release()]);
  }
});
