import assert from 'node:assert/strict';
import test from 'node:test';
import { toRunConfig } from './train-options.js';
import { parseCli } from './parse.js';
import { runTraining } from '../engine/run.js';

/** The defaults a new user gets: `batchwise train --dataset mnist --model mlp --epochs 2`. */
test('mlp preset reaches ≥ 97% MNIST test accuracy in 2 epochs with the default settings', async () => {
  const call = parseCli(['train', '--dataset', 'mnist', '--model', 'mlp', '--epochs', '2']);
  assert.equal(call.command, 'train');
  if (call.command !== 'train') return;
  const r = await runTraining(toRunConfig(call.options));
  assert.equal(r.status, 'completed');
  assert.equal(r.info.trainExamples, 55000);
  assert.equal(r.info.testExamples, 10000);
  assert.equal(r.steps, 2 * Math.floor(55000 / 32));
  assert.ok(r.test!.accuracy >= 0.97, `test accuracy ${r.test!.accuracy}`);
});
