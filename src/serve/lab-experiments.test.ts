/**
 * The browser lab's experiment pages in Debian's Chromium, served by `batchwise serve`, every
 * request leaving loopback blocked and recorded: each trains in the page with fixed seeds, draws
 * a figure that bears its claim out, and redraws a different result, with the URL rewritten, when
 * a control changes. The zig-zag's optimizer selector is checked here too. Screenshots go to
 * screenshots/ to be looked at. Settings are the smallest that still show each claim, for CI's 2 cores.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { openPage, screenshot, SCREENSHOTS, type WatchedPage } from '../testing/browser.js';
import { servedBrowser } from '../testing/served-browser.js';

const lab = servedBrowser('bw-labx-');

const WAIT = { timeout: 300_000 };
const waitDraws = (page: Page, n: number) => page.waitForFunction((k) => Number(document.body.dataset['draws'] ?? 0) >= k || document.getElementById('status')?.className === 'error', n, WAIT);
const table = (page: Page) => page.$$eval('#figures tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));

async function open(path: string): Promise<WatchedPage> {
  const w = await openPage(lab.browser);
  await w.page.goto(`${lab.server.url.replace(/\/$/, '')}/lab/${path}`, WAIT);
  await waitDraws(w.page, 1);
  assert.equal(await w.page.getAttribute('#status', 'class'), '', (await w.page.textContent('#status')) ?? '');
  return w;
}

/** Sets a control as a person would and waits for the redraw. */
async function change(w: WatchedPage, id: string, value: string, draws: number): Promise<void> {
  await w.page.$eval(`#${id}`, (el, v) => {
    (el as HTMLInputElement).value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
  await waitDraws(w.page, draws);
}

/** No console error, nothing refused; then the page goes, so its wasm threads stop competing with the next test's. */
async function finish(w: WatchedPage): Promise<void> {
  assert.deepEqual(w.errors, []);
  assert.deepEqual(w.blocked, []);
  await w.page.context().close();
}

test('rprop page: on MNIST mini-batch iRprop− ends far above full-batch iRprop− while RMSProp copes; switching to the paraboloid redraws', async () => {
  const w = await open('rprop.html?problem=mnist&B=32&epochs=8&seed=1');
  const rows = await table(w.page);
  assert.deepEqual(rows.map((r) => [r[0], r[1], r[3]]), [['iRprop− full batch', '500', '8'], ['iRprop− mini-batch', '32', '120'], ['RMSProp mini-batch', '32', '120'], ['SGD mini-batch', '32', '120']]);
  const [full, mini, rms] = rows.map((r) => Number(r[4]));
  assert.ok(mini! > 2 * full! && rms! < mini! / 2, `final training loss: full ${full}, mini ${mini}, RMSProp ${rms}`);
  assert.equal(await w.page.getAttribute('body', 'data-holds'), 'true');
  assert.deepEqual(await w.page.$$eval('#plots figure', (fs) => fs.map((f) => f.id)), ['plot-rprop-loss', 'plot-rprop-accuracy', 'plot-rprop-flips']);
  await screenshot(w.page, join(SCREENSHOTS, 'lab-rprop.png'));
  await change(w, 'problem', 'synthetic', 2);
  assert.equal(new URL(w.page.url()).searchParams.get('problem'), 'synthetic');
  const synthetic = await table(w.page);
  assert.deepEqual(synthetic.map((r) => r[1]), ['256', '32', '32', '32']);
  assert.notDeepEqual(synthetic.map((r) => r[4]), rows.map((r) => r[4]));
  await finish(w);
});

test('escape page: every B = 1 run crosses the ridge, the full batch never does; a smaller rate redraws fewer escapes', async () => {
  const w = await open('escape.html?lr=0.3&epochs=10&seeds=10&seed=1');
  const rows = await table(w.page);
  assert.deepEqual(rows.map((r) => r[0]), ['1', '2', '4', '8', '16', '32 (full)']);
  assert.deepEqual([rows[0]![2], rows[5]![2]], ['100%', '0%']);
  assert.equal(await w.page.getAttribute('body', 'data-holds'), 'true');
  assert.equal(await w.page.$$eval('#plots figure', (fs) => fs.length), 2);
  await screenshot(w.page, join(SCREENSHOTS, 'lab-escape.png'));
  await change(w, 'lr', '0.1', 2);
  assert.equal(new URL(w.page.url()).searchParams.get('lr'), '0.1');
  const slower = await table(w.page);
  const escaped = (rs: string[][]) => rs.reduce((a, r) => a + Number(r[2]!.replace('%', '')), 0);
  assert.ok(escaped(slower) < escaped(rows), `escapes at rate 0.1 (${escaped(slower)}) fewer than at 0.3 (${escaped(rows)})`);
  await finish(w);
});

test('direction page: the mini-batch gradient points better the larger B, at initialisation and after training; another seed redraws', async () => {
  const w = await open('direction.html?epochs=1&draws=8&seed=1');
  const rows = await table(w.page);
  for (const stage of ['initialisation', 'after 1 epoch']) {
    const cos = rows.filter((r) => r[0] === stage).map((r) => Number(r[2]));
    assert.equal(cos.length, 5, stage);
    assert.ok(cos[4]! > cos[0]! + 0.3, `${stage}: cos ${cos.join(', ')}`);
  }
  await screenshot(w.page, join(SCREENSHOTS, 'lab-direction.png'));
  await change(w, 'seed', '2', 2);
  assert.equal(new URL(w.page.url()).searchParams.get('seed'), '2');
  assert.notDeepEqual((await table(w.page)).map((r) => r[2]), rows.map((r) => r[2]));
  await finish(w);
});

test('accuracy page: at a fixed budget of epochs the largest batch falls well behind the best; a different rate redraws', async () => {
  const w = await open('accuracy.html?epochs=1&seeds=2&lr32=0.05&seed=1');
  const rows = await table(w.page);
  assert.deepEqual(rows.map((r) => r[0]), ['1', '4', '16', '64', '256']);
  const acc = rows.map((r) => Number(r[3]!.replace('%', '')));
  const best = Math.max(...acc);
  assert.ok(acc[4]! < best - 5, `accuracy by B: ${acc.join(', ')}`);
  await screenshot(w.page, join(SCREENSHOTS, 'lab-accuracy.png'));
  await change(w, 'lr32', '0.1', 2);
  assert.equal(new URL(w.page.url()).searchParams.get('lr32'), '0.1');
  assert.notDeepEqual((await table(w.page)).map((r) => r[3]), rows.map((r) => r[3]));
  await finish(w);
});

test('the zig-zag page takes its optimizer from the URL, and choosing another redraws every path', async () => {
  const w = await openPage(lab.browser);
  await w.page.goto(`${lab.server.url.replace(/\/$/, '')}/lab/?B=8&lr=0.05&kappa=10&seed=1&opt=adam`, WAIT);
  await waitDraws(w.page, 1);
  assert.equal(await w.page.$eval('#optimizer', (el) => (el as HTMLSelectElement).value), 'adam');
  const paths = () => w.page.$$eval('#plot-zigzag-paths g.mark-line.role-mark path', (ps) => ps.map((p) => p.getAttribute('d') ?? ''));
  const before = await paths();
  await change(w, 'optimizer', 'rprop', 2);
  assert.equal(new URL(w.page.url()).searchParams.get('opt'), 'rprop');
  const after = await paths();
  assert.equal(after.length, before.length);
  // The contours stay; all three paths (B = 1, 8, full) change.
  assert.equal(after.filter((d, i) => d !== before[i]).length, 3);
  await screenshot(w.page, join(SCREENSHOTS, 'lab-zigzag-rprop.png'));
  await finish(w);
});
