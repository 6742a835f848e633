#!/usr/bin/env node
// What the training graph's noise statistics cost (`train --batch-size auto`, in-step noise): the
// samples/s of updates of two micro-batches on MNIST with and without them, the two trainers
// timed in turn, the best of five timings of about half a second each, one thread:
//
//   npm run bench:noise-stats -- mlp 16     # MODEL MICRO-BATCH [LR]
//
// Each update then also sums the squares of every micro-batch gradient and of their mean, and
// adds each micro-batch's gradient to the accumulator itself (compile/train-model.ts).
import { pairedTimings } from '../dist/adaptive/setup.js';
import { loadRunData } from '../dist/engine/run.js';
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
// The same paired timing the auto run's setup uses (statisticsOverhead), longer: five runs of about half a second each.
const t = await pairedTimings(config, data, micro, 5, 0.5);
const best = { plain: (2 * micro) / t.plain, statistics: (2 * micro) / t.statistics };
const change = (best.statistics / best.plain - 1) * 100;
console.log(`${name} ${micro} × 2: ${best.plain.toFixed(0)} samples/s plain, ${best.statistics.toFixed(0)} with noise statistics (${change >= 0 ? '+' : ''}${change.toFixed(1)}%)`);
