import assert from 'node:assert/strict';
import test from 'node:test';
import { DIRECTION_DEFAULTS, runDirection, type CosinePoint } from './direction.js';

test('C6c/C7c: the mini-batch gradient’s cosine with the full gradient rises with B and follows 1/√(1 + B_noise/B) within 0.1', async () => {
  const r = await runDirection({ ...DIRECTION_DEFAULTS, mnistTrain: 2000, draws: 12, trainEpochs: 2 });
  assert.equal(r.verdict.holds, true, r.verdict.sentence);
  const points = r.figures['points'] as CosinePoint[];
  const noise = r.figures['noise'] as { stage: string; bNoise: number }[];
  assert.equal(points.length, 12);
  for (const p of points) assert.ok(Math.abs(p.meanCos - p.predicted) <= 0.1, `${p.stage} B=${p.batch}: ${p.meanCos} vs ${p.predicted}`);
  // At initialisation the signal is strong: the cosine rises at every step, and past B_noise it gains little (C7c).
  const init = points.filter((p) => p.stage === 'initialisation').map((p) => p.meanCos);
  init.forEach((c, i) => i === 0 || assert.ok(c > init[i - 1]!, `rises: ${init.join(', ')}`));
  assert.ok(init[5]! - init[4]! < 0.1 && init[3]! - init[2]! > 0.15, `saturates: ${init.join(', ')}`);
  // As the loss falls the noise scale grows, so the same B points worse after training.
  assert.ok(noise[1]!.bNoise > 2 * noise[0]!.bNoise, `B_noise ${noise[0]!.bNoise} → ${noise[1]!.bNoise}`);
});
