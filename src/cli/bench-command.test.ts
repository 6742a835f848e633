import test from 'node:test';
import assert from 'node:assert/strict';
import { benchRows } from './bench-command.js';
import { benchDecls } from './bench-options.js';
import { parseOptions } from './options.js';

const ok = (rows: [number, number][]) => ({ kind: 'ok' as const, version: '1.13.1', threads: 2, rows: rows.map(([batchSize, samplesPerSec]) => ({ batchSize, samplesPerSec })) });

test('benchRows: both OpenMP settings side by side, the ratio against the better one', () => {
  const rows = benchRows(
    [{ batchSize: 1, samplesPerSec: 3000, gflops: 18 }, { batchSize: 32, samplesPerSec: 9000, gflops: 54 }],
    120,
    { spinning: ok([[1, 600], [32, 5000]]), passive: ok([[1, 1500], [32, 4500]]) },
  );
  assert.deepEqual(rows, [
    { batchSize: 1, samplesPerSec: 3000, gflops: 18, percentOfMatmul: 15, torchSamplesPerSec: 600, torchPassiveSamplesPerSec: 1500, torchRatio: 2 },
    { batchSize: 32, samplesPerSec: 9000, gflops: 54, percentOfMatmul: 45, torchSamplesPerSec: 5000, torchPassiveSamplesPerSec: 4500, torchRatio: 1.8 },
  ]);
});

test('benchRows: a failed setting leaves its column out; without PyTorch there is no ratio', () => {
  const [one] = benchRows([{ batchSize: 8, samplesPerSec: 800, gflops: 6 }], 60, { spinning: { kind: 'missing', reason: 'failed' }, passive: ok([[8, 400]]) });
  assert.deepEqual(one, { batchSize: 8, samplesPerSec: 800, gflops: 6, percentOfMatmul: 10, torchPassiveSamplesPerSec: 400, torchRatio: 2 });
  assert.deepEqual(benchRows([{ batchSize: 8, samplesPerSec: 800, gflops: 6 }], 60, null), [{ batchSize: 8, samplesPerSec: 800, gflops: 6, percentOfMatmul: 10 }]);
});

test('bench --model takes one preset or several; anything else names the value', () => {
  assert.deepEqual(parseOptions(benchDecls, { model: 'mlp,cnn' }).model, ['mlp', 'cnn']);
  assert.deepEqual(parseOptions(benchDecls, { model: 'resnet' }).model, ['resnet']);
  assert.deepEqual(parseOptions(benchDecls, {}).model, ['mlp']);
  assert.throws(() => parseOptions(benchDecls, { model: 'mlp,resnet50' }), /resnet50/);
});
