import assert from 'node:assert/strict';
import test from 'node:test';
import { lossCurve, type BasinRow } from './basins.js';
import { ESCAPE_DEFAULTS, runEscape } from './escape.js';
import { ESCAPE_START, escapeProblem, lossAt } from './problem.js';
import type { SharpnessRow } from './sharpness.js';

test('the escape problem: a shallow poor basin holding the start, a ridge at w = 0, a better basin beyond; the engine measures the same L(w)', async () => {
  const p = escapeProblem({ examples: 32 });
  assert.ok(p.poor.w > 0 && p.poor.w < ESCAPE_START, `poor minimum at ${p.poor.w}`);
  assert.ok(Math.abs(p.better.w + 1) < 1e-6 && p.better.loss < 0.6 * p.poor.loss, `better ${JSON.stringify(p.better)}, poor ${JSON.stringify(p.poor)}`);
  // Shallow: the ridge is barely above the poor minimum, and the start is above the ridge.
  assert.ok(p.ridgeLoss > p.poor.loss && p.ridgeLoss - p.poor.loss < 0.01 && lossAt(p, ESCAPE_START) > p.ridgeLoss);
  const ws = [-1.2, -1, -0.3, 0, 0.1, p.poor.w, 0.6];
  const curve = await lossCurve(p, ws);
  curve.forEach(({ w, loss }) => assert.ok(Math.abs(loss - lossAt(p, w)) < 1e-5, `L(${w}): engine ${loss}, exact ${lossAt(p, w)}`));
});

test('C2 with fixed seeds: every B = 1 run crosses the ridge into the better basin, full-batch descent never does', async () => {
  const r = await runEscape({ ...ESCAPE_DEFAULTS, problems: ['synthetic'], batchSizes: [1, 16, 'full'], seeds: 10 });
  const rows = r.figures['basins'] as BasinRow[];
  const p = escapeProblem({ examples: 32 });
  assert.deepEqual(rows.map((x) => [x.batch, x.runs, x.escaped]), [[1, 10, 10], [16, 10, 0], [32, 1, 0]]);
  // B = 1 ends at the better minimum; the full batch in the poor basin, below the ridge.
  assert.ok(Math.abs(rows[0]!.meanFinalLoss - p.better.loss) < 1e-3, `B = 1 final loss ${rows[0]!.meanFinalLoss}`);
  assert.ok(rows[2]!.finalWeights[0]! > 0 && rows[2]!.meanFinalLoss < p.ridgeLoss, `full batch ${rows[2]!.finalWeights[0]}, ${rows[2]!.meanFinalLoss}`);
  const long = r.figures['fullBatchEqualUpdates'] as BasinRow;
  assert.ok(long.escaped === 0 && Math.abs(long.finalWeights[0]! - p.poor.w) < 1e-4, `full batch after 320 updates: w = ${long.finalWeights[0]}, poor minimum ${p.poor.w}`);
  assert.equal(r.verdict.holds, true);
  assert.match(r.verdict.sentence, /^Bears out C2: on the escape problem 100\.0% of the B = 1 runs cross the ridge .* and so does every run at B = 16/);
  assert.deepEqual(r.plots.map((x) => x.name), ['escape-landscape', 'escape-fraction']);
});

test('C2 on an MNIST subset: the minimum SGD reaches at a large batch is sharper than at a small one', async () => {
  const mnist = { batchSizes: [8, 256], lr: 0.05, lossTarget: 0.1, maxEpochs: 300, hidden: 16, powerIterations: 20 };
  const r = await runEscape({ ...ESCAPE_DEFAULTS, problems: ['mnist'], mnistTrain: 500, mnistTest: 300, mnist });
  const rows = r.figures['mnist'] as SharpnessRow[];
  assert.deepEqual(rows.map((x) => [x.batch, x.reachedTarget]), [[8, true], [256, true]]);
  for (const x of rows) assert.ok(x.trainLoss <= 0.1 && x.testAccuracy > 0.6 && x.sharpness > 0, JSON.stringify(x));
  assert.ok(rows[1]!.sharpness > 1.5 * rows[0]!.sharpness, `sharpness ${rows[0]!.sharpness} at B = 8, ${rows[1]!.sharpness} at B = 256`);
  assert.match(r.verdict.sentence, /sharper the larger B/);
  assert.deepEqual(r.plots.map((x) => x.name), ['escape-sharpness', 'escape-gap']);
});
