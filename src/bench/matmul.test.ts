import test from 'node:test';
import assert from 'node:assert/strict';
import { matmulGflops, measureMatmul, MatmulRunner } from './matmul.js';

test('matmulGflops: 2·m·n·k·reps FLOPs per second, in GFLOP/s', () => {
  assert.equal(matmulGflops(1000, 1000, 1000, 1, 1), 2);
  assert.equal(matmulGflops(10, 20, 30, 4, 0.5), (2 * 10 * 20 * 30 * 4) / 0.5 / 1e9);
});

test('the MatMul Loop graph computes a·b (2×3 by 3×2), whatever the repetition count', async () => {
  const a = Float32Array.of(1, 2, 3, 4, 5, 6);
  const b = Float32Array.of(7, 8, 9, 10, 11, 12);
  const runner = await MatmulRunner.create(2, 3, 2, 1, { a, b });
  try {
    for (const reps of [1, 3]) {
      const { c, seconds } = await runner.run(reps);
      assert.deepEqual(Array.from(c), [58, 64, 139, 154]);
      assert.ok(seconds >= 0);
    }
  } finally {
    await runner.release();
  }
});

test('measureMatmul on a tiny case gives a positive finite rate', async () => {
  const r = await measureMatmul({ threads: 1, size: 16, seconds: 0.02, runSeconds: 0.005 });
  assert.ok(Number.isFinite(r.gflops) && r.gflops > 0, String(r.gflops));
  assert.ok(r.trials >= 3 && r.reps >= 1);
});
