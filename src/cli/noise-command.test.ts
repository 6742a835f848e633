import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertNoStack, assertOk, assertUserError, lastJson, makeBlobs, makeTempDir, removeDir, runCli, writeBlobsCsv, writeJson } from './testing/cli-fixtures.js';

let dir = '';
const BASE = ['noise', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--threads', '1', '--batch-size', '15', '--lr', '0.05', '--b-small', '5', '--b-big', '40', '--rounds', '4'];
const noise = (...args: string[]) => runCli([...BASE, ...args], dir);

before(() => {
  dir = makeTempDir();
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 600, features: 10, classes: 3, seed: 7, separation: 3 }));
  writeJson(join(dir, 'mlp.json'), { layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
});
after(() => removeDir(dir));

interface M { step: number; epochs: number; bSimple: number; bSimpleLow: number; bSimpleHigh: number | null; bSmall: number; bBig: number; trainLoss: number }

test('noise --json: measurements at step 0 and every --every updates, with B_simple inside its interval, kept in --db', () => {
  const run = noise('--epochs', '2', '--every', '10', '--db', 'n.db', '--json');
  assertOk(run);
  assertNoStack(run);
  const r = lastJson(run);
  assert.match(run.stderr, new RegExp(`batchwise: see the evidence: batchwise report --db n\\.db --run ${r['run']} --out run-${r['run']}\\.html\\n$`), 'ends by naming the report command for its run');
  // 495 training examples in batches of 15: 33 updates an epoch, 66 in two.
  assert.deepEqual([r['stepsPerEpoch'], r['every']], [33, 10]);
  const ms = r['measurements'] as M[];
  assert.deepEqual(ms.map((m) => m.step), [0, 10, 20, 30, 40, 50, 60, 66]);
  for (const m of ms) {
    assert.equal(m.epochs, m.step / 33);
    assert.deepEqual([m.bSmall, m.bBig], [5, 40]);
    assert.ok(m.bSimple > 0 && m.bSimpleLow <= m.bSimple && (m.bSimpleHigh === null || m.bSimple <= m.bSimpleHigh), `step ${m.step}: ${m.bSimpleLow} ≤ ${m.bSimple} ≤ ${m.bSimpleHigh}`);
  }
  assert.ok(ms[ms.length - 1]!.trainLoss < ms[0]!.trainLoss / 3, 'the loss falls while measuring');
  const stored = JSON.parse(runCli(['runs', '--db', 'n.db', '--run', String(r['run']), '--export', 'json', '--table', 'noise'], dir).stdout) as M[];
  assert.deepEqual(stored.map((m) => m.step), ms.map((m) => m.step));
  assert.equal(stored[3]!.bSimple, ms[3]!.bSimple);
});

test('noise: the text table and its default of ten measurements an epoch', () => {
  const run = noise();
  assertOk(run);
  assert.match(run.stdout, /^gradient noise scale B_simple = tr Σ \/ \|G\|² along training/);
  assert.match(run.stderr, /B_simple every 3 updates from 4 × 40 examples \(B_small 5\)/);
  // Steps 0, 3, …, 33: twelve rows under the header and its rule.
  assert.equal(run.stdout.trimEnd().split('\n').filter((l) => /^\s*\d+\s+\d\.\d\d\s/.test(l)).length, 12);
});

test('noise --weight-decay: the measured gradient is g + λθ, as training steps on: same tr Σ at step 0, a larger |G|²', () => {
  const at0 = (...extra: string[]) => {
    const run = noise('--epochs', '1', '--every', '33', '--json', ...extra);
    assertOk(run);
    return (lastJson(run)['measurements'] as (M & { gradSq: number; traceSigma: number })[])[0]!;
  };
  const plain = at0();
  const decayed = at0('--weight-decay', '0.5');
  assert.equal(decayed.step, 0);
  assert.ok(Math.abs(decayed.traceSigma / plain.traceSigma - 1) < 1e-4, `tr Σ ${decayed.traceSigma} vs ${plain.traceSigma}`);
  assert.ok(decayed.gradSq > 1.5 * plain.gradSq, `|G + λθ|² ${decayed.gradSq} vs |G|² ${plain.gradSq}`);
});

test('noise: bad sizes are one line, exit 2', () => {
  assert.match(assertUserError(noise('--b-big', '42')), /--b-big 42 must be a multiple of --b-small 5 and at least twice it, e\.g\. --b-big 80/);
  assert.match(assertUserError(noise('--every', '0')), /--every must be a whole number ≥ 1/);
});
