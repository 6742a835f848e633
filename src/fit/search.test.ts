import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchLargestBatch, type ProbeOutcome } from './search.js';

/** A probe that "runs out of memory" above `threshold` examples, and the batches it was asked for. */
function fakeProbe(threshold: number) {
  const asked: number[] = [];
  const probe = async (b: number): Promise<ProbeOutcome> => {
    asked.push(b);
    return b <= threshold ? { ok: true, peakBytes: 100 * b, reason: null, seconds: 0 } : { ok: false, peakBytes: null, reason: 'over budget', seconds: 0 };
  };
  return { probe, asked };
}

const DOUBLINGS_TO_512 = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

const CASES: { threshold: number; largest: number; probes: number[] }[] = [
  { threshold: 0, largest: 0, probes: [1] },
  { threshold: 1, largest: 1, probes: [1, 2] },
  { threshold: 63, largest: 63, probes: [1, 2, 4, 8, 16, 32, 64, 48, 56, 60, 62, 63] },
  { threshold: 64, largest: 64, probes: [1, 2, 4, 8, 16, 32, 64, 128, 96, 80, 72, 68, 66, 65] },
  { threshold: 65, largest: 65, probes: [1, 2, 4, 8, 16, 32, 64, 128, 96, 80, 72, 68, 66, 65] },
  { threshold: 999, largest: 999, probes: [...DOUBLINGS_TO_512, 1000, 756, 878, 939, 969, 984, 992, 996, 998, 999] },
  { threshold: 1000, largest: 1000, probes: [...DOUBLINGS_TO_512, 1000] },
  { threshold: 5000, largest: 1000, probes: [...DOUBLINGS_TO_512, 1000] },
];

for (const c of CASES) {
  test(`maxBatch 1000, out of memory above ${c.threshold}: largest ${c.largest} after exactly ${c.probes.length} probes`, async () => {
    const { probe, asked } = fakeProbe(c.threshold);
    const r = await searchLargestBatch(probe, { maxBatch: 1000 });
    assert.equal(r.largest, c.largest);
    assert.deepEqual(asked, c.probes);
    assert.deepEqual(r.probes.map((p) => p.batchSize), c.probes);
    assert.deepEqual(r.probes.map((p) => p.fits), c.probes.map((b) => b <= c.threshold));
  });
}

test('a given start: doubling from 48, then bisection', async () => {
  const { probe, asked } = fakeProbe(100);
  const r = await searchLargestBatch(probe, { maxBatch: 1000, start: 48 });
  assert.equal(r.largest, 100);
  assert.deepEqual(asked, [48, 96, 192, 144, 120, 108, 102, 99, 100, 101]);
});

test('a start that does not fit bisects below it', async () => {
  const { probe, asked } = fakeProbe(5);
  const r = await searchLargestBatch(probe, { maxBatch: 1000, start: 16 });
  assert.equal(r.largest, 5);
  assert.deepEqual(asked, [16, 8, 4, 6, 5]);
});

test('limitBytes: a finished probe whose peak is over the limit does not fit, and keeps its peak', async () => {
  // peak = 1000 + 10·b bytes; a limit of 1655 admits b ≤ 65.
  const probe = async (b: number): Promise<ProbeOutcome> => ({ ok: true, peakBytes: 1000 + 10 * b, reason: null, seconds: 0.5 });
  const seen: number[] = [];
  const r = await searchLargestBatch(probe, { maxBatch: 1000, limitBytes: 1655, onProbe: (p) => seen.push(p.batchSize) });
  assert.equal(r.largest, 65);
  assert.deepEqual(seen, [1, 2, 4, 8, 16, 32, 64, 128, 96, 80, 72, 68, 66, 65]);
  const at128 = r.probes.find((p) => p.batchSize === 128)!;
  assert.deepEqual(at128, { ok: true, peakBytes: 2280, reason: null, seconds: 0.5, batchSize: 128, fits: false });
});

test('every threshold: the answer is min(threshold, maxBatch), no batch twice, at most 2⌈log₂ maxBatch⌉ + 1 probes', async () => {
  for (const maxBatch of [1, 2, 3, 7, 300]) {
    const bound = 2 * Math.ceil(Math.log2(maxBatch)) + 1;
    for (let threshold = 0; threshold <= maxBatch + 1; threshold++) {
      const { probe, asked } = fakeProbe(threshold);
      const r = await searchLargestBatch(probe, { maxBatch });
      const at = `maxBatch ${maxBatch}, threshold ${threshold}`;
      assert.equal(r.largest, Math.min(threshold, maxBatch), at);
      assert.equal(new Set(asked).size, asked.length, `${at}: ${asked.join(',')}`);
      assert.ok(asked.every((b) => b >= 1 && b <= maxBatch), `${at}: ${asked.join(',')}`);
      assert.ok(asked.length <= bound, `${at}: ${asked.length} probes > ${bound}`);
    }
  }
});

test('a probe that throws is not swallowed', async () => {
  await assert.rejects(
    searchLargestBatch(async () => {
      throw new Error('probe broke');
    }, { maxBatch: 10 }),
    /probe broke/,
  );
});

test('with a tolerance the bisection stops once the bracket is within that share of the answer', async () => {
  // Threshold 999: after 512 fits and 1000 does not, exact bisection takes 9 more probes (above);
  // at 2% it stops once hi − lo ≤ 0.02·lo: 756, 878, 939, 969, 984, leaving [984, 1000): 16 ≤ 19.7.
  const { probe, asked } = fakeProbe(999);
  const r = await searchLargestBatch(probe, { maxBatch: 1000, tolerance: 0.02 });
  assert.deepEqual(asked, [...DOUBLINGS_TO_512, 1000, 756, 878, 939, 969, 984]);
  assert.equal(r.largest, 984);
});

test('shouldStop ends the search with what is known so far', async () => {
  const { probe, asked } = fakeProbe(999);
  const r = await searchLargestBatch(probe, { maxBatch: 1000, shouldStop: () => asked.length >= 3 });
  assert.deepEqual(asked, [1, 2, 4]);
  assert.equal(r.largest, 4);
});
