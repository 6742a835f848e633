import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunConfig } from '../engine/run-config.js';
import { wideConfig } from '../testing/fit-fixtures.js';
import { describeProvenance, formatAge, keepMeasurement, matmulKey, measuredOrReused, memoryKey, pilotKey, rangeTestKey, recallMeasurement, stableJson, throughputKey, type KeptKind, type KeptMeasurement, type MachineIdentity, type MachineSource, type Provenance } from './machine-memo.js';

const MACHINE: MachineIdentity = { cpu: 'Test CPU @ 3.0GHz', cores: 2, onnxruntime: '1.30.0', node: 'v20.0.0', batchwise: '0.1.0' };
const SHAPE = { featureShape: [10], numClasses: 3 };
const MEMORY = { budgetBytes: 2 ** 31, margin: 0.1, maxBatch: 495, tolerance: 0.02 };
const T0 = Date.parse('2026-11-29T00:00:00.000Z');

/** A memo in a map, a clock the test moves, and a memory "probe" that counts its calls. */
function harness() {
  const kept = new Map<string, KeptMeasurement & { kind: KeptKind }>();
  let now = T0;
  let probes = 0;
  const source = (o: { remeasure?: boolean; runId?: number } = {}): MachineSource => ({
    memo: {
      recall: (key) => kept.get(key),
      keep: (kind, key, value) => kept.set(key, { kind, createdAt: new Date(now).toISOString(), runId: o.runId ?? null, value }),
    },
    machine: MACHINE,
    remeasure: o.remeasure ?? false,
    now: () => now,
  });
  const probe = async () => {
    probes++;
    return { largestBatch: 100 * probes };
  };
  const fitFor = async (s: MachineSource, config: RunConfig, m: MachineIdentity = MACHINE) => {
    const decisions: (Provenance | null)[] = [];
    const r = await measuredOrReused(s, 'memory', memoryKey(m, config, SHAPE, MEMORY), probe, (p) => decisions.push(p));
    return { ...r, decisions };
  };
  return { kept, source, fitFor, advance: (seconds: number) => (now += seconds * 1000), probes: () => probes };
}

test('the same key is reused, with the run that measured it and its age; the probe does not run again', async () => {
  const h = harness();
  const first = await h.fitFor(h.source({ runId: 3 }), wideConfig);
  assert.deepEqual(first.value, { largestBatch: 100 });
  assert.deepEqual(first.provenance, { reused: false, measuredAt: '2026-11-29T00:00:00.000Z', ageSeconds: 0, runId: null });
  assert.deepEqual(first.decisions, [null], 'told before measuring that it measures');
  h.advance(2 * 3600);
  const second = await h.fitFor(h.source(), { ...wideConfig, hyper: { lr: 0.5 }, seed: 9, epochs: 7 });
  assert.equal(h.probes(), 1, 'the rate, seed and length do not change the machine: no second probe');
  assert.deepEqual(second.value, { largestBatch: 100 });
  assert.deepEqual(second.provenance, { reused: true, measuredAt: '2026-11-29T00:00:00.000Z', ageSeconds: 7200, runId: 3 });
  assert.deepEqual(second.decisions, [second.provenance]);
  assert.equal(describeProvenance(second.provenance), 'reused from run 3, 2 h old');
});

test('different threads, model, optimizer or versions are measured afresh, each kept under its own key', async () => {
  const h = harness();
  await h.fitFor(h.source(), wideConfig);
  const variants: [string, RunConfig, MachineIdentity][] = [
    ['threads', { ...wideConfig, threads: 2 }, MACHINE],
    ['model', { ...wideConfig, model: { ...wideConfig.model, layers: [{ type: 'dense', units: 3 }] } }, MACHINE],
    ['optimizer', { ...wideConfig, optimizer: 'adam' }, MACHINE],
    ['batchwise version', wideConfig, { ...MACHINE, batchwise: '0.2.0' }],
    ['onnxruntime version', wideConfig, { ...MACHINE, onnxruntime: '1.31.0' }],
    ['CPU', wideConfig, { ...MACHINE, cpu: 'Other CPU' }],
  ];
  for (const [what, config, machine] of variants) {
    const before = h.probes();
    const r = await h.fitFor(h.source(), config, machine);
    assert.equal(h.probes(), before + 1, `another ${what} is measured`);
    assert.equal(r.provenance.reused, false, what);
  }
  assert.equal(h.kept.size, 1 + variants.length);
  const again = await h.fitFor(h.source(), { ...wideConfig, threads: 2 });
  assert.equal(again.provenance.reused, true, 'and each is then reused in turn');
});

test('--remeasure measures again and replaces what was kept, which the next run reuses', async () => {
  const h = harness();
  await h.fitFor(h.source(), wideConfig);
  h.advance(60);
  const redone = await h.fitFor(h.source({ remeasure: true }), wideConfig);
  assert.equal(h.probes(), 2);
  assert.deepEqual([redone.value, redone.provenance.reused, redone.decisions], [{ largestBatch: 200 }, false, [null]]);
  h.advance(30);
  const next = await h.fitFor(h.source(), wideConfig);
  assert.deepEqual([next.value, next.provenance.ageSeconds, h.probes()], [{ largestBatch: 200 }, 30, 2]);
});

test('without a memo every measurement is made', async () => {
  let calls = 0;
  const measure = async () => ++calls;
  const a = await measuredOrReused(undefined, 'matmul', 'k', measure);
  const b = await measuredOrReused(undefined, 'matmul', 'k', measure);
  assert.deepEqual([a.value, b.value, b.provenance.reused], [1, 2, false]);
});

test('keys: each kind apart, the data shape and the throughput batches in them, the order of settings not', () => {
  const base = throughputKey(MACHINE, wideConfig, SHAPE, { microBatches: [1, 4, 16], seconds: 0.3 });
  assert.notEqual(base, throughputKey(MACHINE, wideConfig, { featureShape: [20], numClasses: 3 }, { microBatches: [1, 4, 16], seconds: 0.3 }));
  assert.notEqual(base, throughputKey(MACHINE, wideConfig, { featureShape: [10], numClasses: 4 }, { microBatches: [1, 4, 16], seconds: 0.3 }));
  assert.notEqual(base, throughputKey(MACHINE, wideConfig, SHAPE, { microBatches: [1, 4, 16, 64], seconds: 0.3 }));
  assert.notEqual(memoryKey(MACHINE, wideConfig, SHAPE, MEMORY), memoryKey(MACHINE, wideConfig, SHAPE, { ...MEMORY, budgetBytes: 2 ** 30 }));
  assert.notEqual(matmulKey(MACHINE, 1, 0.5), matmulKey(MACHINE, 2, 0.5));
  assert.equal(matmulKey(MACHINE, 1, 0.5), matmulKey({ batchwise: '0.1.0', node: 'v20.0.0', onnxruntime: '1.30.0', cores: 2, cpu: 'Test CPU @ 3.0GHz' }, 1, 0.5));
  assert.equal(stableJson({ b: [1, { d: 2, c: undefined, a: 'x' }], a: null }), '{"a":null,"b":[1,{"a":"x","d":2}]}');
});

test('ages read at a useful precision', () => {
  assert.deepEqual([40, 89, 600, 7200, 3 * 86400].map(formatAge), ['40 s', '89 s', '10 min', '2 h', '3 d']);
  assert.equal(describeProvenance({ reused: true, measuredAt: '', ageSeconds: 600, runId: null }), 'reused from an earlier recommend, 10 min old');
  assert.equal(describeProvenance({ reused: false, measuredAt: '', ageSeconds: 0, runId: null }), 'measured now');
});

test('the bounded stages\' keys: the data\'s fingerprint, seed, threads and the stage\'s own settings in them; the data\'s name, the rate given, length and target not', () => {
  const o = { batchSize: 8, lr: 0.02, boundEpochs: 0.5 };
  const key = pilotKey(MACHINE, wideConfig, 'fp1', o);
  assert.notEqual(key, pilotKey(MACHINE, wideConfig, 'fp2', o), 'other data');
  assert.notEqual(key, pilotKey(MACHINE, { ...wideConfig, seed: 2 }, 'fp1', o), 'another seed');
  assert.notEqual(key, pilotKey(MACHINE, { ...wideConfig, threads: 2 }, 'fp1', o), 'other threads');
  assert.notEqual(key, pilotKey(MACHINE, { ...wideConfig, optimizer: 'adam' }, 'fp1', o), 'another optimizer');
  assert.notEqual(key, pilotKey(MACHINE, wideConfig, 'fp1', { ...o, lr: 0.01 }), 'another pilot rate');
  assert.notEqual(key, pilotKey({ ...MACHINE, cpu: 'Other CPU' }, wideConfig, 'fp1', o), 'another machine');
  const same: RunConfig = { ...wideConfig, modelName: 'renamed', dataset: '/elsewhere/same.csv', hyper: { ...wideConfig.hyper, lr: 0.7 }, epochs: 99, targetAccuracy: 0.5, batchSize: 64 };
  assert.equal(pilotKey(MACHINE, same, 'fp1', o), key);
  assert.notEqual(rangeTestKey(MACHINE, wideConfig, 'fp1', o), key, 'a range test is not a pilot');
  assert.equal(rangeTestKey(MACHINE, same, 'fp1', o), rangeTestKey(MACHINE, wideConfig, 'fp1', o));
  // The range test runs its own ramp without warm-up; a pilot trains with the run's schedule.
  const scheduled: RunConfig = { ...wideConfig, schedule: { kind: 'cosine', minLr: 0 }, warmupSteps: 100 };
  assert.equal(rangeTestKey(MACHINE, scheduled, 'fp1', o), rangeTestKey(MACHINE, wideConfig, 'fp1', o));
  assert.notEqual(pilotKey(MACHINE, scheduled, 'fp1', o), key);
});

test('a kept measurement that cannot serve is measured afresh and replaces it', async () => {
  const h = harness();
  const s = h.source();
  let runs = 0;
  const measure = async () => ({ reachedAt: ++runs });
  // What the rate grid does (rate-grid.ts): recall with a test of whether the kept one serves, else measure and keep.
  const recallOrMeasure = async (serves: (kept: { reachedAt: number }) => boolean) => {
    const found = recallMeasurement(s, 'p', (kept) => serves(kept as { reachedAt: number }));
    if (found !== null) return found;
    const value = await measure();
    return { value, provenance: keepMeasurement(s, 'pilot', 'p', value) };
  };
  await recallOrMeasure(() => false);
  const served = await recallOrMeasure((kept) => kept.reachedAt === 1);
  assert.deepEqual([served.value, served.provenance.reused], [{ reachedAt: 1 }, true]);
  const refused = await recallOrMeasure(() => false);
  assert.deepEqual([refused.value, refused.provenance.reused, h.kept.get('p')!.value], [{ reachedAt: 2 }, false, { reachedAt: 2 }]);
});
