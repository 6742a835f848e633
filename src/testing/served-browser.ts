/** The browser tests' setting for `serve` (not a test file itself): a store in a temp folder, the server on loopback over it, and Chromium. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../serve/server.js';
import { Store } from '../store/store.js';
import { launchBrowser } from './browser.js';

export interface ServedBrowser {
  dir: string;
  store: Store;
  server: RunningServer;
  browser: Browser;
}

/** Sets up a ServedBrowser before the file's tests and tears it down after them; its fields are set once the tests run. */
export function servedBrowser(prefix: string): ServedBrowser {
  const s = {} as ServedBrowser;
  before(async () => {
    s.dir = mkdtempSync(join(tmpdir(), prefix));
    s.store = Store.open(join(s.dir, 's.db'));
    s.server = await startServer(s.store, { host: '127.0.0.1', port: 0 });
    s.browser = await launchBrowser();
  });
  after(async () => {
    await s.browser?.close();
    await s.server?.close();
    s.store?.close();
    if (s.dir) rmSync(s.dir, { recursive: true, force: true });
  });
  return s;
}
