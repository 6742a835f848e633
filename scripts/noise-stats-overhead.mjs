#!/usr/bin/env node
// What the training graph's noise statistics cost (`train --batch-size auto`, in-step noise): the
// samples/s of updates of two micro-batches on MNIST with and without them, the two trainers
// timed in turn, the best of five timings each, one thread:
//
//   npm run bench:noise-stats -- mlp 16     # MODEL MICRO-BATCH [LR]
//
// Each update then also sums the squares of every micro-batch gradient and of their mean, and
// adds each micro-batch's gradient to the accumulator itself (compile/train-model.ts).
import { loadRunData, prepareTrainer } from '../dist/engine/run.js';
import { PRESETS } from '../dist/model/presets.js';
import { blobsRunConfig } from '../dist/testing/run-config-fixtures.js';

const [name, microArg, lrArg] = process.argv.slice(2);
const micro = Number(microArg);
if (PRESETS[name] === undefined || !(Number.isInteger(micro) && micro >= 1)) {
  console.error(`usage: npm run bench:noise-stats -- MODEL MICRO-BATCH [LR], MODEL one of ${Object.keys(PRESETS).join(', ')}`);
  process.exit(2);
}
const config = blobsRunConfig({ modelName: name, model: PRESETS[name], dataset: 'mnist', validationFraction: 1 / 12, testFraction: 0.1, batchSize: micro, iterSize: 2, hyper: { lr: Number(lrArg ?? 0.01) } });
const data = loadRunData(config);
const trainers = { plain: await prepareTrainer(config, data), statistics: await prepareTrainer(config, data, { noiseStats: true }) };
const best = { plain: 0, statistics: 0 };
const updates = Math.max(2, Math.round(4096 / (2 * micro)));
for (const t of Object.values(trainers)) await t.runUpdates(Math.min(updates, t.stepsLeftInEpoch));
for (let rep = 0; rep < 5; rep++) {
  for (const [k, t] of Object.entries(trainers)) {
    const r = await t.runUpdates(Math.min(updates, t.stepsLeftInEpoch));
    best[k] = Math.max(best[k], (r.losses.length * 2 * micro) / r.seconds);
  }
}
const change = (best.statistics / best.plain - 1) * 100;
console.log(`${name} ${micro} × 2: ${best.plain.toFixed(0)} samples/s plain, ${best.statistics.toFixed(0)} with noise statistics (${change >= 0 ? '+' : ''}${change.toFixed(1)}%)`);
await Promise.all(Object.values(trainers).map((t) => t.release()));
