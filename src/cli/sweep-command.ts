/**
 * `batchwise sweep`: train to a target at every batch size (each with its tuned learning rate),
 * keep every finished trial in SQLite, and name the time-optimal and accuracy-optimal batch size
 * and the regimes. Ctrl-C (or a kill) loses at most the trial in progress; the same command again
 * resumes.
 */
import { createHash } from 'node:crypto';
import cliProgress from 'cli-progress';
import { measureMatmul } from '../bench/matmul.js';
import { loadRunData } from '../engine/run.js';
import { resolveModel } from '../model/model.js';
import { UserError } from '../errors.js';
import { Store } from '../store/store.js';
import type { SweepAnalysis } from '../sweep/analyse.js';
import { planTrials, powersOfTwoUpTo } from '../sweep/plan.js';
import { StoreRecorder } from '../sweep/store-recorder.js';
import { runSweep, type SweepSpec } from '../sweep/sweep.js';
import { EXIT } from './parse.js';
import { reportCommandLine } from './report-options.js';
import type { SweepOptions } from './sweep-options.js';
import { fmt, formatTable, pct } from './table.js';
import { baseRunConfig, DEFAULT_LR } from './train-options.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** The settings that make two sweeps comparable: same key, same run in the store, trials shared. */
export function sweepIdentity(spec: SweepSpec): string {
  const { batchSize: _b, seed: _s, epochs: _e, modelName: _m, hyper, ...rest } = spec.base;
  const { lr: _lr, ...otherHyper } = hyper;
  const identity = { ...rest, hyper: otherHyper, limits: spec.limits, pruneFactor: spec.pruneFactor, lrRule: spec.plan.lrRule, lrRefBatch: spec.plan.lrRefBatch };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
}

export async function sweepCommand(o: SweepOptions): Promise<number> {
  if (o.targetAccuracy === undefined) throw new UserError('--target-accuracy is required: trials are compared by their time to it (e.g. --target-accuracy 0.97)');
  const base = baseRunConfig(o, { batchSize: 1, iterSize: 1, lr: undefined, epochs: o.maxEpochs, targetAccuracy: o.targetAccuracy });
  const lrGrid = o.lrGrid ?? [0.5, 1, 2].map((f) => f * DEFAULT_LR[o.optimizer]);
  const data = loadRunData(base);
  const spec: SweepSpec = {
    base,
    plan: { batchSizes: o.batchSizes === 'pow2' ? powersOfTwoUpTo(data.train.count) : o.batchSizes, lrGrid, lrRule: o.lrRule, lrRefBatch: o.lrRefBatch, seeds: o.seeds, baseSeed: o.seed },
    limits: { maxEpochs: o.maxEpochs, maxSeconds: o.budget, evalsPerEpoch: o.evalsPerEpoch, untilBudget: o.until === 'budget' },
    pruneFactor: o.prune,
  };
  planTrials({ ...spec.plan, trainExamples: data.train.count }); // bad sizes fail here, before the store is touched
  const store = Store.open(o.db);
  try {
    const label = `${base.modelName} on ${base.dataset}, ${base.optimizer}, target ${o.targetAccuracy}`;
    const { run, created } = store.openRun('sweep', sweepIdentity(spec), label, { base, plan: spec.plan, limits: spec.limits, pruneFactor: spec.pruneFactor });
    const recorder = new StoreRecorder(store, run.id);
    say(`batchwise sweep: ${label}; ${o.db} run ${run.id}${created ? '' : ' (resuming: finished trials are kept)'}`);

    let stop = false;
    const onSigint = () => {
      if (stop) process.exit(EXIT.interrupted);
      stop = true;
      bar.stop();
      say('batchwise: stopping the current trial; finished trials are saved (Ctrl-C again to quit at once)');
    };
    const bar = new cliProgress.SingleBar(
      { format: 'trial {value}/{total} {bar} | B={batch} lr={lr} | val acc {acc} | ETA {eta_formatted}', hideCursor: true, etaBuffer: 20, fps: 5 },
      cliProgress.Presets.shades_classic,
    );
    let barStarted = false;
    const started = performance.now();
    // The machine's MatMul rate, measured by this run, is the ceiling its throughput is drawn against (`report`).
    const matmul = { gflops: (await measureMatmul({ threads: base.threads, seconds: 0.5 })).gflops, flopsPerExample: 6 * resolveModel(base.model, data.featureShape, data.numClasses).macsPerExample };
    process.on('SIGINT', onSigint);
    let result;
    try {
      result = await runSweep(spec, data, recorder, {
        shouldStop: () => stop,
        onTrialStart: (t, index, total) => {
          if (!barStarted) bar.start(total, index, { batch: t.batchSize, lr: t.lr, acc: '–' });
          barStarted = true;
          bar.update(index, { batch: t.batchSize, lr: t.lr, acc: '–' });
        },
        onMetric: (_t, m) => bar.update({ acc: pct(m.valAccuracy) }),
        onTrialEnd: (t, r) => {
          bar.increment();
          if (!process.stderr.isTTY) {
            say(`trial B=${t.batchSize} lr=${t.lr} seed=${t.seed}: ${r.status}` + (r.secondsToTarget !== null ? ` in ${r.stepsToTarget} steps, ${r.secondsToTarget.toFixed(2)} s` : '') + `, best val ${pct(r.bestValAccuracy)}`);
          }
        },
      });
    } finally {
      bar.stop();
      process.off('SIGINT', onSigint);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const summary = { analysis: result.analysis, ran: result.ran, skipped: result.skipped, total: result.total, wallSeconds, matmul };
    store.finishRun(run.id, result.interrupted ? 'interrupted' : 'finished', summary);
    if (o.json) process.stdout.write(`${JSON.stringify({ db: o.db, run: run.id, targetAccuracy: o.targetAccuracy, ...summary, trials: result.trials })}\n`);
    else process.stdout.write(`${report(result.analysis, o.targetAccuracy, { ...result, untilBudget: o.until === 'budget', wallSeconds }).join('\n')}\n`);
    say(`batchwise: see the evidence: ${reportCommandLine(o.db, run.id)}`);
    if (result.interrupted) say(`batchwise: interrupted after ${result.skipped + result.ran} of ${result.total} trials; run the same command again to finish`);
    return result.interrupted ? EXIT.interrupted : EXIT.ok;
  } finally {
    store.close();
  }
}

export function report(a: SweepAnalysis, target: number, counts: { ran: number; skipped: number; total: number; untilBudget: boolean; wallSeconds: number }): string[] {
  const head = ['batch', 'tuned lr', 'steps', 'epochs', 'seconds', 'samples/s', 'best val', 'test', 'step ratio per ×2', 'regime', 'trials'];
  const rows = a.batches.map((b) => [
    String(b.batchSize),
    String(b.bestLr),
    b.stepsToTarget === null ? '–' : fmt(b.stepsToTarget),
    b.epochsToTarget === null ? '–' : b.epochsToTarget.toFixed(2),
    b.secondsToTarget === null ? 'not reached' : b.secondsToTarget.toFixed(2),
    fmt(b.samplesPerSec),
    pct(b.bestValAccuracy),
    pct(b.testAccuracy),
    b.stepRatio === null ? '–' : b.stepRatio.toFixed(2),
    b.regime ?? '–',
    `${b.trials}${b.diverged ? ` (${b.diverged} diverged)` : ''}`,
  ]);
  const lines = [
    `sweep to ${pct(target)} validation accuracy: ${counts.total} trials (${counts.ran} run now in ${counts.wallSeconds.toFixed(0)} s, ${counts.skipped} from the store)`,
    '',
    ...formatTable(head, rows),
    '',
  ];
  const t = a.timeOptimal;
  lines.push(t ? `time-optimal batch size: ${t.batchSize} (lr ${t.bestLr}): ${t.secondsToTarget!.toFixed(2)} s, ${fmt(t.stepsToTarget!)} steps, ${t.epochsToTarget!.toFixed(2)} epochs to target` : 'time-optimal batch size: none reached the target; raise --budget or --max-epochs, or lower --target-accuracy');
  const acc = a.accuracyOptimal;
  if (acc) {
    lines.push(
      `accuracy-optimal batch size: ${acc.batchSize} (best validation accuracy ${pct(acc.bestValAccuracy)})` +
        (counts.untilBudget ? '' : '; trials stopped at the target, so this is close to a tie: --until budget trains on and measures it properly'),
    );
  }
  const c = a.criticalBatch;
  if (c) lines.push(`fit S = S_min·(1 + B_crit/B): S_min ${fmt(c.minSteps)} steps, B_crit ${fmt(c.criticalBatch)}, E_min ${fmt(c.minExamples)} examples`);
  return lines;
}
