/**
 * `batchwise runs` end to end on a store filled through the Store API: the listing, one run's
 * trials, CSV and JSON exports (to stdout and atomically to --out), and every user mistake as
 * exit 2 with one line on stderr and nothing on stdout. The store is never modified.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { exportTable } from '../store/export.js';
import { Store, type RunRow } from '../store/store.js';
import { METRICS, trial } from '../store/testing/fixtures.js';
import { briefSummary, clip } from './runs-command.js';
import { formatTable } from './table.js';
import { assertOk, assertUserError, runCli } from './testing/cli-fixtures.js';

let dir = '';
let runs: RunRow[] = [];
const DB = 'store.db';
const runsCli = (...args: string[]) => runCli(['runs', ...args], dir);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bw-'));
  const store = Store.open(join(dir, DB));
  const sweep = store.openRun('sweep', 'k-sweep', 'mlp on mnist,\ntarget 97%', { model: 'mlp', batchSizes: [32, 1024, 4096] }).run;
  store.recordTrial(trial(sweep.id, 'b1024', { batchSize: 1024, iterSize: 1, lr: 0.8, samplesPerSec: 41234.6, bestValAccuracy: 0.97125 }), METRICS);
  store.recordTrial(trial(sweep.id, 'b32', { batchSize: 32, iterSize: 1, lr: 0.05 }), METRICS.slice(0, 1));
  store.recordTrial(
    trial(sweep.id, 'b4096', { batchSize: 4096, lr: 3.2, status: 'diverged', stepsToTarget: null, epochsToTarget: null, secondsToTarget: null, bestValAccuracy: 0.1 }),
    [],
  );
  store.finishRun(sweep.id, 'finished', { timeOptimalBatch: 1024, accuracyOptimalBatch: 32 });
  const fit = store.openRun('fit', 'k-fit', 'fit mlp in 2 GiB', { memoryBytes: 2 ** 31 }).run;
  store.recordProbes(fit.id, [
    { batchSize: 1, ok: true, peakBytes: 3 * 2 ** 20, reason: null, seconds: 0.4 },
    { batchSize: 65536, ok: false, peakBytes: null, reason: 'over budget', seconds: 2 },
  ]);
  runs = store.listRuns();
  store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

const storeBytes = () => readFileSync(join(dir, DB));
const day = (r: RunRow) => r.createdAt.slice(0, 16).replace('T', ' ');

test('the listing: newest first, with kind, one-line label, status, UTC creation, trial count and summary', () => {
  const before = storeBytes();
  const run = runsCli('--db', DB);
  assertOk(run);
  assert.equal(run.stderr, '');
  const [fit, sweep] = runs;
  assert.deepEqual(run.stdout.split('\n'), [
    'id  kind   label                     status    created (UTC)     trials  summary',
    '--  -----  ------------------------  --------  ----------------  ------  ---------------------------------------------',
    ` 2  fit    fit mlp in 2 GiB          running   ${day(fit!)}       0`,
    ` 1  sweep  mlp on mnist, target 97%  finished  ${day(sweep!)}       3  timeOptimalBatch=1024 accuracyOptimalBatch=32`,
    '',
    '2 run(s); see one with --run ID, export with --export csv|json [--table runs|trials|metrics|probes|noise]',
    '',
  ]);
  assert.deepEqual(storeBytes(), before, 'listing leaves the store file as it was');
});

test('--run: the run\'s trials by batch size, with targets, throughput and best accuracy', () => {
  const run = runsCli('--db', DB, '--run', '1');
  assertOk(run);
  const lines = run.stdout.split('\n');
  assert.equal(lines[0], `run 1: sweep "mlp on mnist, target 97%", finished; created ${day(runs[1]!)} UTC, finished ${runs[1]!.finishedAt!.slice(0, 16).replace('T', ' ')}`);
  assert.equal(lines[1], 'config: {"model":"mlp","batchSizes":[32,1024,4096]}');
  assert.equal(lines[2], 'summary: {"timeOptimalBatch":1024,"accuracyOptimalBatch":32}');
  assert.deepEqual(lines.slice(4), [
    'trials: 3',
    'batch  iter    lr  seed  status          steps→target  epochs→target  s→target  samples/s  best val acc',
    '-----  ----  ----  ----  --------------  ------------  -------------  --------  ---------  ------------',
    '   32     1  0.05     3  target-reached           420           1.71      12.3      8,123        97.12%',
    ' 1024     1   0.8     3  target-reached           420           1.71      12.3     41,235        97.13%',
    ' 4096     2   3.2     3  diverged                   –              –         –      8,123        10.00%',
    '',
  ]);
  const fit = runsCli('--db', DB, '--run', '2');
  assertOk(fit);
  assert.deepEqual(fit.stdout.split('\n').slice(2), [
    '',
    'memory probes: 2, in the order run',
    'batch  fits  peak MiB  seconds  reason',
    '-----  ----  --------  -------  -----------',
    '    1  yes        3.0     0.40',
    '65536  no           –     2.00  over budget',
    '',
  ]);
});

test('--export prints the chosen table: runs by default, trials with --run, or --table', () => {
  const store = Store.openReadOnly(join(dir, DB));
  try {
    const runsCsv = runsCli('--db', DB, '--export', 'csv');
    assertOk(runsCsv);
    assert.equal(runsCsv.stdout, exportTable(store, 'runs', 'csv'));
    assert.match(runsCsv.stdout, /^id,kind,key,label,createdAt,finishedAt,status,trialCount,config,summary\r\n1,sweep,k-sweep,"mlp on mnist,\ntarget 97%",/);

    const trialsJson = runsCli('--db', DB, '--run', '1', '--export', 'json');
    assertOk(trialsJson);
    assert.deepEqual(JSON.parse(trialsJson.stdout), JSON.parse(JSON.stringify(store.trials(1))));
    assert.deepEqual((JSON.parse(trialsJson.stdout) as { batchSize: number }[]).map((t) => t.batchSize), [32, 1024, 4096]);

    const metrics = runsCli('--db', DB, '--run', '1', '--export', 'csv', '--table', 'metrics');
    assertOk(metrics);
    assert.equal(metrics.stdout.split('\r\n').length, 1 + 4 + 1, 'header, 1 + 3 metric rows, and the final line end');
    assert.equal(metrics.stdout, exportTable(store, 'metrics', 'csv', 1));

    const probes = runsCli('--db', DB, '--export', 'csv', '--table', 'probes');
    assertOk(probes);
    assert.equal(probes.stdout, 'runId,batchSize,ok,peakBytes,reason,seconds\r\n2,1,true,3145728,,0.4\r\n2,65536,false,,over budget,2\r\n');
  } finally {
    store.close();
  }
});

test('--out writes the export atomically, leaves no temp file, and says so on stderr', () => {
  const run = runsCli('--db', DB, '--run', '1', '--export', 'csv', '--out', 'exports/trials.csv');
  assertOk(run);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, 'batchwise: wrote 3 trials row(s) of run 1 as CSV to exports/trials.csv\n');
  const store = Store.openReadOnly(join(dir, DB));
  assert.equal(readFileSync(join(dir, 'exports', 'trials.csv'), 'utf8'), exportTable(store, 'trials', 'csv', 1));
  store.close();
  assert.deepEqual(readdirSync(join(dir, 'exports')), ['trials.csv']);
  // A second export replaces the file whole.
  assertOk(runsCli('--db', DB, '--export', 'json', '--out', 'exports/trials.csv'));
  assert.equal((JSON.parse(readFileSync(join(dir, 'exports', 'trials.csv'), 'utf8')) as unknown[]).length, 2);
});

test('mistakes: exit 2, one line naming the value and the fix, nothing on stdout', () => {
  writeFileSync(join(dir, 'notes.txt'), 'not a database at all\n'.repeat(10));
  const cases: [string[], string | RegExp][] = [
    [[], '--db is required: the SQLite file a sweep, fit, noise, recommend, train or lab run wrote (e.g. --db runs.db)'],
    [['--db', 'nope.db'], '--db nope.db: no such file; give the file a sweep, fit, noise, recommend, train or lab run wrote with --db'],
    [['--db', 'notes.txt'], '--db notes.txt: not a SQLite database (file is not a database); give --db a new file name or a store batchwise wrote'],
    [['--db', DB, '--run', '9'], `--run 9: no such run in ${DB} (its runs are 1, 2); list them with batchwise runs --db ${DB}`],
    [['--db', DB, '--run', '9', '--export', 'csv'], `--run 9: no such run in ${DB} (its runs are 1, 2); list them with batchwise runs --db ${DB}`],
    [['--db', DB, '--run', '0'], '--run must be a whole number ≥ 1, got "0"'],
    [['--db', DB, '--export', 'xml'], '--export must be one of csv, json, got "xml"'],
    [['--db', DB, '--export', 'csv', '--table', 'people'], '--table must be one of runs, trials, metrics, probes, noise, got "people"'],
    [['--db', DB, '--table', 'trials'], '--table trials chooses what --export prints; add --export csv or --export json'],
    [['--db', DB, '--out', 'x.csv'], '--out x.csv is where --export writes; add --export csv or --export json'],
    [['--db', DB, '--export', 'csv', '--out', `./${DB}`], `--out ./${DB} is the --db store itself; give --out another file name`],
    [['--db', DB, '--export', 'csv', '--out', 'notes.txt/x.csv'], /^--out notes\.txt\/x\.csv: cannot write there \((ENOTDIR|EEXIST)\); give a writable file path$/],
    [['--db', DB, '--bogus'], `unknown option '--bogus' (see batchwise runs --help)`],
  ];
  const before = storeBytes();
  for (const [args, message] of cases) {
    const got = assertUserError(runsCli(...args));
    if (typeof message === 'string') assert.equal(got, message);
    else assert.match(got, message);
  }
  assert.deepEqual(storeBytes(), before);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temp file left by a failed --out');
});

test('an empty store lists no runs', () => {
  Store.open(join(dir, 'empty.db')).close();
  const run = runsCli('--db', 'empty.db');
  assertOk(run);
  assert.equal(run.stdout, 'no runs in empty.db yet\n');
});

test('table helpers: alignment by characters, one-line clipping, brief summaries', () => {
  assert.deepEqual(formatTable(['a', 'bb'], [['1', 'x'], ['100', 'μ→']], ['r', 'l']), ['  a  bb', '---  --', '  1  x', '100  μ→']);
  assert.equal(clip('a\nb   c', 10), 'a b c');
  assert.equal(clip('abcdefghijkl', 5), 'abcd…');
  assert.equal(briefSummary(null), '');
  assert.equal(briefSummary({ best: { batch: 256, lr: 0.123456 }, regimes: ['a', 'b'], ok: true }), 'best.batch=256 best.lr=0.1235 regimes=[2] ok=true');
  assert.equal(briefSummary(42), 'summary=42');
  assert.equal(briefSummary({ a: 'x'.repeat(100) }, 10), 'a=xxxxxxx…');
});
