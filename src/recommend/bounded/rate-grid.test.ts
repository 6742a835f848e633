import assert from 'node:assert/strict';
import test from 'node:test';
import { Interrupted } from '../../errors.js';
import { blobs } from '../../testing/blobs.js';
import { blobsRunConfig } from '../../testing/run-config-fixtures.js';
import type { KeptKind, KeptMeasurement, MachineSource, Provenance } from '../machine-memo.js';
import { measureKeptPoints, segmentsOf, type PilotResult } from '../pilot.js';
import { runBoundedPilot } from './bounded-pilot.js';
import { gridPilot, trainRateGrid } from './rate-grid.js';

const data = blobs(240, 6, 3, 5);
const base = blobsRunConfig({ hyper: { lr: 0.05 } });
// 30 updates an epoch at batch 8, a validation every 8: the bound is 24 updates, three validations
// (91.7%, 93.3%, 96.7% on this data at lr 0.05).
const pilot = (targetAccuracy: number, shouldStop?: () => boolean) => ({
  batchSize: 8, targetAccuracy, maxEpochs: 5, evalsPerEpoch: 4, noiseEvery: 2, noise: { bSmall: 8, bBig: 64, rounds: 2 }, boundEpochs: 0.5, ...(shouldStop ? { shouldStop } : {}),
});

function memo() {
  const kept = new Map<string, KeptMeasurement & { kind: KeptKind }>();
  const source: MachineSource = {
    memo: { recall: (k) => kept.get(k), keep: (kind, k, value) => kept.set(k, { kind, createdAt: '2026-11-29T00:00:00.000Z', runId: 1, value }) },
    machine: { cpu: 'Test CPU', cores: 2, onnxruntime: '1.30.0', node: 'v20.0.0', batchwise: '0.1.0' },
    remeasure: false,
    now: () => Date.parse('2026-11-29T00:01:00.000Z'),
  };
  return { kept, source };
}

/** Kept pilots with their noise measured: one a grid of one rate chooses and measures (each is first kept unmeasured). */
const measuredKept = (kept: ReturnType<typeof memo>['kept']) => [...kept.values()].filter((k) => (k.value as PilotResult).measurements.length > 0).length;

test('the grid\'s pilots are kept and reused per target: a run stopped at its bound and one stopped at a target each under its own key', async () => {
  const { kept, source } = memo();
  const grid = async (target: number) => {
    const starts: (Provenance | null)[] = [];
    const r = await trainRateGrid(base, data, [0.05], pilot(target), { machine: source, dataKey: () => 'blobs-5', onStart: (_lr, p) => starts.push(p) });
    return { ...r, trained: starts.filter((p) => p === null).length };
  };
  const tight = await grid(0.99);
  assert.deepEqual([tight.trained, tight.pilots[0]!.reached, tight.pilots[0]!.evaluations.length], [1, false, 3]);
  const loose = await grid(0.9);
  assert.deepEqual([loose.trained, loose.pilots[0]!.reached, loose.pilots[0]!.steps], [1, true, 8], 'the bound run reached 90% at its first validation: it is not the run a 90% pilot trains');
  assert.equal(measuredKept(kept), 2);
  const tightAgain = await grid(0.99);
  assert.equal(tightAgain.trained, 0);
  assert.deepEqual(tightAgain.rates[0]!.provenance, { reused: true, measuredAt: '2026-11-29T00:00:00.000Z', ageSeconds: 60, runId: 1 });
  assert.deepEqual(tightAgain.pilots[0]!.evaluations, tight.pilots[0]!.evaluations);
  assert.equal(tightAgain.rates[0]!.examplesToTarget, tight.rates[0]!.examplesToTarget);
  const tighter = await grid(0.995);
  assert.equal(tighter.trained, 0, 'a target none of the bound run\'s validations reached is served by it');
  assert.equal((await grid(0.9)).trained, 0, 'the loose target again: its own kept run');
  assert.equal((await grid(0.95)).trained, 1, 'reached at the third validation: neither kept run is that run');
  assert.equal(measuredKept(kept), 3);
});

test('a pilot stopped by Ctrl-C throws and is not kept; without a store every pilot trains', async () => {
  const { kept, source } = memo();
  await assert.rejects(trainRateGrid(base, data, [0.05], pilot(0.99, () => true), { machine: source, dataKey: () => 'blobs-5' }), Interrupted);
  assert.equal(kept.size, 0);
  const r = await trainRateGrid(base, data, [0.05, 0.025], pilot(0.99), { machine: undefined, dataKey: () => assert.fail('no store, no fingerprint') });
  assert.deepEqual(r.rates.map((x) => [x.lr, x.provenance.reused]), [[0.05, false], [0.025, false]]);
});

test('the grid\'s chosen rate, refined: its pilot trained again for longer is the pilot, unless the grid was asked for no refinement', async () => {
  const plain = await gridPilot(base, data, [0.05, 0.025], pilot(0.99), null, { machine: undefined, dataKey: () => '' });
  assert.equal(plain.refined, null);
  assert.equal(plain.pilot.steps, 24);
  const lrs: number[] = [];
  const r = await gridPilot(base, data, [0.05, 0.025], pilot(0.99), 1.5, { machine: undefined, dataKey: () => '', onRefineStart: (lr) => lrs.push(lr) });
  assert.deepEqual(r.rates.map((x) => x.lr), [0.05, 0.025]);
  assert.deepEqual(lrs, [plain.pilot.lr], 'the grid\'s choice is refined');
  // 1.5 epochs of 30 updates, whole validation intervals of 8: 48 updates.
  assert.equal(r.refined!.seenExamples, 48 * 8);
  assert.equal(r.pilot.steps, r.refined!.examplesToTarget === null ? 24 : 48);
  assert.deepEqual(r.pilot.evaluations.slice(0, 3), plain.pilot.evaluations, 'the longer run begins as the shorter one did');
});

test('the noise scale is measured along the chosen rate\'s run only, as it would have been as it went; a kept run chosen later is trained again to measure it', async () => {
  const { kept, source } = memo();
  const noise: [number, string][] = [];
  const grid = (lrs: number[]) => trainRateGrid(base, data, lrs, pilot(0.99), { machine: source, dataKey: () => 'blobs-5', onNoise: (lr, how) => noise.push([lr, how]) });
  const first = await grid([0.05, 0.025]);
  const chosen = first.chosen!;
  const other = 1 - chosen;
  assert.deepEqual(noise, [[first.rates[chosen]!.lr, 'kept points']]);
  assert.deepEqual(first.pilots.map((p) => p.measurements.length > 0), [chosen === 0, chosen === 1]);
  // Each run is kept unmeasured as it finishes, under a key that says so (an older build would read an unmeasured run as
  // one that measured no usable noise scale), and the chosen one again, measured, under the key runs always had.
  const keptRuns = [...kept].map(([key, k]) => [key.includes('"noiseMeasured":false'), (k.value as PilotResult).measurements.length > 0, (k.value as PilotResult).lr]);
  assert.deepEqual(keptRuns, [[true, false, 0.05], [true, false, 0.025], [false, true, first.rates[chosen]!.lr]]);
  const inline = await runBoundedPilot(base, data, { ...pilot(0.99), lr: first.rates[chosen]!.lr, maxSeconds: Infinity });
  assert.deepEqual(first.pilots[chosen]!.measurements.map(({ seconds: _s, ...m }) => m), inline.measurements.map(({ seconds: _s, ...m }) => m));
  // The other rate alone: its kept run has no measurements, so it trains again, the same run, and is measured.
  noise.length = 0;
  const alone = await grid([first.rates[other]!.lr]);
  assert.deepEqual(noise, [[first.rates[other]!.lr, 'trained again']]);
  assert.equal(alone.chosen, 0);
  assert.deepEqual(alone.pilots[0]!.evaluations, first.pilots[other]!.evaluations);
  assert.equal(alone.rates[0]!.provenance.reused, false);
  noise.length = 0;
  const again = await grid([first.rates[other]!.lr]);
  assert.deepEqual([noise, again.rates[0]!.provenance.reused, again.pilots[0]!.measurements.length > 0], [[], true, true], 'now kept with its measurements');
});

test('a chosen run whose noise scale is unusable gives way to the next rate, whose run is trained again to measure it, and its line is said again', async () => {
  const noise: [number, string][] = [];
  const said: [number, string | null][] = [];
  let first: number | null = null;
  const { kept, source } = memo();
  const r = await trainRateGrid(base, data, [0.05, 0.025], pilot(0.99), {
    machine: source,
    dataKey: () => 'blobs-5',
    onNoise: (lr, how) => noise.push([lr, how]),
    onRate: (x) => said.push([x.lr, x.problem]),
    // The first run measured reads [0, ∞] everywhere: nothing usable; the next is measured for real.
    measure: async (b, d, p, points, o) => {
      if (first !== null) return measureKeptPoints(b, d, p, points, o);
      first = p.lr;
      const m = (await measureKeptPoints(b, d, p, points, o)).measurements.map((x) => ({ ...x, bSimple: Infinity, bSimpleLow: 0, bSimpleHigh: Infinity }));
      return { ...p, measurements: m, segments: segmentsOf(m, p.batchSize, p.steps) };
    },
  });
  const next = r.rates.findIndex((x) => x.lr !== first);
  assert.deepEqual(noise, [[first, 'kept points'], [r.rates[next]!.lr, 'trained again']]);
  assert.equal(r.chosen, next);
  assert.equal(r.rates[1 - next]!.problem, 'the bounded pilot measured no usable noise scale');
  assert.equal(r.rates[1 - next]!.examplesToTarget, null);
  assert.ok(r.pilots[next]!.segments.length > 0);
  assert.deepEqual(said.slice(2), [[first, 'the bounded pilot measured no usable noise scale']], 'the first rate\'s line again, with its problem');
  const inline = await runBoundedPilot(base, data, { ...pilot(0.99), lr: r.rates[next]!.lr, maxSeconds: Infinity });
  assert.deepEqual(r.pilots[next]!.measurements.map(({ seconds: _s, ...m }) => m), inline.measurements.map(({ seconds: _s, ...m }) => m), 'trained again and measured: as if measured as it went');
  // Both kept unmeasured as they ended, then both again measured: the first with nothing usable, the next for real.
  const keptRuns = [...kept].map(([key, k]) => [key.includes('"noiseMeasured":false'), (k.value as PilotResult).lr, segmentsOf((k.value as PilotResult).measurements, 8, 24).length > 0]);
  assert.deepEqual(keptRuns, [[true, 0.05, false], [true, 0.025, false], [false, first, false], [false, r.rates[next]!.lr, true]]);
});
