import assert from 'node:assert/strict';
import test from 'node:test';
import { prepareTrainer } from '../engine/run.js';
import type { RunConfig } from '../engine/run-config.js';
import { UserError } from '../errors.js';
import { PRESETS } from '../model/presets.js';
import { modelSpecSchema } from '../model/spec.js';
import { parseSchedule } from '../optim/schedule.js';
import { blobs } from '../testing/blobs.js';
import { measureNoiseScale, noiseAlongTraining } from './measure.js';

const blobConfig: RunConfig = {
  modelName: 'small',
  model: modelSpecSchema.parse({ layers: [{ type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dense', units: 3 }] }),
  dataset: 'blobs',
  validationFraction: 0,
  testFraction: 0,
  batchSize: 10,
  iterSize: 1,
  optimizer: 'momentum',
  hyper: { lr: 0.02 },
  schedule: parseSchedule('cosine'),
  warmupSteps: 0,
  epochs: 3,
  seed: 2,
  threads: 1,
};

test('along training: measured at step 0, every `every` updates and at the end, without disturbing training', async () => {
  const data = blobs(200);
  const seen: number[] = [];
  const opts = { every: 25, bSmall: 4, bBig: 32, rounds: 3, seed: 6, data, onMeasurement: (m: { step: number }) => seen.push(m.step) };
  const { measurements, divergedAtStep } = await noiseAlongTraining(blobConfig, opts);
  assert.equal(divergedAtStep, null);
  // 3 epochs of 20 updates: 60 steps; an epoch boundary (20, 40) inside a chunk is crossed.
  assert.deepEqual(measurements.map((m) => m.step), [0, 25, 50, 60]);
  assert.deepEqual(seen, [0, 25, 50, 60]);
  assert.deepEqual(measurements.map((m) => m.epochs), [0, 1.25, 2.5, 3]);
  assert.ok(measurements.every((m) => m.rounds === 3 && m.bSmall === 4 && m.bBig === 32 && m.bSimpleLow <= m.bSimple && m.bSimple <= m.bSimpleHigh));

  // The same run trained without measuring ends at the same weights: the last measurement repeats exactly.
  const t = await prepareTrainer(blobConfig, data);
  while (t.state.step < 60) await t.runUpdates(t.stepsLeftInEpoch);
  const again = await measureNoiseScale(t, { bSmall: 4, bBig: 32, rounds: 3, seed: 6 });
  await t.release();
  const last = measurements[3]!;
  assert.deepEqual({ ...again, seconds: 0 }, { ...last, seconds: 0 });
  assert.ok(measurements[3]!.trainLoss < measurements[0]!.trainLoss);

  const shorter = await noiseAlongTraining(blobConfig, { ...opts, maxSteps: 10, onMeasurement: () => {} });
  assert.deepEqual(shorter.measurements.map((m) => m.step), [0, 10]);
  assert.deepEqual({ ...shorter.measurements[0]!, seconds: 0 }, { ...measurements[0]!, seconds: 0 }, 'deterministic');
});

test('bad measurement settings are refused with the value and the fix', async () => {
  const data = blobs(200);
  const base = { every: 25, data };
  await assert.rejects(noiseAlongTraining(blobConfig, { ...base, bSmall: 4, bBig: 30 }), (e) => e instanceof UserError && /bBig must be a multiple of bSmall 4.*got 30/.test(e.message));
  await assert.rejects(noiseAlongTraining(blobConfig, { ...base, rounds: 1 }), (e) => e instanceof UserError && /rounds must be a whole number ≥ 2.*got 1/.test(e.message));
  await assert.rejects(noiseAlongTraining(blobConfig, { ...base, every: 0 }), (e) => e instanceof UserError && /every must be a whole number of updates ≥ 1, got 0/.test(e.message));
});

/** The claim on real data: B_simple grows as the loss falls (McCandlish et al., Fig. 4). */
test('MNIST mlp: B_simple after 200 momentum updates is clearly above B_simple at initialisation', async () => {
  const config: RunConfig = { ...blobConfig, modelName: 'mlp', model: PRESETS['mlp']!, dataset: 'mnist', validationFraction: 1 / 12, testFraction: 0.1, batchSize: 32, epochs: 2, seed: 1, threads: 2 };
  const { measurements: [init, later] } = await noiseAlongTraining(config, { every: 200, maxSteps: 200, rounds: 4, seed: 1 });
  assert.equal(later!.step, 200);
  assert.ok(later!.trainLoss < init!.trainLoss / 3, `loss ${init!.trainLoss} → ${later!.trainLoss}`);
  // Measured: about 55 [52, 59] at step 0 and 550 [440, 690] at step 200 (90% intervals).
  assert.ok(init!.bSimple > 20 && init!.bSimple < 150, `B_simple at init ${init!.bSimple}`);
  assert.ok(later!.bSimpleLow > 3 * init!.bSimpleHigh, `B_simple ${init!.bSimple} [${init!.bSimpleLow}, ${init!.bSimpleHigh}] → ${later!.bSimple} [${later!.bSimpleLow}, ${later!.bSimpleHigh}]`);
});
