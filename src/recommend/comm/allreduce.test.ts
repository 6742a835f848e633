import assert from 'node:assert/strict';
import test from 'node:test';
import { GRADIENT_BYTES_PER_PARAMETER, ringAllReduceSeconds } from './allreduce.js';
import { INTERCONNECT_PRESETS } from './interconnect.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b), `${a} ≠ ${b}`);

test('ring all-reduce: 2(N−1)/N · bytes / bandwidth + 2(N−1) · latency, by hand', () => {
  const eth10g = INTERCONNECT_PRESETS['eth10g']!;
  // 1 MB over 4 workers at 1.25 GB/s, 50 µs: 1.5 × 0.8 ms + 6 × 50 µs = 1.5 ms.
  close(ringAllReduceSeconds(4, 1e6, eth10g), 0.0015);
  // The mlp preset's 669,706 parameters as fp32 = 2,678,824 bytes; two workers: 1 × 2.1430592 ms + 2 × 50 µs.
  const mlpBytes = GRADIENT_BYTES_PER_PARAMETER * 669706;
  assert.equal(mlpBytes, 2678824);
  close(ringAllReduceSeconds(2, mlpBytes, eth10g), 0.0022430592);
  // Eight over NVLink 4 (450 GB/s, 3 µs): 1.75 × 5.9529422…µs + 14 × 3 µs.
  close(ringAllReduceSeconds(8, mlpBytes, INTERCONNECT_PRESETS['nvlink4']!), (1.75 * 2678824) / 450e9 + 42e-6);
  close(ringAllReduceSeconds(8, mlpBytes, INTERCONNECT_PRESETS['nvlink4']!), 5.241764888888889e-5);
  // The bandwidth term approaches 2 · bytes / bandwidth as N grows; the latency term keeps growing.
  close(ringAllReduceSeconds(1000, 1.25e9, { name: null, bytesPerSec: 1.25e9, latencySeconds: 0 }), 1.998);
  close(ringAllReduceSeconds(3, 0, { name: null, bytesPerSec: 1, latencySeconds: 1e-3 }), 0.004);
});

test('one worker talks to nobody', () => {
  assert.equal(ringAllReduceSeconds(1, 1e9, INTERCONNECT_PRESETS['eth10g']!), 0);
});
