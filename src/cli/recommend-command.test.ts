import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { noisePointsOf, runOverhead, segmentsOf, type PilotResult } from '../recommend/pilot.js';
import { boundedRateGrid, fewestExamples, type BoundedRate } from '../recommend/bounded/bounded-pilot.js';
import type { Provenance } from '../recommend/machine-memo.js';
import { bestLrTrial } from '../recommend/pilot-lr.js';
import { INTERCONNECT_PRESETS } from '../recommend/comm/interconnect.js';
import { chooseCandidate, predictCandidates, type ThroughputPoint } from '../recommend/predict.js';
import type { ThroughputCheck } from '../recommend/throughput-check.js';
import type { TrialOutcome } from '../sweep/trial.js';
import { assertNoStack, assertOk, assertUserError, lastJson, makeBlobs, makeTempDir, removeDir, runCli, writeBlobsCsv, writeJson } from './testing/cli-fixtures.js';

let dir = '';
const BASE = ['recommend', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--threads', '1', '--target-accuracy', '0.9', '--pilot-batch', '8', '--lr', '0.05', '--evals-per-epoch', '4'];
const recommend = (...args: string[]) => runCli([...BASE, ...args], dir, 180_000);

before(() => {
  dir = makeTempDir();
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 600, features: 10, classes: 3, seed: 7, separation: 3 }));
  writeJson(join(dir, 'mlp.json'), { layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
});
after(() => removeDir(dir));

interface Candidate { effectiveBatch: number; microBatch: number; iterSize: number; worldSize: number; seconds: number; examples: number; lr: number; samplesPerSec: number; allReduceSeconds: number; warmupSteps: number }

test('recommend --verify --export: a fitted, predicted, verified, exported and stored recommendation', () => {
  // The older method, rates and pilot trained to the target: the default is bounded (tested below).
  const run = recommend('--memory', '1GiB', '--world-size', '2', '--verify', '--export', 'deepspeed', '--out', 'ds.json', '--db', 'r.db', '--json', '--pilot-runs', 'to-target');
  assertOk(run);
  assertNoStack(run);
  const r = lastJson(run);
  assert.match(run.stderr, new RegExp(`batchwise: see the evidence: batchwise report --db r\\.db --run ${r['run']} --out run-${r['run']}\\.html\\n$`), 'ends by naming the report command for its run');
  const choice = r['choice'] as Candidate;
  const candidates = r['candidates'] as Candidate[];
  // 495 training examples: candidates 2, 4, … 256 for two workers (495 is odd, so no full batch).
  assert.deepEqual(candidates.map((c) => c.effectiveBatch), [2, 4, 8, 16, 32, 64, 128, 256]);
  for (const c of candidates) assert.equal(c.microBatch * c.iterSize * c.worldSize, c.effectiveBatch);
  // Over the default eth10g each batch runs on whichever of one or two workers updates sooner.
  for (const c of candidates) assert.ok(c.worldSize === 1 || c.worldSize === 2);
  const fit = r['fit'] as { largestBatch: number; probes: { batchSize: number }[] };
  assert.equal(fit.largestBatch, 495, 'the whole split fits in 1 GiB');
  const pilot = r['pilot'] as PilotResult;
  assert.equal(pilot.reached, true);
  assert.equal(pilot.batchSize, 8);
  assert.ok(pilot.measurements.length >= 2 && pilot.measurements[0]!.step === 0);
  assert.ok(pilot.measurements.every((m) => m.bSimple > 0));
  const throughput = r['throughput'] as ThroughputPoint[];
  assert.deepEqual(throughput.map((t) => t.microBatch), [1, 4, 16, 64, 256, 495]);
  // The prediction from the evidence printed with it: the pilot's rate is the grid's winner, its
  // segments come from its measurements, and every candidate — examples, split, rate, time — and
  // the choice follow from those, the throughput, the fit and the two workers.
  // The JSON says what the prediction assumed about the workers and their link.
  assert.equal(r['worldSize'], 2);
  assert.deepEqual(r['communication'], { interconnect: INTERCONNECT_PRESETS['eth10g']!, gradientBytes: 908 });
  const tried = (r['lrTrials'] as (TrialOutcome & { lr: number })[]).map(({ lr, ...outcome }) => ({ lr, outcome }));
  assert.equal(pilot.lr, bestLrTrial(tried)!.lr);
  assert.deepEqual(pilot.segments, segmentsOf(pilot.measurements, 8, pilot.steps));
  const predicted = predictCandidates({
    pilotBatch: 8,
    pilotLr: pilot.lr,
    segments: pilot.segments,
    noisePoints: noisePointsOf(pilot),
    throughput,
    maxMicroBatch: fit.largestBatch,
    worldSize: 2,
    candidates: candidates.map((c) => c.effectiveBatch),
    lrRule: 'noise',
    optimizer: 'momentum',
    trainExamples: 495,
    // mlp.json on 10 features: 10·16 + 16 + 16·3 + 3 = 227 fp32 parameters.
    communication: { interconnect: INTERCONNECT_PRESETS['eth10g']!, gradientBytes: 908 },
    overhead: runOverhead(pilot, 4),
  });
  assert.ok(pilot.setupSeconds > 0 && pilot.validationSeconds > 0 && pilot.warmupSeconds >= 0);
  assert.deepEqual(candidates, predicted);
  assert.equal(r['pilotRuns'], 'to-target');
  assert.equal(r['rangeTest'], null);
  assert.deepEqual(choice, chooseCandidate(predicted));
  const v = r['verification'] as { measured: { status: string; stepsToTarget: number; wallSecondsToTarget: number; secondsToTarget: number }; predicted: Candidate };
  assert.equal(v.measured.status, 'target-reached');
  assert.ok(v.measured.wallSecondsToTarget > v.measured.secondsToTarget, 'the clock runs through validations too');
  assert.equal(v.predicted.effectiveBatch, choice.effectiveBatch);

  const ds = JSON.parse(readFileSync(join(dir, 'ds.json'), 'utf8')) as Record<string, unknown>;
  // The batch, its split, and the warm-up from the noise scale (warmup.ts) travel with the export.
  const warmup = (ds['scheduler'] as { params?: { warmup_num_steps?: number } } | undefined)?.params?.warmup_num_steps ?? 0;
  assert.deepEqual([ds['train_micro_batch_size_per_gpu'], ds['gradient_accumulation_steps'], ds['train_batch_size'], warmup], [choice.microBatch, choice.iterSize, choice.effectiveBatch, choice.warmupSteps]);
  assert.equal(r['exported'], 'ds.json');

  const db = new Database(join(dir, 'r.db'), { readonly: true });
  const count = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t} WHERE run_id = ?`).get(r['run']) as { n: number }).n;
  assert.ok(fit.probes.length > 0);
  assert.equal(count('probes'), fit.probes.length);
  // A first recommendation in a new store measures the machine and keeps each measurement, credited to its run.
  const machine = r['machine'] as Record<string, { reused: boolean }>;
  assert.deepEqual(Object.keys(machine).sort().map((k) => [k, machine[k]!.reused]), [['matmul', false], ['memory', false], ['throughput', false]]);
  assert.deepEqual(db.prepare('SELECT kind FROM machine WHERE run_id = ? ORDER BY kind').pluck().all(r['run']), ['matmul', 'memory', 'throughput']);
  assert.equal(r['throughputCheck'], null, 'a curve measured now is not checked again');
  assert.equal(count('noise'), pilot.measurements.length);
  // The rates tried at the pilot batch (0.05 × ¼, ½, 1, 2, then halvings below or doublings above
  // while the best is on an edge) and the verification are kept as trials.
  const lrTrials = r['lrTrials'] as { lr: number }[];
  const lrs = lrTrials.map((t) => t.lr);
  assert.deepEqual(lrs.slice(0, 4), [0.025, 0.0125, 0.05, 0.1]);
  const search = r['lrSearch'] as { below: number; above: number };
  assert.equal(lrs.length, 4 + search.below + search.above);
  assert.deepEqual([lrs.filter((lr) => lr < 0.0125).length, lrs.filter((lr) => lr > 0.1).length], [search.below, search.above]);
  const keys = (db.prepare('SELECT key FROM trials WHERE run_id = ? ORDER BY key').all(r['run']) as { key: string }[]).map((k) => k.key);
  assert.deepEqual(keys, [...lrs.map((lr) => `pilot-lr-${lr}`), 'verify'].sort());
  const row = db.prepare('SELECT kind, status FROM runs WHERE id = ?').get(r['run']) as { kind: string; status: string };
  db.close();
  assert.deepEqual(row, { kind: 'recommend', status: 'finished' });

  const listed = runCli(['runs', '--db', 'r.db'], dir);
  assertOk(listed);
  assert.match(listed.stdout, /recommend/);
});

// Runs after the first test on the same --db: the same model, data, threads and machine (the
// world size does not change what was measured), so the measurements are reused.
test('the text report leads with the decision and shows its evidence; a second recommend reuses the machine measurements', () => {
  const run = recommend('--memory', '1GiB', '--db', 'r.db');
  assertOk(run);
  const reused = /reused from run (\d+), \d+ (?:s|min) old/;
  assert.match(run.stderr, new RegExp(`^recommend: memory: ${reused.source}…$`, 'm'));
  assert.match(run.stderr, new RegExp(`^recommend: throughput: ${reused.source}…$`, 'm'));
  assert.doesNotMatch(run.stderr, /probe micro-batch/, 'no memory probe ran');
  assert.match(run.stdout, /^ {4}checked at micro-batch \d+: [\d,]+ samples\/s now against [\d,]+ kept/m, 'the evidence says the curve was checked');
  // The reused curve is timed again at one of its points before the prediction.
  assert.match(run.stderr, /^recommend: throughput: the kept curve checked at micro-batch \d+: [\d,]+ samples\/s now against [\d,]+ kept(, within 5%: the prediction uses the kept curve|: the prediction scales the curve ×\d\.\d\d)$/m);
  // The first run trained its pilot to the target: this one, bounded, has no range test or pilots to reuse.
  assert.match(run.stdout, new RegExp(`^  memory fit: ${reused.source}; MatMul rate: ${reused.source}; throughput curve: ${reused.source}; range test: measured now; bounded pilots: measured now \\(--remeasure to measure again\\)$`, 'm'));
  assert.match(run.stdout, /^cost of the advice: [\d.]+ s \(memory [\d.]+ reused, matmul [\d.]+ reused, throughput [\d.]+ reused, checked, learning rate [\d.]+, pilot [\d.]+, prediction [\d.]+\)$/m);
  const runId = Number(/stored: r\.db run (\d+)/.exec(run.stdout)![1]);
  const db = new Database(join(dir, 'r.db'), { readonly: true });
  const probes = (id: number) => (db.prepare('SELECT count(*) AS n FROM probes WHERE run_id = ?').get(id) as { n: number }).n;
  const measuredBy = db.prepare(`SELECT DISTINCT run_id FROM machine WHERE kind IN ('matmul', 'memory', 'throughput')`).pluck().all();
  assert.deepEqual([probes(runId), measuredBy.length], [0, 1], 'the second run stored no probes; the first run measured all');
  assert.equal(Number(reused.exec(run.stdout)![1]), measuredBy[0]);
  assert.ok(probes(measuredBy[0] as number) > 0);
  db.close();

  const again = recommend('--memory', '1GiB', '--db', 'r.db', '--remeasure', '--json', '--verify', '--seeds', '2');
  assertOk(again);
  assert.match(again.stderr, /^recommend: memory: probing peak memory/m);
  const r = lastJson(again);
  // The default, bounded: a range test gives the first rate (its edge ÷ 10) and two halvings; each
  // trains a bounded pilot, and the one with the fewest examples to the target is the pilot. No rate is trained to the target.
  assert.equal(r['pilotRuns'], 'bounded');
  assert.deepEqual(r['lrTrials'], []);
  const range = r['rangeTest'] as { edgeLr: number; lr: number; points: { lr: number }[] };
  const rates = r['pilotRates'] as BoundedRate[];
  assert.deepEqual(rates.map((x) => x.lr), boundedRateGrid(Number((range.edgeLr / 10).toPrecision(3)), 3));
  const bounded = r['pilot'] as PilotResult;
  const fewest = fewestExamples(rates);
  assert.ok(fewest !== null, JSON.stringify(rates));
  assert.equal(bounded.lr, rates[fewest].lr);
  assert.equal(bounded.extrapolation?.examplesToTarget ?? bounded.examples, rates[fewest].examplesToTarget);
  assert.ok(range.points.length > 0 && range.points.length <= 200);
  // 61 updates an epoch at batch 8, a validation every 15: the pilot stops after 45 unless it reached the target first.
  assert.ok(bounded.reached ? bounded.extrapolation === null : bounded.steps === 45 && bounded.extrapolation !== null, JSON.stringify(bounded.extrapolation));
  // --verify --seeds 2: seeds 1 and 2 (the default --seed is 1), their median and range, both kept as trials.
  const v = r['verification'] as { seeds: { seed: number; measured: { stepsToTarget: number | null } }[]; spread: { reached: number; stepsToTarget: { median: number; min: number; max: number } } | null };
  assert.deepEqual(v.seeds.map((s) => s.seed), [1, 2]);
  const steps = v.seeds.map((s) => s.measured.stepsToTarget).filter((x): x is number => x !== null);
  assert.equal(v.spread?.reached ?? 0, steps.length);
  if (steps.length === 2) assert.deepEqual(v.spread!.stepsToTarget, { median: (steps[0]! + steps[1]!) / 2, min: Math.min(...steps), max: Math.max(...steps) });
  const kept = new Database(join(dir, 'r.db'), { readonly: true });
  assert.deepEqual(kept.prepare("SELECT key, seed FROM trials WHERE run_id = ? AND key LIKE 'verify%' ORDER BY seed").all(r['run']), [{ key: 'verify', seed: 1 }, { key: 'verify-s2', seed: 2 }]);
  kept.close();
  const machine = r['machine'] as Record<string, { reused: boolean }>;
  assert.deepEqual([machine['memory']!.reused, machine['matmul']!.reused, machine['throughput']!.reused], [false, false, false]);
  assert.ok((r['fit'] as { probes: unknown[] }).probes.length > 0);
  const after = new Database(join(dir, 'r.db'), { readonly: true });
  assert.deepEqual(after.prepare('SELECT DISTINCT run_id FROM machine').pluck().all(), [r['run']], 'the new measurements replace the old, credited to the run that made them');
  after.close();
  // The cost: the advice's own seconds against the default batch 32's predicted seconds less the choice's.
  const cost = r['cost'] as { spentSeconds: number; savingSeconds: number; default: Candidate; paysOff: boolean; breakEvenRuns: number | null };
  const choice = r['choice'] as Candidate;
  assert.equal(cost.spentSeconds, r['seconds']);
  assert.equal(cost.default.effectiveBatch, 32);
  assert.deepEqual(cost.default, (r['candidates'] as Candidate[]).find((c) => c.effectiveBatch === 32));
  assert.equal(cost.savingSeconds, cost.default.seconds - choice.seconds);
  assert.equal(cost.paysOff, cost.savingSeconds >= cost.spentSeconds);
  assert.equal(cost.breakEvenRuns, cost.savingSeconds > 0 ? Math.ceil(cost.spentSeconds / cost.savingSeconds) : null);

  assert.match(run.stdout, /^recommendation for mlp\.json on blobs\.csv \(momentum\) to 90\.00% validation accuracy within 1\.0 GiB:\n  effective batch \d+ = micro-batch \d+ × iter-size \d+\n/);
  assert.match(run.stdout, /learning rate [\d.e-]+ \(noise rule/);
  assert.match(run.stdout, /memory: largest micro-batch 495 within 1\.0 GiB \(10% margin\)/);
  assert.match(run.stdout, /← chosen/);
  assert.match(run.stdout, /^  learning rate at the pilot batch 8: a range test \(Smith 2017\)/m);
  // The grid's three rates, one row each, the pilot's marked; and a line per rate as each bounded pilot ends.
  assert.match(run.stdout, /^    it does not know the target, so 3 rates from it down by halves each trained a bounded pilot, extrapolated to the target; the fewest examples is the pilot's rate:$/m);
  assert.equal((run.stdout.match(/^ +[\d.e-]+ +[\d.]+% after [\d.]+ epochs +(–|-?[\d.]+) +([\d,]+( \(reached\))?|the bounded pilot .*?) *(← pilot)?$/gm) ?? []).length, 3, run.stdout);
  assert.equal((run.stdout.match(/← pilot$/gm) ?? []).length, 1);
  assert.equal((run.stderr.match(/^  lr [\d.e-]+: (reached the target in|[\d.]+% after .*(EXTRAPOLATED [\d,]+ examples to the target|the bounded pilot))/gm) ?? []).length, 3, run.stderr);
  assert.match(run.stdout, /^  pilot: batch 8, lr [\d.e-]+: (reached the target|trained [\d,]+ examples .* then EXTRAPOLATED)/m);
  assert.match(run.stdout, /s on the clock with building the sessions \([\d.]+ s\) and \d+ validations/);
  assert.match(run.stdout, /^cost of the advice: [\d.]+ s \(memory/m);
  // One worker: no communication anywhere in the report.
  assert.ok(!/all-reduce|communication|interconnect/.test(run.stdout));
});

// Runs after the --remeasure run above, on the same --db, model, data, seed and target: its range test and bounded
// pilots are kept (four: each rate's run unmeasured, the chosen one again measured), and a second trains none again.
test('a second bounded recommend on the same model and data reuses the range test and every bounded pilot, and advises the same', () => {
  const db = new Database(join(dir, 'r.db'), { readonly: true });
  const previous = db.prepare(`SELECT MAX(id) FROM runs WHERE kind = 'recommend'`).pluck().get() as number;
  const summary = JSON.parse(db.prepare('SELECT summary FROM runs WHERE id = ?').pluck().get(previous) as string) as Record<string, unknown>;
  assert.deepEqual(db.prepare('SELECT kind, count(*) AS n FROM machine WHERE run_id = ? GROUP BY kind ORDER BY kind').all(previous).map((k) => Object.values(k as object)), [['matmul', 1], ['memory', 1], ['pilot', 4], ['range-test', 1], ['throughput', 1]]);
  const noiseBefore = db.prepare('SELECT step, b_simple FROM noise WHERE run_id = ? ORDER BY id').all(previous);
  db.close();

  const run = recommend('--memory', '1GiB', '--db', 'r.db', '--json');
  assertOk(run);
  const r = lastJson(run);
  assert.match(run.stderr, new RegExp(`^recommend: lr: range test at batch 8: reused from run ${previous}, \\d+ (?:s|min) old…$`, 'm'));
  assert.equal((run.stderr.match(new RegExp(`^  lr [\\d.e-]+: bounded pilot reused from run ${previous}, `, 'gm')) ?? []).length, 3, run.stderr);
  assert.doesNotMatch(run.stderr, /^  step \d+: loss/m, 'no pilot trained, so no noise measured');
  assert.deepEqual((r['rangeTestProvenance'] as Provenance).runId, previous);
  const rates = r['pilotRates'] as BoundedRate[];
  assert.deepEqual(rates.map((x) => [x.provenance.reused, x.provenance.runId]), [[true, previous], [true, previous], [true, previous]]);
  // The same runs give the same advice: the pilot, the rates' examples and the choice are those of the run that trained them.
  const strip = (x: BoundedRate[]) => x.map(({ provenance: _p, ...rest }) => rest);
  assert.deepEqual(strip(rates), strip(summary['pilotRates'] as BoundedRate[]));
  // The kept curve is checked again, and scaled where the machine's speed moved: then only the seconds differ.
  const check = r['throughputCheck'] as ThroughputCheck;
  assert.ok(check.nowSamplesPerSec > 0);
  const untimed = (c: unknown) => {
    const { samplesPerSec: _s, seconds: _t, wallSeconds: _w, commSeconds: _c, ...rest } = c as Candidate & { wallSeconds: number; commSeconds: number };
    return rest;
  };
  assert.deepEqual((r['candidates'] as Candidate[]).map(untimed), (summary['candidates'] as Candidate[]).map(untimed));
  if (check.scale === 1) assert.deepEqual(r['choice'], summary['choice']);
  const { measurements: _m, ...pilot } = r['pilot'] as PilotResult;
  assert.deepEqual(pilot, summary['pilot']);
  const after = new Database(join(dir, 'r.db'), { readonly: true });
  assert.deepEqual(after.prepare('SELECT step, b_simple FROM noise WHERE run_id = ? ORDER BY id').all(r['run']), noiseBefore, 'the pilot\'s noise is stored with the new run too');
  after.close();
});

// Runs after the reuse test: the grid's pilots are kept; the refined run is new, then kept too.
test('--refine-epochs trains the chosen rate\'s pilot again for longer and predicts from it; a second run reuses it', () => {
  const run = recommend('--memory', '1GiB', '--db', 'r.db', '--refine-epochs', '1.5', '--json');
  assertOk(run);
  const r = lastJson(run);
  const rates = r['pilotRates'] as BoundedRate[];
  const refined = r['refined'] as BoundedRate;
  const pilot = r['pilot'] as PilotResult;
  assert.ok(rates.every((x) => x.provenance.reused), 'the grid\'s pilots came from the store');
  assert.equal(refined.lr, rates[fewestExamples(rates)!]!.lr);
  assert.equal(refined.provenance.reused, false);
  assert.match(run.stderr, new RegExp(`^  refining lr ${refined.lr}: its pilot again to 1\\.5 epochs$`, 'm'));
  assert.match(run.stderr, new RegExp(`^  refined lr ${refined.lr}: `, 'm'));
  // 61 updates an epoch at batch 8, a validation every 15: 1.5 epochs are 92 updates, whole intervals: 105 (7 validations).
  if (refined.examplesToTarget !== null) {
    assert.equal(pilot.lr, refined.lr);
    assert.ok(pilot.reached ? refined.reached : pilot.extrapolation!.seenExamples === 105 * 8, JSON.stringify(pilot.extrapolation));
    assert.equal(pilot.extrapolation?.examplesToTarget ?? pilot.examples, refined.examplesToTarget);
  }
  const again = recommend('--memory', '1GiB', '--db', 'r.db', '--refine-epochs', '1.5');
  assertOk(again);
  assert.match(again.stderr, new RegExp(`^  refining lr ${refined.lr}: its pilot again to 1\\.5 epochs, reused from run ${r['run']}, `, 'm'));
  assert.match(again.stdout, /^cost of the advice: [\d.]+ s \(.*, pilot [\d.]+ reused, prediction/m, 'the grid and the refined run all came from the store');
  assert.match(again.stdout, new RegExp(`; refined pilot: reused from run ${r['run']}, `, 'm'));
  assert.match(again.stdout, new RegExp(`^    refined \\(--refine-epochs\\): lr ${refined.lr} trained again, reused from run ${r['run']}, .*(the prediction runs on this longer run|so the prediction runs on the grid's shorter run)$`, 'm'));
});

test('with --world-size, the report shows the all-reduce each update pays and the workers each batch takes', () => {
  // A link with a second of latency: 6 s per all-reduce over 4 workers, 2 s over 2, against well
  // under a second of compute per update here, so every batch runs on one worker.
  const run = recommend('--memory', '1GiB', '--db', 'w.db', '--world-size', '4', '--interconnect', '1Gbit/s,1s', '--export', 'lightning', '--out', 'l.yaml');
  assertOk(run);
  assert.match(run.stdout, /^ {2}effective batch (\d+) = micro-batch \1 × iter-size 1 × world size 1 \(of the 4 workers: more would spend longer in all-reduce than they save in compute\)$/m);
  // 227 parameters = 908 B.
  assert.match(run.stdout, /^ {2}communication: each update all-reduces 908 B of fp32 gradients \(4 B × 227 parameters\) over given link \(1 Gbit\/s = 125 MB\/s each way, 1 s per message\),$/m);
  assert.match(run.stdout, /^ {2}predicted: [\d.]+ s of training to target, 0\.00 s of it in all-reduce, /m);
  assert.match(run.stdout, /micro × iter × workers +samples\/s +all-reduce ms/);
  assert.match(run.stdout, /^ {2}note: N workers compute at N× one worker's samples\/s; the link's figures are nominal/m);
  const rows = run.stdout.split('\n').filter((l) => /^ {4} *\d+ +\d+ × \d+ × \d+ /.test(l));
  assert.equal(rows.length, 7, run.stdout);
  for (const row of rows) assert.match(row, /^ {4} *(\d+) +\1 × 1 × 1 +[\d,]+ +0\.00 /);
  const yaml = readFileSync(join(dir, 'l.yaml'), 'utf8');
  assert.match(yaml, /^ {2}devices: 1$/m);
  assert.ok(!yaml.includes('torchrun'));
});

test('recommend refuses bad input in one line before any measuring', () => {
  assert.match(assertUserError(recommend('--db', 'e.db', '--memory', 'lots')), /--memory/);
  assert.match(assertUserError(runCli(['recommend', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--db', 'e.db'], dir)), /--target-accuracy is required/);
  assert.match(assertUserError(recommend('--db', 'e.db', '--export', 'hf')), /--export hf cannot express/);
  writeFileSync(join(dir, 'taken.json'), 'keep me');
  assert.match(assertUserError(recommend('--db', 'e.db', '--export', 'deepspeed', '--out', 'taken.json')), /--out taken\.json already exists/);
  assert.equal(readFileSync(join(dir, 'taken.json'), 'utf8'), 'keep me');
  assert.match(assertUserError(recommend('--db', 'e.db', '--pilot-batch', '1000')), /--pilot-batch 1000 is larger than the 495 training examples/);
  assert.match(assertUserError(recommend('--db', 'e.db', '--pilot-rates', '0')), /--pilot-rates.*must be a whole number ≥ 1/);
  assert.equal(assertUserError(recommend('--db', 'e.db', '--refine-epochs', '0.5')), '--refine-epochs 0.5 is not more than --bound-epochs 0.5: give more epochs than the grid\'s pilots trained, or leave it out');
  assert.match(assertUserError(recommend('--db', 'e.db', '--refine-epochs', '2', '--pilot-runs', 'to-target')), /^--refine-epochs refines the bounded pilot; /);
  assert.match(assertUserError(recommend('--db', 'e.db', '--lr-grid', '0.1,0.2')), /^--lr-grid is the grid of --pilot-runs to-target; .* add --pilot-runs to-target or give --lr instead$/);
  assert.match(assertUserError(recommend('--db', 'e.db', '--memory', '1KiB')), /1\.0 KiB|1 KiB|budget/);
  for (const [bad, why] of [['ethernet', /give both figures, or a preset/], ['10Gb,50us', /"10Gb" is not a bandwidth with a unit/], ['10Gbit/s,50', /"50" is not a latency with a unit/]] as const) {
    const line = assertUserError(recommend('--db', 'e.db', '--world-size', '2', '--interconnect', bad));
    assert.match(line, /^--interconnect must be a preset \(eth10g, eth25g, eth100g, pcie4, nvlink3, nvlink4\) or BANDWIDTH,LATENCY such as 10Gbit\/s,50us /);
    assert.match(line, why);
    assert.ok(line.endsWith(`, got "${bad}"`), line);
  }
  const listed = runCli(['runs', '--db', 'e.db'], dir);
  assertOk(listed);
  assert.match(listed.stdout, /no runs/, 'a refused command stores no run');
});

test('recommend --verify-auto --seeds 2: the recommendation and --batch-size auto from the pilot batch, both verified at each seed, in the JSON and the store', () => {
  assert.match(assertUserError(recommend('--verify-auto', '--schedule', 'cosine', '--db', 'auto.db')), /--verify-auto trains --batch-size auto.*drop --schedule/);
  const run = recommend('--memory', '1GiB', '--db', 'auto.db', '--json', '--verify-auto', '--seeds', '2');
  assertOk(run);
  const r = lastJson(run);
  const pilot = r['pilot'] as PilotResult;
  const v = r['verification'] as { seeds: { seed: number }[] };
  assert.deepEqual(v.seeds.map((s) => s.seed), [1, 2], '--verify-auto verifies the recommendation too');
  const a = r['autoVerification'] as {
    startBatch: number; maxBatch: number; lr: number;
    seeds: { seed: number; measured: { status: string; steps: number; secondsToTarget: number | null; auto: { examples: number; changes: number; examplesToTarget: number | null } } }[];
    spread: { reached: number; secondsToTarget: { median: number; min: number; max: number } } | null;
  };
  const candidates = r['candidates'] as Candidate[];
  assert.deepEqual([a.startBatch, a.maxBatch, a.lr], [8, Math.max(...candidates.map((c) => c.effectiveBatch)), Number(pilot.lr.toPrecision(4))]);
  assert.deepEqual(a.seeds.map((s) => s.seed), [1, 2]);
  const db = new Database(join(dir, 'auto.db'), { readonly: true });
  for (const s of a.seeds) {
    const key = s.seed === 1 ? 'verify-auto' : 'verify-auto-s2';
    const row = db.prepare('SELECT batch_size AS b, status, steps, seconds_to_target AS secs FROM trials WHERE run_id = ? AND key = ?').get(r['run'], key) as { b: number; status: string; steps: number; secs: number | null };
    assert.deepEqual(row, { b: 8, status: s.measured.status, steps: s.measured.steps, secs: s.measured.secondsToTarget });
    const changes = db.prepare('SELECT step, micro_batch * iter_size AS b FROM batch_changes WHERE run_id = ? AND trial_key = ? ORDER BY seq').all(r['run'], key) as { step: number; b: number }[];
    assert.equal(changes.length, s.measured.auto.changes);
    assert.deepEqual(changes[0], { step: 0, b: 8 });
    const examples = changes.reduce((sum, c, i) => sum + ((changes[i + 1]?.step ?? s.measured.steps) - c.step) * c.b, 0);
    assert.equal(s.measured.auto.examples, examples, 'examples seen: the sum over its changes');
  }
  db.close();
  const hit = a.seeds.filter((s) => s.measured.secondsToTarget !== null).map((s) => s.measured.secondsToTarget!);
  assert.equal(a.spread?.reached ?? 0, hit.length);
  if (a.spread !== null) assert.deepEqual([a.spread.secondsToTarget.min, a.spread.secondsToTarget.max], [Math.min(...hit), Math.max(...hit)]);
  const text = recommend('--memory', '1GiB', '--db', 'auto.db', '--verify-auto');
  assertOk(text);
  assert.match(text.stdout, /verify --batch-size auto: from batch 8 at lr [\d.]+ \(the pilot's batch and rate\) up to \d+/);
  assert.match(text.stderr, /the throughput curve of auto is reused from run/, 'the second run reuses the curve the first kept');
});
