/**
 * Ctrl-C while `recommend` or `fit` probes memory: the terminal sends SIGINT to its whole
 * foreground process group. The probe child runs in a group of its own, so only batchwise sees
 * it; batchwise kills the probe and exits 130 with one line, not "nothing fits" as an internal
 * error. And no probe outlives batchwise, however batchwise ends.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { childrenOf, isRunning, type ProcessInfo } from '../testing/processes.js';
import { assertNoStack, makeBlobs, makeTempDir, removeDir, startCli, waitFor, writeBlobsCsv, writeJson } from './testing/cli-fixtures.js';

let dir = '';
const DATA = ['--model', 'mlp.json', '--dataset', 'blobs.csv', '--threads', '1'];
const RECOMMEND = ['recommend', ...DATA, '--target-accuracy', '0.9', '--pilot-batch', '8', '--memory', '1GiB'];
const FIT = ['fit', ...DATA, '--memory', '1GiB'];

before(() => {
  dir = makeTempDir();
  writeBlobsCsv(join(dir, 'blobs.csv'), makeBlobs({ rows: 600, features: 10, classes: 3, seed: 7, separation: 3 }));
  writeJson(join(dir, 'mlp.json'), { layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
});
after(() => removeDir(dir));

/** Starts the command in a group of its own and returns once its first memory probe is running. */
async function duringFirstProbe(args: string[]) {
  const run = startCli(args, dir, true);
  let exited = false;
  void run.done.then(() => (exited = true));
  let probe: ProcessInfo | undefined;
  await waitFor(() => exited || (probe = childrenOf(run.child.pid!, 'probe-child.js')[0]) !== undefined, 'the first probe', 60_000, 5);
  assert.ok(probe, `the first probe started (exited early: ${exited})`);
  return { ...run, probe };
}

for (const [name, args] of [['recommend', RECOMMEND], ['fit', FIT]] as const) {
  test(`${name}: Ctrl-C at the terminal during the first memory probe exits 130 and leaves no probe running`, async () => {
    const { child, done, probe } = await duringFirstProbe([...args]);
    try {
      process.kill(-child.pid!, 'SIGINT');
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    const run = await done;
    assert.equal(run.code, 130, `exit ${run.code} (signal ${run.signal}); stderr:\n${run.stderr}`);
    assertNoStack(run);
    assert.match(run.stderr, /^batchwise: interrupted during the memory probe of micro-batch 1$/m);
    assert.equal(run.stdout, '');
    assert.equal(isRunning(probe.pid), false, 'the probe is gone');
  });
}

test('a probe does not outlive a batchwise that is killed outright', async () => {
  const { child, done, probe } = await duringFirstProbe(RECOMMEND);
  child.kill('SIGKILL');
  const run = await done;
  assert.equal(run.signal, 'SIGKILL');
  // Its IPC channel closes with the parent, and the probe quits by itself.
  await waitFor(() => !isRunning(probe.pid), `probe ${probe.pid} to quit after its parent died`);
});
