import assert from 'node:assert/strict';
import test from 'node:test';
import type { RunRow } from '../store/store.js';
import { recommendCard } from './cards.js';

const choice = { effectiveBatch: 256, microBatch: 256, iterSize: 1, worldSize: 1, samplesPerSec: 1000, allReduceSeconds: 0, commSeconds: 0, efficiency: 0.7, examples: 100000, steps: 390, epochs: 1.8, seconds: 1.2, validations: 36, wallSeconds: 3, lr: 0.07 };
const run = (summary: unknown): RunRow => ({ id: 1, kind: 'recommend', key: 'k', label: 'l', createdAt: '', finishedAt: null, status: 'finished', config: { targetAccuracy: 0.975 }, summary, progress: null });
const valueOf = (summary: unknown, label: string) => recommendCard(run(summary)).fields.find((f) => f.label === label)?.value;

test('the recommendation card shows the seeds’ median and range, and says when the pilot was extrapolated', () => {
  const spread = { reached: 3, secondsToTarget: { median: 1.3, min: 1.1, max: 1.75 }, stepsToTarget: { median: 400, min: 380, max: 520 }, wallSecondsToTarget: null };
  const summary = { choice, seconds: 20, verification: { measured: { status: 'target-reached', secondsToTarget: 1.1, stepsToTarget: 380, testAccuracy: 0.975 }, seeds: [{}, {}, {}], spread }, pilot: { extrapolation: { seenEpochs: 0.5, examplesToTarget: 61234 } } };
  assert.equal(valueOf(summary, 'verified over 3 seeds'), '3 reached the target; median 1.30 s (1.10 s–1.75 s), 400 (380–520) steps');
  assert.equal(valueOf(summary, 'pilot'), 'bounded at 0.50 epochs, examples to target extrapolated: 61,234');
  // One seed, a pilot trained to the target: neither line.
  const one = { ...summary, verification: { ...summary.verification, seeds: [{}] }, pilot: { extrapolation: null } };
  assert.equal(valueOf(one, 'verified over 1 seeds'), undefined);
  assert.equal(valueOf(one, 'pilot'), undefined);
  assert.equal(valueOf({ ...summary, verification: { ...summary.verification, spread: null } }, 'verified over 3 seeds'), 'none reached the target');
});

test('the recommendation card lists the bounded rate grid\'s rates with their examples to target, the pilot\'s marked', () => {
  const pilotRates = [
    { lr: 0.0217, examplesToTarget: 146156.4 },
    { lr: 0.0109, examplesToTarget: 65062 },
    { lr: 0.00543, examplesToTarget: null, problem: 'the bounded pilot diverged with lr 0.00543' },
  ];
  const summary = { choice: { effectiveBatch: 64, microBatch: 64, iterSize: 1, worldSize: 1, lr: 0.02, seconds: 2, steps: 10, epochs: 1 }, pilot: { lr: 0.0109 }, pilotRates };
  assert.equal(valueOf(summary, 'rates tried, examples to target'), '0.0217: 146,156; 0.0109 (pilot): 65,062; 0.00543: the bounded pilot diverged with lr 0.00543');
  assert.equal(valueOf({ ...summary, pilotRates: pilotRates.slice(0, 1) }, 'rates tried, examples to target'), undefined, 'one rate is no grid');
});

test('the recommendation card says what the advice reused from the store, and from which runs', () => {
  const kept = (runId: number | null) => ({ reused: true, runId, ageSeconds: 60, measuredAt: '' });
  const fresh = { reused: false, runId: null, ageSeconds: 0, measuredAt: '' };
  const base = { choice, seconds: 0.2, machine: { memory: kept(1), matmul: kept(1), throughput: kept(1) }, rangeTestProvenance: kept(1), pilotRates: [{ lr: 0.02, provenance: kept(1) }, { lr: 0.01, provenance: kept(1) }] };
  assert.equal(valueOf(base, 'cost of the recommendation'), '0.2 s; reused from run 1: memory fit, MatMul rate, throughput curve, range test, 2 of 2 bounded pilots');
  const mixed = { ...base, seconds: 31, rangeTestProvenance: fresh, pilotRates: [{ lr: 0.02, provenance: fresh }, { lr: 0.01, provenance: kept(4) }], machine: { ...base.machine, memory: kept(null) } };
  assert.equal(valueOf(mixed, 'cost of the recommendation'), '31 s; reused from runs 1, 4 and an earlier recommend: memory fit, MatMul rate, throughput curve, 1 of 2 bounded pilots');
  assert.equal(valueOf({ ...base, refined: { lr: 0.01, provenance: kept(2) } }, 'cost of the recommendation'), '0.2 s; reused from runs 1, 2: memory fit, MatMul rate, throughput curve, range test, 2 of 2 bounded pilots, the refined pilot');
  assert.equal(valueOf({ choice, seconds: 122, machine: { memory: fresh, matmul: fresh, throughput: fresh }, rangeTestProvenance: fresh }, 'cost of the recommendation'), '122 s');
});

test('the recommendation card says how a reused throughput curve\'s check bore on the prediction', () => {
  const predicted = (throughputCheck: unknown) => valueOf({ choice, seconds: 1, throughputCheck }, 'predicted');
  const head = predicted(null);
  assert.equal(predicted({ microBatch: 64, keptSamplesPerSec: 6000, nowSamplesPerSec: 7500, scale: 1.25 }), `${head}; the kept throughput curve scaled ×1.25 by a check at micro-batch 64`);
  assert.equal(predicted({ microBatch: 16, keptSamplesPerSec: 4000, nowSamplesPerSec: 4100, scale: 1 }), `${head}; the kept throughput curve agreed with a check at micro-batch 16`);
  assert.doesNotMatch(head!, /check/);
  assert.equal(predicted({ microBatch: 16, keptSamplesPerSec: 4000, nowSamplesPerSec: null, scale: 1 }), `${head}; a check at micro-batch 16 of the kept throughput curve measured nothing`);
});

test('the recommendation card says what the store\'s runs made of the pilot\'s extrapolation, in steps of the choice', () => {
  const extrapolated = { pilot: { extrapolation: { seenEpochs: 0.5, examplesToTarget: 61234 } } };
  const note = (backtest: unknown) => valueOf({ choice, seconds: 1, ...extrapolated, backtest }, 'extrapolation back-tested');
  const cases = (n: number) => Array.from({ length: n }, () => ({ source: 'run 1, verify', stretch: 3, ratio: 1 }));
  const cut = 'cut where that extrapolation had as far to go';
  assert.equal(note({ stretch: 3.23, reached: 6, stoppedShort: 0, cases: cases(6), low: 0.93, high: 3.37, median: 1.69, band: 'extremes' }), `the target 3.23× beyond the pilot; 6 kept runs, each ${cut}, took 0.93–3.37× what it said (all 6; median 1.69×): about 363–1,314 steps`);
  assert.equal(note({ stretch: 2, reached: 14, stoppedShort: 2, cases: cases(12), low: 0.8, high: 1.5, median: 1.1, band: 'percentiles' }), `the target 2.00× beyond the pilot; 12 kept runs, each ${cut}, took 0.80–1.50× what it said (10th–90th percentile of 12; median 1.10×): about 312–585 steps; 2 runs with such a cut stopped before the target and are not in the band`);
  assert.equal(note({ stretch: 2, reached: 1, stoppedShort: 1, cases: cases(1), low: 1.5, high: 1.5, median: 1.5, band: 'extremes' }), `the target 2.00× beyond the pilot; 1 kept run, ${cut}, took 1.50× what it said: about 585 steps; 1 run with such a cut stopped before the target and is not in the band`);
  assert.equal(note({ stretch: 2, reached: 0, cases: [], low: null, high: null, median: null, band: 'extremes' }), 'the target 2.00× beyond the pilot; not back-tested: no run of this problem in the store reached the target');
  assert.equal(note({ stretch: 2, reached: 1, cases: [], low: null, high: null, median: null, band: 'extremes' }), 'the target 2.00× beyond the pilot; not back-tested: the 1 run of this problem in the store that reached the target had no cut with about that far to go');
  assert.equal(note({ stretch: 2, reached: 3, cases: [], low: null, high: null, median: null, band: 'extremes' }), 'the target 2.00× beyond the pilot; not back-tested: none of the 3 runs of this problem in the store that reached the target had a cut with about that far to go');
  assert.equal(note(undefined), undefined, 'a run from before the back-test');
  assert.equal(note(null), undefined, 'a pilot that was not extrapolated');
});
