/**
 * The report in a real Chromium, opened from file:// with the network blocked: every plot
 * renders with the marks its data holds, no console error, a tooltip shows a trial's figures,
 * and the log/linear and examples/seconds switches redraw. Screenshots go to SCREENSHOTS.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { Store } from '../store/store.js';
import { launchBrowser, openPage, screenshot, SCREENSHOTS } from '../testing/browser.js';
import { reportHtml } from './html.js';
import { plotsForRun, type RunView } from './run-plots.js';
import { fillStore } from './testing/report-fixtures.js';

let dir = '';
let browser: Browser;
let views: RunView[] = [];
let file = '';
let ids: ReturnType<typeof fillStore>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bw-html-'));
  const store = Store.open(join(dir, 'r.db'));
  ids = fillStore(store);
  views = store.listRuns().map((r) => plotsForRun(store, r.id));
  store.close();
  file = join(dir, 'report.html');
  writeFileSync(file, reportHtml(views, { source: 'r.db', generatedAt: 'test' }));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('every plot renders offline with its marks, a tooltip shows a trial, the switches redraw', async () => {
  const w = await openPage(browser, { width: 1400, height: 1000 });
  await w.page.goto(pathToFileURL(file).href);
  await w.page.waitForFunction(() => document.body.dataset['rendered'] !== undefined, null, { timeout: 60_000 });
  const plots = views.reduce((n, v) => n + v.plots.length, 0);
  assert.equal(await w.page.evaluate(() => document.body.dataset['rendered']), String(plots));
  for (const v of views) {
    for (const p of v.plots) {
      const marks = await w.page.locator(`#run-${v.run.id}-${p.name} svg .role-mark`).count();
      assert.ok(marks > 0, `run ${v.run.id} ${p.name} draws marks`);
    }
  }
  // Steps to target: one symbol per trial that reached the target (8 of the fixture's 12).
  const steps = `#run-${ids.sweep}-steps-to-target-by-batch`;
  const symbols = w.page.locator(`${steps} svg .mark-symbol.role-mark path`);
  assert.equal(await symbols.count(), 8);
  // The heat map: 12 cells, 8 coloured and 4 grey, each with its label.
  assert.equal(await w.page.locator(`#run-${ids.sweep}-lr-heatmap svg .mark-rect.role-mark path`).count(), 12);
  assert.equal(await w.page.locator(`#run-${ids.sweep}-lr-heatmap svg .mark-text.role-mark text`).count(), 12);

  await w.page.locator(steps).scrollIntoViewIfNeeded();
  const box = (await symbols.first().boundingBox())!;
  await w.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const tip = w.page.locator('#vg-tooltip-element');
  await tip.waitFor({ state: 'visible', timeout: 5_000 });
  const text = (await tip.textContent()) ?? '';
  assert.match(text, /trial\s*B16-lr0\.01-s0/);
  assert.match(text, /steps to target\s*3,225/);
  assert.match(text, /seconds to target\s*12\.900/);
  // The plot's own box, with the tooltip over it.
  await w.page.locator(steps).screenshot({ path: join(SCREENSHOTS, 'report-tooltip.png') });

  await w.page.click(`${steps} button.scale`);
  await w.page.waitForFunction((sel) => /linear scale/.test(document.querySelector(`${sel} svg [aria-label^="X-axis"]`)?.getAttribute('aria-label') ?? ''), steps);
  assert.equal(await w.page.locator(`${steps} svg .mark-symbol.role-mark path`).count(), 8);

  const curves = `#run-${ids.sweep}-validation-curves`;
  const before = await w.page.locator(`${curves} svg [aria-label^="X-axis"]`).getAttribute('aria-label');
  await w.page.check(`${curves} input[value="seconds"]`);
  await w.page.waitForFunction(([sel, old]) => document.querySelector(`${sel} svg [aria-label^="X-axis"]`)?.getAttribute('aria-label') !== old, [curves, before] as const);

  await screenshot(w.page, join(SCREENSHOTS, 'report.png'));
  assert.deepEqual(w.errors, []);
  assert.deepEqual(w.blocked, []);
});
