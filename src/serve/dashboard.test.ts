/**
 * The dashboard in a real Chromium (Debian's, through playwright-core), with every request that
 * leaves loopback blocked and recorded: the runs list, a run page whose plot draws one point per
 * stored evaluation, and a writer in another process whose trial in progress and finished trial
 * appear on the open page without a reload. Screenshots go to screenshots/ to be looked at.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { Store } from '../store/store.js';
import { launchBrowser, openPage, screenshot, SCREENSHOTS } from '../testing/browser.js';
import { startServer, type RunningServer } from './server.js';
import { seededStoreFile, type Seeded } from './testing/fixtures.js';

let dir = '';
let db = '';
let ids: Seeded;
let reader: Store;
let server: RunningServer;
let browser: Browser;
before(async () => {
  ({ dir, db, ids } = seededStoreFile('bw-dashboard-', 3));
  reader = Store.openReadOnly(db);
  server = await startServer(reader, { host: '127.0.0.1', port: 0 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  reader?.close();
  rmSync(dir, { recursive: true, force: true });
});

const WAIT = { timeout: 20_000 };
/** The validation curves' points and lines (SVG renderer: one path per point, one per line; a point at each evaluation). */
const marks = `(() => { const f = document.getElementById('plot-validation-curves'); return f === null ? { points: -1, lines: -1 } : { points: f.querySelectorAll('g.mark-symbol.role-mark path').length, lines: f.querySelectorAll('g.mark-line.role-mark path').length }; })()`;

test('the runs list shows each run with its kind, label, status and trial count, and links to its page', async () => {
  const w = await openPage(browser);
  await w.page.goto(server.url);
  await w.page.waitForSelector('#runs tbody tr', WAIT);
  const rows = await w.page.$$eval('#runs tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.deepEqual(
    rows.map((r) => [r[0], r[1], r[2], r[4], r[5]]),
    [
      [String(ids.fitId), 'fit', 'mlp on blobs, 1 GiB', 'finished', '0'],
      [String(ids.sweepId), 'sweep', 'mlp on blobs, momentum, target 0.9 <b>bold</b>', 'running', '3'],
    ],
    'the label is shown as text, its markup not interpreted',
  );
  assert.equal(await w.page.locator('#runs b').count(), 0);
  await screenshot(w.page, join(SCREENSHOTS, 'serve-runs.png'));
  await w.page.click(`a[href="/runs/${ids.sweepId}"]`);
  await w.page.waitForURL(`**/runs/${ids.sweepId}`, WAIT);
  assert.deepEqual(w.errors, []);
  assert.deepEqual(w.blocked, []);
});

test('a run page draws its plot and follows a writer in another process without a reload', async () => {
  const w = await openPage(browser);
  await w.page.goto(`${server.url}runs/${ids.sweepId}`);
  // Three trials of four evaluations each: 12 points on 3 lines.
  await w.page.waitForFunction(`${marks}.points === 12`, undefined, WAIT);
  assert.deepEqual(await w.page.evaluate(marks), { points: 12, lines: 3 });
  assert.equal(await w.page.locator('#trials tbody tr').count(), 3);
  assert.equal(await w.page.textContent('#status'), 'running');
  await w.page.evaluate('window.notReloaded = true');

  const child = spawn(process.execPath, [fileURLToPath(new URL('../testing/store-writer-child.js', import.meta.url)), db, String(ids.sweepId), '2', 'stdin'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const said = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  // A guard against a hang, not a timing check: a writer that stops talking fails the test.
  const next = () =>
    Promise.race([
      said.next().then((r) => String(r.value)),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the writer said nothing for 60 s')), 60_000).unref()),
    ]);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    for (const [i, batch] of [128, 256].entries()) {
      const key = `B=${batch} lr=0.05 seed=1`;
      assert.equal(await next(), `progress ${key}`);
      await w.page.waitForFunction(`document.getElementById('progress').textContent.includes(${JSON.stringify(key)})`, undefined, WAIT);
      assert.match(String(await w.page.textContent('#progress')), new RegExp(`trial ${i + 1}/2 · ${key} · B ${batch} · lr 0\\.05 · step 7 · ${(7 * batch).toLocaleString('en-US')} examples · val acc 50\\.00%`));
      if (i === 0) await screenshot(w.page, join(SCREENSHOTS, 'serve-run-in-progress.png'));
      child.stdin!.write('\n');
      assert.equal(await next(), `recorded ${key}`);
      await w.page.waitForSelector(`#trials tr[data-trial="${key}"]`, WAIT);
      await w.page.waitForFunction(`${marks}.points === ${12 + 4 * (i + 1)}`, undefined, WAIT);
      assert.equal(await w.page.isHidden('#progress'), true, 'a recorded trial is no longer shown as in progress');
      child.stdin!.write('\n');
    }
    child.stdin!.end();
    assert.equal(await exited, 0);
  } finally {
    child.stdin!.end();
    child.kill('SIGKILL');
  }
  assert.deepEqual(await w.page.evaluate(marks), { points: 20, lines: 5 });
  assert.deepEqual(await w.page.$$eval('#trials tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent)), ['8', '16', '32', '128', '256']);
  assert.equal(await w.page.evaluate('window.notReloaded'), true, 'the same page, not reloaded');
  await screenshot(w.page, join(SCREENSHOTS, 'serve-run.png'));
  assert.deepEqual(w.errors, []);
  assert.deepEqual(w.blocked, []);
});

test('an unknown run and a bad path answer with their status in the browser too, and the server still serves', async () => {
  const w = await openPage(browser);
  assert.equal((await w.page.goto(`${server.url}runs/999`))!.status(), 404);
  assert.equal((await w.page.goto(`${server.url}api/runs/${ids.sweepId}/trials?after=abc`))!.status(), 400);
  assert.equal((await w.page.goto(server.url))!.status(), 200);
});
