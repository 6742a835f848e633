import assert from 'node:assert/strict';
import test from 'node:test';
import { batchAlongTraining } from './batch-plots.js';

type Layer = { data: { values: Record<string, unknown>[] } };

test('batch along training: each change as a step, held to the run’s end; the noise scale only where one was measured', () => {
  const plot = batchAlongTraining(
    [
      { step: 0, examples: 0, microBatch: 32, iterSize: 1, lr: 0.01, bNoise: NaN, reason: 'start' },
      { step: 100, examples: 3200, microBatch: 32, iterSize: 2, lr: 0.018, bNoise: 210, reason: 'goodput: larger' },
    ],
    9600,
  );
  const [top, bottom] = (plot.spec as unknown as { vconcat: [{ layer: Layer[] }, Layer] }).vconcat;
  assert.deepEqual(top.layer[0]!.data.values.map((v) => [v['examples'], v['batch'], v['split']]), [[0, 32, '32 × 1'], [3200, 64, '32 × 2'], [9600, 64, '32 × 2']]);
  assert.deepEqual(top.layer[1]!.data.values.map((v) => v['bNoise']), [210]);
  assert.deepEqual(bottom.data.values.map((v) => v['lr']), [0.01, 0.018, 0.018]);
});
