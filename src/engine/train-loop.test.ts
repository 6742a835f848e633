import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { resolveModel } from '../model/model.js';
import { modelSpecSchema } from '../model/spec.js';
import { makeOptimizer } from '../optim/registry.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { blobs } from '../testing/blobs.js';
import type { RunConfig } from './run-config.js';
import { trainLoop, type EvaluationEvent } from './train-loop.js';
import { Trainer, type Evaluation } from './trainer.js';

const spec = modelSpecSchema.parse({ layers: [{ type: 'dense', units: 12 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
const data = blobs(240);

async function make(optimizer = 'adam') {
  const model = resolveModel(spec, data.featureShape, data.numClasses);
  return Trainer.create(model, makeOptimizer(optimizer, { lr: 0.03 }), data, {
    microBatch: 7,
    iterSize: 2,
    seed: 4,
    threads: 1,
    schedule: { kind: 'cosine', totalSteps: 3 * 17, minLr: 0, warmupSteps: 5 },
  });
}

test('evaluates every evalEvery updates and at each epoch end; counts steps and epochs', async () => {
  const t = await make();
  assert.equal(t.stepsPerEpoch, 17);
  const evals: EvaluationEvent[] = [];
  const r = await trainLoop(t, { epochs: 2, evalEvery: 5, onEvaluation: (e) => void evals.push(e) });
  assert.equal(r.status, 'completed');
  assert.equal(r.steps, 34);
  assert.equal(r.epochs, 2);
  assert.deepEqual(evals.map((e) => e.step), [5, 10, 15, 17, 20, 25, 30, 34]);
  assert.ok(r.test !== null && r.test.accuracy > 0.8);
  assert.ok(r.samplesPerSec > 0);
});

test('stops at the target accuracy and reports when it was reached', async () => {
  const t = await make();
  const r = await trainLoop(t, { epochs: 20, evalEvery: 3, targetAccuracy: 0.9 });
  assert.equal(r.status, 'target-reached');
  assert.ok(r.target !== null && r.target.steps === r.steps);
  assert.ok(r.steps % 3 === 0 || r.steps % 17 === 0, `evaluated at step ${r.steps}`);
  assert.ok(r.validation!.accuracy >= 0.9);
});

test('test: false skips the test split and nothing else', async () => {
  const [a, b] = [await make(), await make()];
  const seen: Evaluation[] = [];
  const evaluate = b.evaluate.bind(b);
  b.evaluate = async (split) => {
    const e = await evaluate(split);
    if (split === b.data.test) seen.push(e);
    return e;
  };
  const [ra, rb] = [await trainLoop(a, { epochs: 1, evalEvery: 5 }), await trainLoop(b, { epochs: 1, evalEvery: 5, test: false })];
  assert.equal(rb.test, null);
  assert.equal(seen.length, 0);
  assert.ok(ra.test !== null);
  assert.deepEqual(rb.validation, ra.validation);
  assert.equal(rb.steps, ra.steps);
});

test('stop request ends the loop between runs with status interrupted', async () => {
  const t = await make();
  let polls = 0;
  const r = await trainLoop(t, { epochs: 5, shouldStop: () => ++polls > 3 });
  assert.equal(r.status, 'interrupted');
  assert.ok(r.steps > 0 && r.steps < 85);
});

test('resume is exact: 1 epoch + checkpoint + restore + 2 epochs = 3 epochs straight', async () => {
  const straight = await make();
  await trainLoop(straight, { epochs: 3, evalEvery: 4 });

  const first = await make();
  await trainLoop(first, { epochs: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'bw-ckpt-'));
  const config = { modelName: 'x' } as unknown as RunConfig;
  saveCheckpoint(dir, config, first.snapshot(), data.normalization, Uint8Array.of(1, 2, 3));
  saveCheckpoint(dir, config, first.snapshot(), data.normalization, Uint8Array.of(1, 2, 3));
  assert.deepEqual(readdirSync(dir).sort(), ['checkpoint.json', 'model.onnx', 'state-17.bin']);
  const loaded = loadCheckpoint(dir);
  assert.equal(loaded.meta.step, 17);

  const second = await make();
  second.restore(loaded.state);
  const r = await trainLoop(second, { epochs: 3, evalEvery: 5 });
  assert.equal(r.steps, 51);
  assert.ok(loaded.state.trainSeconds > 0 && loaded.state.trainSeconds === first.state.trainSeconds);
  assert.ok(r.trainSeconds > loaded.state.trainSeconds, 'training time adds up across sessions');
  second.state.params.forEach((p, i) => assert.deepEqual(p, straight.state.params[i]));
  second.state.slots.forEach((ps, i) => ps.forEach((s, j) => assert.deepEqual(s, straight.state.slots[i]![j])));
});

test('a damaged checkpoint is refused with a message naming the file', async () => {
  const t = await make();
  const dir = mkdtempSync(join(tmpdir(), 'bw-ckpt-'));
  saveCheckpoint(dir, {} as RunConfig, t.snapshot(), data.normalization, Uint8Array.of(0));
  const meta = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, meta.stateFile), new Uint8Array(10));
  assert.throws(() => loadCheckpoint(dir), /state-0\.bin: 10 bytes, expected \d+; the checkpoint is damaged/);
  assert.throws(() => loadCheckpoint(join(dir, 'nope')), /--resume .*nope: no such folder/);
});
