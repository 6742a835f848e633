// Times a 1,000-trial sweep report in Chromium: from navigation start to the page's "rendered" flag.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Store } from '../dist/store/store.js';
import { trial } from '../dist/store/testing/fixtures.js';
import { curve } from '../dist/report/testing/report-fixtures.js';
import { launchBrowser, openPage } from '../dist/testing/browser.js';
const db = '/tmp/batchwise-1000-trials.db';
rmSync(db, { force: true }); rmSync(db + '-wal', { force: true }); rmSync(db + '-shm', { force: true });
const store = Store.open(db);
const base = { modelName: 'mlp', dataset: 'mnist', optimizer: 'momentum', targetAccuracy: 0.95, hyper: { lr: 0.02 }, schedule: { kind: 'constant' }, warmupSteps: 0, seed: 1 };
const run = store.openRun('sweep', 'big', '1,000-trial synthetic sweep', { base, plan: { lrRefBatch: 32 } }).run.id;
let n = 0;
for (let bi = 0; bi < 10; bi++) for (let li = 0; li < 25; li++) for (let s = 0; s < 4; s++) {
  const b = 2 ** (bi + 2), lr = 0.001 * 1.3 ** li;
  const steps = Math.round(100 * (1 + 500 / b) * (1 + Math.abs(li - 12) / 6));
  store.recordTrial(trial(run, `t${n++}`, { batchSize: b, iterSize: 1, lr, seed: s + 1, status: 'target-reached', stepsToTarget: steps, secondsToTarget: steps * b / 20000, epochsToTarget: steps * b / 55000, samplesPerSec: 20000, detail: { gridLr: lr } }), curve(60, b));
}
store.finishRun(run, 'finished', { matmul: { gflops: 50, flopsPerExample: 1.2e6 } });
store.close();
execFileSync(process.execPath, ['dist/cli/main.js', 'report', '--db', db, '--run', String(run), '--out', '/tmp/batchwise-1000-trials.html'], { stdio: 'inherit' });
const browser = await launchBrowser();
for (let i = 0; i < 3; i++) {
  const w = await openPage(browser);
  await w.page.goto(pathToFileURL('/tmp/batchwise-1000-trials.html').href);
  await w.page.waitForFunction('document.body.dataset.rendered !== undefined', undefined, { timeout: 60000 });
  const ms = await w.page.evaluate('Math.max(...Object.values(window.batchwiseDrawnAt))');
  console.log(`drawn ${(ms / 1000).toFixed(2)} s after navigation start; errors: ${w.errors.length}`);
  await w.page.context().close();
}
await browser.close();
