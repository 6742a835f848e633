/**
 * `batchwise serve` as a user runs it: it prints the URL to open, answers there, and stops cleanly
 * on Ctrl-C; a bad --db, --port or --host is one line and exit 2.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { Store } from '../store/store.js';
import { assertUserError, makeTempDir, removeDir, runCli, startCli } from './testing/cli-fixtures.js';

let dir = '';
before(() => {
  dir = makeTempDir();
  const s = Store.open(join(dir, 'runs.db'));
  s.openRun('fit', 'k', 'mlp on mnist, 1 GiB', {});
  s.close();
  writeFileSync(join(dir, 'not-a-store.txt'), 'hello');
});
after(() => removeDir(dir));

test('serve prints its URL, serves the store there, and exits 0 on Ctrl-C', async () => {
  const { child, done } = startCli(['serve', '--db', 'runs.db', '--port', '0'], dir);
  try {
    const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
    const url = String(first.value);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const runs = (await (await fetch(`${url}api/runs`)).json()) as { runs: { label: string }[] };
    assert.deepEqual(runs.runs.map((r) => r.label), ['mlp on mnist, 1 GiB']);
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /batchwise serve: runs\.db \(read-only\) at http:\/\/127\.0\.0\.1:\d+\/; Ctrl-C to stop\nbatchwise serve: stopped\n$/);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a bad --db, --port or --host is one line naming it, exit 2', async () => {
  assert.match(assertUserError(runCli(['serve', '--db', 'missing.db', '--port', '0'], dir)), /^--db missing\.db: no such file/);
  assert.match(assertUserError(runCli(['serve', '--db', 'not-a-store.txt', '--port', '0'], dir)), /^--db not-a-store\.txt: not a SQLite database/);
  assert.match(assertUserError(runCli(['serve', '--db', 'runs.db', '--port', '70000'], dir)), /^--port must be a port number in \[0, 65535\]/);
  assert.match(assertUserError(runCli(['serve', '--db', 'runs.db', '--port', 'http'], dir)), /^--port must be a port number/);
  assert.match(assertUserError(runCli(['serve', '--db', 'runs.db', '--host', 'a b'], dir)), /^--host must be a host name or an IP address/);
  assert.match(assertUserError(runCli(['serve', '--db', 'runs.db', '--port', '0', '--host', '192.0.2.1'], dir)), /^--host 192\.0\.2\.1 is not an address of this machine/);
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  try {
    const port = (busy.address() as { port: number }).port;
    assert.match(assertUserError(runCli(['serve', '--db', 'runs.db', '--port', String(port)], dir)), new RegExp(`^--port ${port} is already in use; give another --port, or --port 0`));
  } finally {
    busy.close();
  }
});
