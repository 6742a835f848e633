import assert from 'node:assert/strict';
import test from 'node:test';
import { Interrupted } from '../errors.js';
import type { NoiseMeasurement, NoisePoint } from '../noise/measure.js';
import { blobs } from '../testing/blobs.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';
import { measureKeptPoints, noiseMeasured, pointsAtMost, runPilot } from './pilot.js';

const data = blobs(240, 6, 3, 5);
const base = blobsRunConfig({ hyper: { lr: 0.05 } });
// 30 updates an epoch at batch 8, a validation every 8 and at each epoch's end.
const o = { batchSize: 8, lr: 0.05, targetAccuracy: 0.99, maxEpochs: 5, maxSeconds: Infinity, maxSteps: 40, evalsPerEpoch: 4, noiseEvery: 2, noise: { bSmall: 8, bBig: 64, rounds: 3 } };
const values = (ms: readonly NoiseMeasurement[]) => ms.map(({ seconds: _s, ...m }) => m);

test('a pilot that defers its noise trains the same run, and its kept points measure exactly what it would have measured as it went', async () => {
  const inline = await runPilot(base, data, o);
  assert.deepEqual(inline.measurements.map((m) => m.step), [0, 16, 30, 40], 'step 0 and every second validation, an epoch\'s end validating too');
  const points: NoisePoint[] = [];
  const deferred = await runPilot(base, data, { ...o, deferNoise: (at) => points.push(at) });
  assert.equal(noiseMeasured(deferred), false);
  assert.deepEqual([deferred.measurements, deferred.segments], [[], []]);
  assert.deepEqual(deferred.evaluations, inline.evaluations, 'measuring leaves the run as it was');
  assert.deepEqual(points.map((p) => p.step), [0, 16, 30, 40]);
  // The memory check's count may be more than the points kept, never fewer: 40 updates give 5 validations by
  // the clock and 2 epochs' ends, every second one measured, and step 0 and the target.
  assert.equal(pointsAtMost(30, o), 2 + Math.floor((5 + 2) / 2));
  assert.ok(pointsAtMost(30, o) >= points.length);
  assert.equal(pointsAtMost(30, { evalsPerEpoch: 4, noiseEvery: 2, maxEpochs: 0.5 }), 2 + Math.floor((1 + 1) / 2));
  // The copies are the parameters of that step, not a view of the trainer's changing ones.
  assert.notDeepEqual(points[0]!.params, points[2]!.params);
  const heard: number[] = [];
  const measured = await measureKeptPoints(base, data, deferred, points, { ...o, onMeasurement: (m) => heard.push(m.step) });
  assert.ok(noiseMeasured(measured));
  assert.deepEqual(values(measured.measurements), values(inline.measurements));
  assert.deepEqual(measured.segments, inline.segments);
  assert.deepEqual(heard, [0, 16, 30, 40]);
  await assert.rejects(measureKeptPoints(base, data, deferred, points, { ...o, shouldStop: () => true }), Interrupted, 'Ctrl-C stops it between points');
  assert.deepEqual({ ...measured, measurements: [], trainSeconds: 0, setupSeconds: 0, warmupSeconds: 0, validationSeconds: 0 }, { ...inline, measurements: [], trainSeconds: 0, setupSeconds: 0, warmupSeconds: 0, validationSeconds: 0 });
});
