import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Backtest } from '../recommend/bounded/backtest.js';
import type { PilotResult } from '../recommend/pilot.js';
import { assertOk, lastJson, makeBlobs, makeTempDir, removeDir, runCli, writeBlobsCsv, writeJson } from './testing/cli-fixtures.js';

let dir = '';
// Blobs that overlap enough that half an epoch at batch 8 stops short of 93%: the pilot extrapolates.
const BASE = ['recommend', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--threads', '1', '--target-accuracy', '0.93', '--pilot-batch', '8', '--lr', '0.05', '--evals-per-epoch', '8', '--memory', '1GiB', '--db', 'b.db'];
const recommend = (...args: string[]) => runCli([...BASE, ...args], dir, 180_000);

before(() => {
  dir = makeTempDir();
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 1200, features: 10, classes: 3, seed: 7, separation: 1.5 }));
  writeJson(join(dir, 'mlp.json'), { layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
});
after(() => removeDir(dir));

interface Seed { seed: number; measured: { status: string } }

test('the pilot\'s extrapolation is back-tested on the runs of its problem the store kept before it, and says how far to trust the steps', () => {
  const first = recommend('--verify', '--seeds', '3', '--json');
  assertOk(first);
  const r1 = lastJson(first);
  const x = (r1['pilot'] as PilotResult).extrapolation;
  assert.ok(x !== null, 'the pilot stopped short of the target and extrapolated');
  const b1 = r1['backtest'] as Backtest;
  // Its own verification came after the advice: nothing to test on yet.
  assert.equal(b1.stretch, x.examplesToTarget / x.seenExamples);
  assert.deepEqual([b1.reached, b1.cases, b1.median], [0, [], null]);

  // The second advice has the first one's verifications to test on: those that reached the target.
  const second = recommend('--json');
  assertOk(second);
  const r2 = lastJson(second);
  const b2 = r2['backtest'] as Backtest;
  const reached = (r1['verification'] as { seeds: Seed[] }).seeds.filter((s) => s.measured.status === 'target-reached');
  assert.ok(reached.length >= 1);
  assert.equal(b2.reached, reached.length);
  assert.ok(b2.cases.length >= 1 && b2.cases.length <= reached.length);
  for (const c of b2.cases) {
    assert.match(c.source, new RegExp(`^run ${r1['run']}, verify(-s\\d)?$`));
    assert.ok(Math.abs(Math.log(c.stretch / b2.stretch)) <= Math.log(1.5), `cut at ${c.stretch} for a pilot at ${b2.stretch}`);
  }
  // The text: how far the extrapolation reached, the band, and the steps predicted read through it.
  const text = recommend();
  assertOk(text);
  const steps = Number(/^  predicted: [\d.]+ s of training to target, ([\d,]+) steps/m.exec(text.stdout)![1]!.replace(/,/g, ''));
  const n = b2.cases.length;
  const [head, line] = text.stdout.split('\n').filter((l) => l.startsWith('  extrapolated: ') || l.startsWith('  back-tested on '));
  assert.equal(head, `  extrapolated: the pilot's examples to the target lie ${b2.stretch.toFixed(2)}× beyond what it trained`);
  assert.ok(line !== undefined, text.stdout);
  const f = (v: number) => Math.round(v).toLocaleString('en-US');
  if (n === 1) assert.ok(line.endsWith(`it took ${b2.median!.toFixed(2)}× what it said, so the ${f(steps)} steps predicted could be about ${f(steps * b2.median!)} (one run gives no spread)`), line);
  else assert.ok(line.includes(`they took ${b2.low!.toFixed(2)}–${b2.high!.toFixed(2)}× what it said (all ${n}; median ${b2.median!.toFixed(2)}×`) && line.endsWith(`could be about ${f(steps * b2.low!)}–${f(steps * b2.high!)}`), line);
});

test('an advice on a fresh store says its extrapolation is not back-tested, and why', () => {
  const run = runCli([...BASE.map((a) => (a === 'b.db' ? 'fresh.db' : a))], dir, 180_000);
  assertOk(run);
  assert.match(run.stdout, /^  extrapolated: the pilot's examples to the target lie [\d.]+× beyond what it trained\n  not back-tested: no run of this problem kept in the store reached the target \(a sweep or --verify of it would give one\)$/m);
});
