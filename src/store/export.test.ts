/** Exports of each table as CSV and JSON, checked field by field against what was stored. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { UserError } from '../errors.js';
import { exportTable } from './export.js';
import { Store } from './store.js';
import { METRICS, trial } from './testing/fixtures.js';

let dir = '';
let store: Store;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bw-'));
  store = Store.open(join(dir, 'export.db'));
  const sweep = store.openRun('sweep', 'k1', 'sweep, "quoted"', { batchSizes: [8, 64] }).run;
  store.recordTrial(trial(sweep.id, 'b64'), METRICS);
  store.recordTrial(trial(sweep.id, 'b8', { batchSize: 8, lr: 0.05, detail: null, testAccuracy: 0.96 }), METRICS.slice(0, 1));
  store.finishRun(sweep.id, 'finished', { best: 64 });
  const fit = store.openRun('fit', 'k2', 'fit\nwith newline', { memory: 2 ** 31 }).run;
  store.recordProbes(fit.id, [
    { batchSize: 1, ok: true, peakBytes: 1000, reason: null, seconds: 0.5 },
    { batchSize: 2, ok: false, peakBytes: null, reason: 'oom, "hard"', seconds: 1 },
  ]);
  store.recordNoise(fit.id, [{ step: 5, epochs: 0.5, trainLoss: 2, bSmall: 8, bBig: 64, gradSq: 0.25, traceSigma: 10, bSimple: 40, bSimpleLow: 30, bSimpleHigh: NaN }]);
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const lines = (csv: string) => csv.split('\r\n');

test('trials as CSV: header, numbers as JS prints them, null empty, the JSON column as quoted JSON text', () => {
  const csv = exportTable(store, 'trials', 'csv', 1);
  assert.ok(csv.endsWith('\r\n'));
  assert.deepEqual(lines(csv), [
    'runId,key,batchSize,iterSize,lr,seed,status,stepsToTarget,epochsToTarget,secondsToTarget,samplesPerSec,bestValAccuracy,finalValAccuracy,testAccuracy,steps,epochs,trainSeconds,detail',
    '1,b8,8,2,0.05,3,target-reached,420,1.7142857142857142,12.345678901234567,8123.456,0.9712,0.9698,0.96,500,2.0408163265306123,14.5,', // a null detail: empty
    '1,b64,64,2,0.30000000000000004,3,target-reached,420,1.7142857142857142,12.345678901234567,8123.456,0.9712,0.9698,,500,2.0408163265306123,14.5,' +
      '"{""lrGrid"":[0.01,0.1],""note"":""ünïcødé, \\""quoted\\"", comma"",""nested"":{""a"":[1,null,true]}}"',
    '',
  ]);
});

test('trials as JSON: the detail nested, the same field names', () => {
  const rows = JSON.parse(exportTable(store, 'trials', 'json', 1)) as Record<string, unknown>[];
  assert.deepEqual(rows, [trial(1, 'b8', { batchSize: 8, lr: 0.05, detail: null, testAccuracy: 0.96 }), trial(1, 'b64')]);
  assert.deepEqual(JSON.parse(exportTable(store, 'trials', 'json', 2)), []);
});

test('metrics carry their trial\'s settings; non-finite numbers are NaN/Infinity in CSV and null in JSON', () => {
  assert.deepEqual(lines(exportTable(store, 'metrics', 'csv', 1)), [
    'runId,trialKey,batchSize,iterSize,lr,seed,step,epochs,trainLoss,valLoss,valAccuracy,trainSeconds,samplesPerSec',
    '1,b8,8,2,0.05,3,245,1,0.5123,0.4,0.91,7.25,8000.5',
    '1,b64,64,2,0.30000000000000004,3,245,1,0.5123,0.4,0.91,7.25,8000.5',
    '1,b64,64,2,0.30000000000000004,3,490,2,NaN,Infinity,0.0987,14.5,1e-300',
    '1,b64,64,2,0.30000000000000004,3,490,2,-Infinity,5e-324,0,14.5,9007199254740992',
    '',
  ]);
  const json = JSON.parse(exportTable(store, 'metrics', 'json', 1)) as Record<string, unknown>[];
  assert.equal(json.length, 4);
  assert.deepEqual(json[2], { runId: 1, trialKey: 'b64', batchSize: 64, iterSize: 2, lr: 0.30000000000000004, seed: 3, step: 490, epochs: 2, trainLoss: null, valLoss: null, valAccuracy: 0.0987, trainSeconds: 14.5, samplesPerSec: 1e-300 });
});

test('runs: every run oldest first, or one; config and summary as JSON text in CSV, nested in JSON', () => {
  const rows = lines(exportTable(store, 'runs', 'csv'));
  assert.equal(rows[0], 'id,kind,key,label,createdAt,finishedAt,status,trialCount,config,summary');
  assert.match(rows[1]!, /^1,sweep,k1,"sweep, ""quoted""",\d{4}-[^,]+Z,\d{4}-[^,]+Z,finished,2,"{""batchSizes"":\[8,64\]}","{""best"":64}"$/);
  assert.match(rows[2]!, /^2,fit,k2,"fit\nwith newline",\d{4}-[^,]+Z,,running,0,"{""memory"":2147483648}",$/);
  const json = JSON.parse(exportTable(store, 'runs', 'json', 2)) as Record<string, unknown>[];
  assert.equal(json.length, 1);
  assert.deepEqual({ ...json[0], createdAt: 'x' }, { id: 2, kind: 'fit', key: 'k2', label: 'fit\nwith newline', createdAt: 'x', finishedAt: null, status: 'running', trialCount: 0, config: { memory: 2147483648 }, summary: null });
});

test('probes and noise of every run', () => {
  assert.deepEqual(lines(exportTable(store, 'probes', 'csv')), [
    'runId,batchSize,ok,peakBytes,reason,seconds',
    '2,1,true,1000,,0.5',
    '2,2,false,,"oom, ""hard""",1',
    '',
  ]);
  assert.deepEqual(JSON.parse(exportTable(store, 'probes', 'json')), [
    { runId: 2, batchSize: 1, ok: true, peakBytes: 1000, reason: null, seconds: 0.5 },
    { runId: 2, batchSize: 2, ok: false, peakBytes: null, reason: 'oom, "hard"', seconds: 1 },
  ]);
  assert.deepEqual(lines(exportTable(store, 'noise', 'csv')), [
    'runId,step,epochs,trainLoss,bSmall,bBig,gradSq,traceSigma,bSimple,bSimpleLow,bSimpleHigh',
    '2,5,0.5,2,8,64,0.25,10,40,30,NaN',
    '',
  ]);
  assert.equal(exportTable(store, 'noise', 'csv', 1), 'runId,step,epochs,trainLoss,bSmall,bBig,gradSq,traceSigma,bSimple,bSimpleLow,bSimpleHigh\r\n');
});

test('an unknown run is a UserError that lists the runs there are', () => {
  const path = join(dir, 'export.db');
  assert.throws(() => exportTable(store, 'trials', 'csv', 7), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.message, `--run 7: no such run in ${path} (its runs are 1, 2); list them with batchwise runs --db ${path}`);
    return true;
  });
});
