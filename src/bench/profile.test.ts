import test from 'node:test';
import assert from 'node:assert/strict';
import type { DataSplits, Examples } from '../data/dataset.js';
import { modelSpecSchema } from '../model/spec.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';
import { profileTraining } from './profile.js';
import { summarizeProfile, type ProfileEvent } from './profile-table.js';

const node = (name: string, op: string, ts: number, dur: number): ProfileEvent => ({ cat: 'Node', name: `${name}_kernel_time`, ts, dur, args: { op_name: op } });
const run = (ts: number, dur: number): ProfileEvent => ({ cat: 'Session', name: 'model_run', ts, dur });

test('summarizeProfile: per update by op and by layer, warm-up left out, the executor is the Loop minus its kernels', () => {
  const events = [
    run(0, 50),
    node('forward:L0.conv2d/Conv_1', 'Conv', 10, 1000), // warm-up run: left out
    run(100, 300),
    node('n_Gather_9', 'Gather', 101, 4),
    node('n_Loop_8', 'Loop', 110, 200),
    node('forward:L0.conv2d/conv_3_nchwc', 'Conv', 111, 60),
    node('ReorderOutput', 'ReorderOutput', 172, 10),
    node('forward:L1.relu/Relu_4', 'Relu', 183, 6),
    node('loss/Exp_5', 'Exp', 190, 4),
    node('backward:L0.conv2d/Conv_6', 'Conv', 195, 70),
    node('update:L0.conv2d/Sub_7', 'Sub', 266, 10),
  ];
  const p = summarizeProfile(events, { updates: 2, skipRuns: 1, layers: [{ index: 0, type: 'conv2d' }, { index: 1, type: 'relu' }] });
  // Kernels: 4 + 60 + 10 + 6 + 4 + 70 + 10 = 164; inside the Loop 160 of its 200 µs.
  assert.equal(p.microsPerUpdate, (164 + 40) / 2);
  assert.deepEqual(p.byOp.map((r) => [r.opType, r.callsPerUpdate, r.microsPerUpdate]), [
    ['Conv', 1, 65],
    ['(executor, between kernels)', 0, 20],
    ['ReorderOutput', 0.5, 5],
    ['Sub', 0.5, 5],
    ['Relu', 0.5, 3],
    ['Gather', 0.5, 2],
    ['Exp', 0.5, 2],
  ]);
  assert.deepEqual(p.byLayer.map((r) => [r.label, r.forward, r.backward, r.update, r.microsPerUpdate]), [
    ['L0 conv2d', 30, 35, 5, 70],
    ['L1 relu', 3, 0, 0, 3],
    ['loss and its gradient', 0, 0, 0, 2],
    ['batch gather, loop', 0, 0, 0, 2],
    ['inserted by ORT (layout)', 0, 0, 0, 5],
    ['executor, between kernels', 0, 0, 0, 20],
  ]);
  assert.equal(p.byLayer[0]!.share, (100 * 140) / 204);
  assert.equal(p.phaseShare.forward, (100 * 66) / 204);
  assert.equal(p.phaseShare.backward, (100 * 70) / 204);
  assert.equal(p.phaseShare.update, (100 * 10) / 204);
});

test('summarizeProfile: a node naming a layer the model lacks is an error, as is a profile with only warm-up runs', () => {
  const events = [run(0, 10), run(20, 10), node('forward:L5.dense/Gemm_1', 'Gemm', 21, 5)];
  assert.throws(() => summarizeProfile(events, { updates: 1, skipRuns: 1, layers: [{ index: 0, type: 'dense' }] }), /layer 5/);
  assert.throws(() => summarizeProfile(events, { updates: 1, skipRuns: 2, layers: [] }), /2 run\(s\)/);
});

/** 8×8 single-channel images, 3 classes: small enough to profile in well under a second. */
function tinyImages(): DataSplits {
  const examples = (count: number): Examples => ({
    x: Float32Array.from({ length: count * 64 }, (_, i) => ((i * 7919) % 255) / 255 - 0.5),
    y: Int32Array.from({ length: count }, (_, i) => i % 3),
    count,
    featureShape: [1, 8, 8],
  });
  return { name: 'tiny-images', numClasses: 3, featureShape: [1, 8, 8], train: examples(64), validation: examples(0), test: examples(0), normalization: { mean: Float32Array.of(0), std: Float32Array.of(1) } };
}

test('profileTraining on a tiny conv net: a row per layer, time in forward, backward and update, shares summing to 100%', async () => {
  const model = modelSpecSchema.parse({
    input: 'image',
    layers: [{ type: 'conv2d', filters: 2, kernel: 3, padding: 1 }, { type: 'relu' }, { type: 'maxpool2d', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 3 }],
  });
  // Momentum's update (θ − η·v) is a node of its own; SGD's lives inside the backward Gemm.
  const p = await profileTraining(blobsRunConfig({ model, batchSize: 4 }), tinyImages(), { seconds: 0.001, minUpdates: 3 });
  assert.equal(p.updates, 3);
  assert.equal(p.effectiveBatch, 4);
  assert.deepEqual(
    p.byLayer.map((r) => r.label),
    ['L0 conv2d', 'L1 relu', 'L2 maxpool2d', 'L3 flatten', 'L4 dense', 'loss and its gradient', 'batch gather, loop', 'inserted by ORT (layout)', 'executor, between kernels'],
  );
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} ≠ ${b}`);
  near(p.byLayer.reduce((a, r) => a + r.share, 0), 100);
  near(p.byOp.reduce((a, r) => a + r.share, 0), 100);
  near(p.byLayer.reduce((a, r) => a + r.microsPerUpdate, 0), p.microsPerUpdate);
  for (const label of ['L0 conv2d', 'L4 dense']) {
    const r = p.byLayer.find((x) => x.label === label)!;
    assert.ok(r.forward > 0 && r.backward > 0 && r.update > 0, `${label}: ${JSON.stringify(r)}`);
    near(r.forward + r.backward + r.update, r.microsPerUpdate);
  }
  const layerRows = p.byLayer.filter((r) => r.kind === 'layer');
  const sumShare = layerRows.reduce((a, r) => a + r.share, 0);
  near(p.phaseShare.forward + p.phaseShare.backward + p.phaseShare.update, sumShare);
  assert.ok(p.byLayer.find((r) => r.label === 'loss and its gradient')!.microsPerUpdate > 0);
  assert.ok(p.byOp.some((r) => r.opType === 'Conv' && r.callsPerUpdate === 1), JSON.stringify(p.byOp));
  assert.ok(p.profiledSamplesPerSec > 0);
});
