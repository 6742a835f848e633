/**
 * The server over real sockets: the token and Host gates, hostile requests (huge headers, a
 * request that never finishes, raw traversal targets) that must not stop it, and a writer in
 * another process that keeps committing while the server is polled hard.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Store } from '../store/store.js';
import { startServer, type RunningServer } from './server.js';
import { seededStoreFile, type Seeded } from './testing/fixtures.js';

let dir = '';
let db = '';
let ids: Seeded;
let reader: Store;
before(() => {
  ({ dir, db, ids } = seededStoreFile('bw-server-', 2));
  reader = Store.openReadOnly(db);
});
after(() => {
  reader.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function httpGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Raw bytes on a socket, and everything the server says back until it closes the connection. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.setEncoding('utf8').on('data', (d: string) => (got += d));
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

async function withServer(o: { host?: string; timeoutMs?: number }, fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer(reader, { host: o.host ?? '127.0.0.1', port: 0, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

test('loopback: no token; a Host that is not loopback is refused (DNS rebinding); HEAD has no body', async () => {
  await withServer({}, async (s) => {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(s.token, null);
    const ok = await httpGet(s.port, '/api/runs');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal((await httpGet(s.port, '/api/runs', { Host: `localhost:${s.port}` })).status, 200);
    assert.equal((await httpGet(s.port, '/api/runs', { Host: 'attacker.example' })).status, 403);
    const head = await httpGet(s.port, '/', {}, 'HEAD');
    assert.deepEqual([head.status, head.body], [200, '']);
    assert.match(String(head.headers['content-security-policy']), /default-src 'none'/);
  });
});

test('a lab file the browser holds is revalidated over HTTP: 304 with its tag and no body, the dashboard stays no-store', async () => {
  await withServer({}, async (s) => {
    const first = await httpGet(s.port, '/lab/ort/ort.wasm.min.mjs');
    assert.equal(first.status, 200);
    const etag = String(first.headers['etag']);
    assert.equal(first.headers['cache-control'], 'no-cache');
    assert.ok(first.body.length > 10_000);
    const again = await httpGet(s.port, '/lab/ort/ort.wasm.min.mjs', { 'If-None-Match': etag });
    assert.deepEqual([again.status, again.body, again.headers['etag'], again.headers['content-length']], [304, '', etag, undefined]);
    assert.equal((await httpGet(s.port, '/api/runs', { 'If-None-Match': etag })).headers['cache-control'], 'no-store');
  });
});

test('any other host needs the printed token: refused without it, accepted with it, then by cookie', async () => {
  await withServer({ host: '0.0.0.0' }, async (s) => {
    assert.match(s.url, /^http:\/\/0\.0\.0\.0:\d+\/\?token=[0-9a-f]{48}$/);
    const token = s.token!;
    assert.equal((await httpGet(s.port, '/api/runs')).status, 403);
    assert.equal((await httpGet(s.port, '/api/runs?token=wrong')).status, 403);
    assert.equal((await httpGet(s.port, `/api/runs?token=${token.slice(0, -1)}`)).status, 403);
    const first = await httpGet(s.port, `/?token=${token}`);
    assert.equal(first.status, 200);
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    assert.equal(cookie, `batchwise_token=${token}`);
    assert.match(String(first.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    assert.equal((await httpGet(s.port, `/runs/${ids.sweepId}`, { Cookie: cookie })).status, 200);
    assert.equal((await httpGet(s.port, '/api/runs', { Cookie: 'batchwise_token=nope' })).status, 403);
  });
});

test('hostile requests get an error and the server keeps serving', async () => {
  await withServer({ timeoutMs: 1_500 }, async (s) => {
    const huge = await httpGet(s.port, '/api/runs', { 'X-Big': 'x'.repeat(64 * 1024) }).catch((e: Error) => ({ status: -1, body: e.message }));
    assert.ok(huge.status === 431 || huge.status === -1, `huge header: ${huge.status}`);
    assert.match(await raw(s.port, 'GET /../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await raw(s.port, 'GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await raw(s.port, 'NONSENSE\r\n\r\n'), /^HTTP\/1\.1 400/);
    // A client that sends half a request and stalls: the server drops it; meanwhile others are served.
    const stalled = raw(s.port, 'GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    assert.equal((await httpGet(s.port, '/api/runs')).status, 200);
    const said = await stalled;
    assert.ok(!said.includes('200 OK'), `the stalled request was not answered as complete: ${said}`);
    assert.equal((await httpGet(s.port, `/api/runs/${ids.sweepId}/trials?after=abc`)).status, 400);
    assert.equal((await httpGet(s.port, '/api/runs')).status, 200);
  });
});

test('a writer in another process commits every trial while the server is polled without pause', async () => {
  await withServer({}, async (s) => {
    const child = fileURLToPath(new URL('../testing/store-writer-child.js', import.meta.url));
    const count = 12;
    let done = false;
    const writer = new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [child, db, String(ids.sweepId), String(count), '5'], (e, stdout) => (e ? reject(e) : resolve(stdout))),
    ).finally(() => (done = true));
    let cursor = 0;
    const seen: string[] = [];
    while (!done) {
      const r = JSON.parse((await httpGet(s.port, `/api/runs/${ids.sweepId}/trials?after=${cursor}`)).body) as { cursor: number; trials: { key: string }[] };
      seen.push(...r.trials.map((t) => t.key));
      cursor = r.cursor;
      await httpGet(s.port, `/api/runs/${ids.sweepId}`);
    }
    const out = JSON.parse(await writer) as { keys: string[] };
    assert.equal(out.keys.length, count, 'the writer committed every trial');
    const last = JSON.parse((await httpGet(s.port, `/api/runs/${ids.sweepId}/trials?after=${cursor}`)).body) as { trials: { key: string }[] };
    seen.push(...last.trials.map((t) => t.key));
    const initial = ['B=8 lr=0.05 seed=1', 'B=16 lr=0.05 seed=1'];
    assert.deepEqual(seen, [...initial, ...out.keys], 'the cursor saw each trial once, in order');
    assert.equal(reader.trials(ids.sweepId).length, initial.length + count);
  });
});
