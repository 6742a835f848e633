/**
 * A writer in its own process, for the dashboard's tests (not a test file itself): it opens the
 * store as a sweep does and, `count` times, sets a trial in progress, waits, and records the trial
 * with its curve (batch 128, 256, ...), then prints one JSON line with what it wrote and how long
 * its slowest commit took. It waits PAUSE milliseconds, or with PAUSE `stdin` it says
 * `progress KEY` / `recorded KEY` and waits for a line on stdin after each, so that a test can
 * look at the page in each state without racing the writer.
 *
 * Usage: node store-writer-child.js DB RUN_ID COUNT PAUSE
 */
import { Store } from '../store/store.js';
import { curve, sweepTrial } from '../serve/testing/fixtures.js';

const [db, runIdText, countText, pauseText] = process.argv.slice(2);
const runId = Number(runIdText);
const count = Number(countText);
const lines = (async function* () {
  let buffered = '';
  for await (const chunk of process.stdin.setEncoding('utf8')) {
    buffered += chunk as string;
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      yield buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
    }
  }
})();
const pause = async (said: string) => {
  if (pauseText !== 'stdin') return new Promise((resolve) => setTimeout(resolve, Number(pauseText)));
  process.stdout.write(`${said}\n`);
  return lines.next();
};

const store = Store.open(db!);
const keys: string[] = [];
let slowestCommitMs = 0;
const timed = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  slowestCommitMs = Math.max(slowestCommitMs, performance.now() - t0);
};
for (let i = 0; i < count; i++) {
  const t = sweepTrial(runId, 128 * 2 ** i, 0.05, { bestValAccuracy: 0.9 + i / 1000 });
  timed(() => store.setProgress(runId, { trialKey: t.key, batchSize: t.batchSize, iterSize: 1, lr: t.lr, index: i, total: count, step: 7, examples: 7 * t.batchSize, valAccuracy: 0.5, trainSeconds: 0.1, elapsedSeconds: 0.2 }));
  await pause(`progress ${t.key}`);
  timed(() => store.recordTrial(t, curve(t.steps, 0.9 + i / 1000)));
  timed(() => store.setProgress(runId, null));
  keys.push(t.key);
  await pause(`recorded ${t.key}`);
}
store.close();
process.stdout.write(`${JSON.stringify({ keys, slowestCommitMs })}\n`);
// stdin may still be open (the test holds it): done is done.
process.exit(0);
