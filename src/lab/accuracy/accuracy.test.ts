import assert from 'node:assert/strict';
import test from 'node:test';
import { ACCURACY_DEFAULTS, runAccuracy, type BatchAccuracy } from './accuracy.js';

test('C9 at a fixed epoch budget: the accuracy by batch size over seeds, its best, and which sizes fall behind beyond the seed noise', async () => {
  const r = await runAccuracy({ ...ACCURACY_DEFAULTS, batchSizes: [2, 16, 128], seeds: 3, epochs: 3, mnistTrain: 1000, mnistTest: 500 });
  const rows = r.figures['rows'] as BatchAccuracy[];
  assert.deepEqual(rows.map((x) => [x.batch, x.accuracies.length]), [[2, 3], [16, 3], [128, 3]]);
  assert.deepEqual(rows.map((x) => x.lr), [0.05 * Math.sqrt(2 / 32), 0.05 * Math.sqrt(16 / 32), 0.05 * Math.sqrt(128 / 32)]);
  for (const x of rows) assert.ok(x.accuracies.every((a) => a > 0.5 && a < 1) && new Set(x.accuracies).size > 1, `seeds differ: ${x.accuracies.join(', ')}`);
  // With 3 epochs B = 128 makes 21 updates: clearly behind, by more than two standard errors (C8c's cost of large batches).
  const best = rows.find((x) => x.batch === r.figures['best'])!;
  assert.notEqual(best.batch, 128);
  assert.ok((r.figures['clearlyBehind'] as number[]).includes(128), `clearly behind: ${String(r.figures['clearlyBehind'])}`);
  assert.ok(best.mean - rows[2]!.mean > 0.02, `best ${best.mean} vs B=128 ${rows[2]!.mean}`);
  assert.match(r.verdict.sentence, /C9 .*falls clearly for B = (\d+, )*128\./);
});
