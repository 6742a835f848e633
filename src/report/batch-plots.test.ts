import assert from 'node:assert/strict';
import test from 'node:test';
import { autoTrialsAlongTraining, batchAlongTraining } from './batch-plots.js';
import { renderSvg } from './render.js';

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

test('auto trials along training: one line per trial, coloured by its key, each held to its own end; it renders', async () => {
  const start = (lr: number) => ({ step: 0, examples: 0, microBatch: 32, iterSize: 1, lr, bNoise: NaN, reason: 'start' });
  const plot = autoTrialsAlongTraining([
    { label: 'auto-b32-512-lr0.0125-s1', changes: [start(0.0125)], endExamples: 19_264 },
    { label: 'auto-b32-512-lr0.025-s1', changes: [start(0.025), { step: 300, examples: 9_600, microBatch: 128, iterSize: 1, lr: 0.07, bNoise: 900, reason: 'goodput: larger' }], endExamples: 30_336 },
  ]);
  const [top, bottom] = (plot.spec as unknown as { vconcat: [{ layer: (Layer & { encoding: Record<string, unknown> })[] }, Layer & { encoding: Record<string, unknown> }] }).vconcat;
  assert.deepEqual(
    top.layer[0]!.data.values.map((v) => [v['trial'], v['examples'], v['batch']]),
    [['auto-b32-512-lr0.0125-s1', 0, 32], ['auto-b32-512-lr0.0125-s1', 19_264, 32], ['auto-b32-512-lr0.025-s1', 0, 32], ['auto-b32-512-lr0.025-s1', 9_600, 128], ['auto-b32-512-lr0.025-s1', 30_336, 128]],
  );
  const byTrial = { field: 'trial', type: 'nominal', title: 'trial', legend: { labelLimit: 320 } };
  assert.deepEqual([top.layer[0]!.encoding['color'], top.layer[1]!.encoding['color'], bottom.encoding['color']], [byTrial, byTrial, byTrial], 'lines and dots coloured alike');
  assert.deepEqual(top.layer[1]!.data.values.map((v) => v['bNoise']), [900]);
  const svg = await renderSvg(plot.spec);
  assert.match(svg, /auto-b32-512-lr0\.025-s1/, 'the legend names each trial');
});
