/**
 * The browser lab in a real Chromium (Debian's, through playwright-core), served by `batchwise
 * serve` with every request that leaves loopback blocked and recorded: it trains in the page on
 * onnxruntime-web, draws the paths on the contours, and moving the batch-size slider redraws a
 * different path and writes the URL. Screenshots go to screenshots/ to be looked at.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { writeLabSite } from '../lab/web/site.js';
import { openPage, screenshot, SCREENSHOTS } from '../testing/browser.js';
import { servedBrowser } from '../testing/served-browser.js';

const lab = servedBrowser('bw-lab-');

const WAIT = { timeout: 60_000 };
const origin = () => lab.server.url.replace(/\/$/, '');

/** The drawn SGD paths: the d attribute of every line vega drew in the paths plot (one per batch size, after the contours). */
const pathData = (page: Page) => page.$$eval('#plot-zigzag-paths g.mark-line.role-mark path', (ps) => ps.map((p) => p.getAttribute('d') ?? ''));
const waitDraws = (page: Page, n: number) => page.waitForFunction((k) => Number(document.body.dataset['draws'] ?? 0) >= k, n, WAIT);

test('the lab trains the zigzag in the page, cross-origin isolated, with no console error and nothing leaving localhost', async () => {
  const w = await openPage(lab.browser);
  const res = await w.page.goto(`${origin()}/lab?B=4&lr=0.3&kappa=20&seed=2`);
  assert.equal(new URL(w.page.url()).pathname, '/lab/', '/lab redirects to /lab/ and keeps the query');
  assert.equal(res?.headers()['cross-origin-embedder-policy'], 'require-corp');
  await waitDraws(w.page, 1);
  assert.equal(await w.page.evaluate(() => self.crossOriginIsolated), true);
  assert.match((await w.page.textContent('#status')) ?? '', /^trained \d+ updates in \d+ ms on onnxruntime-web \(wasm, \d+ threads?\)$/);
  // The URL's state is the view: B = 4, κ = 20 on the sliders, and B = 1, 4 and 64 (full) in the table.
  assert.deepEqual(await w.page.$$eval('#controls input', (xs) => xs.map((x) => (x as HTMLInputElement).value)), ['4', '0.3', '20', '2']);
  const table = await w.page.$$eval('#figures tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.deepEqual(table.map((r) => [r[0], r[1]]), [['1', '640'], ['4', '160'], ['64 (full)', '10']]);
  const ratio = table.map((r) => Number(r[2]));
  assert.ok(ratio[0]! > 3 * ratio[2]!, `B = 1 zig-zags (path/displacement ${ratio[0]}) far more than the full batch (${ratio[2]})`);
  // 6 contour lines, then one line per batch size.
  assert.equal((await pathData(w.page)).length, 6 + 3);
  await screenshot(w.page, join(SCREENSHOTS, 'lab-zigzag.png'));
  assert.deepEqual(w.errors, []);
  assert.deepEqual(w.blocked, []);
});

test('moving the batch-size slider redraws a different mini-batch path and writes the new B into the URL', async () => {
  const w = await openPage(lab.browser);
  await w.page.goto(`${origin()}/lab/?B=8&lr=0.25&kappa=10&seed=1`);
  await waitDraws(w.page, 1);
  const before = await pathData(w.page);
  await w.page.$eval('#batch', (el) => {
    const input = el as HTMLInputElement;
    input.value = '32';
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await waitDraws(w.page, 2);
  const after = await pathData(w.page);
  assert.equal(new URL(w.page.url()).searchParams.get('B'), '32');
  assert.equal(await w.page.textContent('#batch-value'), '32');
  assert.equal(after.length, before.length);
  // The contours, B = 1's path and the full batch's stay; the mini-batch's path changes.
  const changed = after.filter((d, i) => d !== before[i]).length;
  assert.equal(changed, 1, 'exactly one drawn path differs: the mini-batch one');
  const rows = await w.page.$$eval('#figures tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(rows, ['1', '32', '64 (full)']);
  await screenshot(w.page, join(SCREENSHOTS, 'lab-zigzag-b32.png'));
  assert.deepEqual(w.errors, []);
  assert.deepEqual(w.blocked, []);
});

test('the static folder from lab --web, on a plain static server without isolation headers, trains on one thread', async () => {
  const site = join(lab.dir, 'site');
  const files = new Set(writeLabSite(site));
  const types: Record<string, string> = { html: 'text/html', js: 'text/javascript', mjs: 'text/javascript', wasm: 'application/wasm' };
  const plain = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1)) || 'index.html';
    if (!files.has(name)) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': types[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream' }).end(readFileSync(join(site, name)));
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  try {
    const w = await openPage(lab.browser);
    await w.page.goto(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/?B=16&kappa=5`);
    await waitDraws(w.page, 1);
    assert.equal(await w.page.evaluate(() => self.crossOriginIsolated), false);
    assert.match((await w.page.textContent('#status')) ?? '', /on onnxruntime-web \(wasm, 1 thread\)$/);
    assert.deepEqual(await w.page.$$eval('#figures tbody tr td:first-child', (tds) => tds.map((td) => td.textContent)), ['1', '16', '64 (full)']);
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.blocked, []);
  } finally {
    plain.closeAllConnections();
    await new Promise((r) => plain.close(r));
  }
});

test('the in-page MNIST run (mnist=1 in the URL) trains every batch size side by side and its held-out loss falls', async () => {
  const w = await openPage(lab.browser);
  await w.page.goto(`${origin()}/lab/?B=8&mnist=1`);
  await w.page.waitForFunction(() => document.body.dataset['mnist'] === 'done', undefined, { timeout: 240_000 });
  const rows = await w.page.$$eval('#mnist-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  assert.deepEqual(rows.map((r) => [r[0], r[2]]), [['4', '4000'], ['32', '4000'], ['256', '4000']]);
  for (const r of rows) {
    const [start, now, accuracy] = [Number(r[3]), Number(r[4]), Number(r[5]!.replace('%', ''))];
    assert.ok(now < 0.6 * start, `B = ${r[0]}: held-out loss ${start} → ${now}`);
    assert.ok(accuracy > 60, `B = ${r[0]}: accuracy ${accuracy}%`);
  }
  // One line per batch size in each of the two charts, drawn from the live points.
  assert.equal(await w.page.$$eval('#mnist-chart g.mark-line.role-mark path', (ps) => ps.length), 6);
  await screenshot(w.page, join(SCREENSHOTS, 'lab-mnist.png'));
  assert.deepEqual(w.errors, []);
  assert.deepEqual(w.blocked, []);
});
