import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'node:test';
import { launchBrowser, openPage } from './browser.js';

test('Chromium opens a file:// page, runs its script, records its errors and blocks the network', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-browser-'));
  const browser = await launchBrowser();
  try {
    const file = join(dir, 'p.html');
    writeFileSync(file, `<p id="x">0</p><img src="https://example.org/a.png"><script>document.getElementById('x').textContent = String(6 * 7); console.error('seen');</script>`);
    const w = await openPage(browser);
    await w.page.goto(pathToFileURL(file).href);
    assert.equal(await w.page.textContent('#x'), '42');
    assert.deepEqual(w.errors.filter((e) => e === 'seen'), ['seen']);
    assert.deepEqual(w.blocked, ['https://example.org/a.png']);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
