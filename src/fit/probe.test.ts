/**
 * Real probes in real child processes, on synthetic data held in memory (the child reads only the
 * files the parent writes): peaks grow with the batch, a probe over budget is killed and reported
 * while the caller lives on, timeouts, crashes and user errors come back as what they are, and a
 * stop kills a probe that runs in its own process group.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Interrupted, UserError } from '../errors.js';
import { childrenOf, isRunning, processInfo, type ProcessInfo } from '../testing/processes.js';
import { FIT_CLASSES, FIT_FEATURES, FIT_HIDDEN, syntheticSplits, wideConfig } from '../testing/fit-fixtures.js';
import { probeInChild, type ProbeRequest } from './probe.js';
import { readProbeData, writeProbeData, type ProbeDataFile } from './probe-data.js';

const FEATURES = FIT_FEATURES;
const HIDDEN = FIT_HIDDEN;
const MIB = 2 ** 20;
const config = wideConfig;
const synthetic = syntheticSplits;

let dir = '';
let file: ProbeDataFile;
const request = (microBatch: number, over: Partial<ProbeRequest> = {}): ProbeRequest => ({ config, microBatch, updates: 2, data: file, ...over });
const roomy = { killAboveBytes: 4096 * MIB, timeoutSeconds: 120 };

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'batchwise-probe-'));
  file = writeProbeData(synthetic(), dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('probe data: the child reads back exactly the first rows, with empty validation and test splits', () => {
  const d = readProbeData(file, 3);
  assert.deepEqual(Array.from(d.train.x), Array.from(synthetic().train.x.subarray(0, 3 * FEATURES)));
  assert.deepEqual(Array.from(d.train.y), [0, 1, 2]);
  assert.deepEqual([d.train.count, d.validation.count, d.test.count, d.numClasses], [3, 0, 0, FIT_CLASSES]);
  assert.deepEqual(d.featureShape, [FEATURES]);
  assert.deepEqual([Array.from(d.normalization.mean), Array.from(d.normalization.std)], [[0.5], [2]]);
});

test('the peak grows with the micro-batch by at least one hidden activation', async () => {
  const small = await probeInChild(request(16), roomy);
  const big = await probeInChild(request(4000), roomy);
  for (const r of [small, big]) {
    assert.equal(r.ok, true, `probe failed: ${r.reason}`);
    assert.equal(r.reason, null);
    assert.equal(r.killed, false);
    assert.ok(r.baselineBytes! > 10 * MIB, `a Node process with ONNX Runtime loaded holds more than 10 MiB, got ${r.baselineBytes}`);
    assert.ok(r.peakBytes! > 0 && r.seconds > 0);
  }
  // 3984 more rows of the [B, 2048] float32 hidden layer must be live at once during the step.
  const oneActivation = (4000 - 16) * HIDDEN * 4;
  assert.ok(big.peakBytes! - small.peakBytes! >= oneActivation, `peaks ${small.peakBytes} at 16 and ${big.peakBytes} at 4000 differ by less than ${oneActivation}`);
});

test('a probe over a tiny budget is killed and reported not-ok; the caller carries on', async () => {
  const r = await probeInChild(request(4000), { killAboveBytes: 1 * MIB, timeoutSeconds: 120 });
  assert.deepEqual([r.ok, r.peakBytes, r.reason, r.killed], [false, null, 'over budget', true]);
  assert.ok(r.sampledPeakBytes! > 1 * MIB, `the parent saw ${r.sampledPeakBytes} above baseline`);
  // Still alive and able to probe again.
  const again = await probeInChild(request(4), roomy);
  assert.equal(again.ok, true);
});

test('a probe past its timeout is killed and says so', async () => {
  const r = await probeInChild(request(4), { killAboveBytes: 4096 * MIB, timeoutSeconds: 0.01 });
  assert.deepEqual([r.ok, r.peakBytes, r.reason, r.killed], [false, null, 'timeout after 0.01 s', true]);
});

test('a child that fails reports why; a mistake in the config comes back as the UserError it is', async () => {
  const broken = await probeInChild(request(4, { data: { ...file, xPath: join(dir, 'missing.f32') } }), roomy);
  assert.equal(broken.ok, false);
  assert.match(broken.reason!, /^failed: ENOENT: no such file or directory, open '.*missing\.f32'$/);
  assert.equal(broken.killed, false);
  await assert.rejects(probeInChild(request(4, { config: { ...config, optimizer: 'irprop+', iterSize: 2 } }), roomy), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, /--optimizer irprop\+ compares whole-data losses between updates, so it needs --batch-size full/);
    return true;
  });
});

test('the probe runs in its own process group; a stop kills it at once and rejects with Interrupted', async () => {
  // A FIFO with no writer: the child blocks reading its examples, so it is mid-probe for as long as the test needs.
  const fifo = join(dir, 'never.f32');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  let stop = false;
  const probing = probeInChild(request(4, { data: { ...file, xPath: fifo } }), { ...roomy, timeoutSeconds: 30, shouldStop: () => stop });
  let child: ProcessInfo | undefined;
  for (let i = 0; i < 1000 && child === undefined; i++) {
    child = childrenOf(process.pid, 'probe-child.js')[0];
    if (child === undefined) await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(child, 'the probe child is running');
  // A Ctrl-C at the terminal goes to the foreground group, which this one is not.
  assert.equal(child.pgrp, child.pid, 'the child leads its own process group');
  assert.notEqual(child.pgrp, processInfo(process.pid)!.pgrp);
  stop = true;
  await assert.rejects(probing, (e: unknown) => {
    assert.ok(e instanceof Interrupted, `rejected with ${String(e)}`);
    assert.equal(e.message, 'interrupted during the memory probe of micro-batch 4');
    return true;
  });
  assert.equal(isRunning(child.pid), false, 'the child is gone');
});
