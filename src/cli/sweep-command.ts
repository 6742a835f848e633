/**
 * `batchwise sweep`: train to a target at every batch size (each with its tuned learning rate),
 * keep every finished trial in SQLite, and name the time-optimal and accuracy-optimal batch size
 * and the regimes. Ctrl-C (or a kill) loses at most the trial in progress; the same command again
 * resumes.
 */
import cliProgress from 'cli-progress';
import { measureMatmul } from '../bench/matmul.js';
import { loadRunData } from '../engine/run.js';
import { resolveModel } from '../model/model.js';
import { UserError } from '../errors.js';
import { Store } from '../store/store.js';
import type { BatchSummary, SweepAnalysis } from '../sweep/analyse.js';
import { EDGE_BOUNDS } from '../sweep/edges.js';
import { autoTrials, planTrials, powersOfTwoUpTo } from '../sweep/plan.js';
import { sweepIdentity } from '../sweep/identity.js';
import { ProgressWriter } from '../sweep/progress.js';
import { StoreRecorder } from '../sweep/store-recorder.js';
import { LOCAL_RUNNER, runSweep, trialConfig, type BatchRates, type SweepSpec, type TrialRunner } from '../sweep/sweep.js';
import { batchwiseVersion } from '../bench/machine.js';
import { dataFingerprint } from '../data/fingerprint.js';
import { hostTimes } from '../queue/host-times.js';
import { queueLines } from './sweep-queue.js';
import { autoLines, autoPlan } from './sweep-auto.js';
import { keepCurve, recallCurve } from './train-adaptive.js';
import { EXIT } from './parse.js';
import { reportCommandLine } from './report-options.js';
import type { SweepOptions } from './sweep-options.js';
import { fmt, formatTable, pct } from './table.js';
import { baseRunConfig, DEFAULT_LR } from './train-options.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

export async function sweepCommand(o: SweepOptions): Promise<number> {
  if (o.targetAccuracy === undefined) throw new UserError('--target-accuracy is required: trials are compared by their time to it (e.g. --target-accuracy 0.97)');
  const base = baseRunConfig(o, { batchSize: 1, iterSize: 1, lr: undefined, epochs: o.maxEpochs, targetAccuracy: o.targetAccuracy });
  const lrGrid = o.lrGrid ?? [0.5, 1, 2].map((f) => f * DEFAULT_LR[o.optimizer]);
  const data = loadRunData(base);
  const batchSizes = o.batchSizes.sizes === 'pow2' ? powersOfTwoUpTo(data.train.count) : o.batchSizes.sizes;
  const auto = autoPlan(o, base, batchSizes.map((b) => (b === 'full' ? data.train.count : b)));
  let spec: SweepSpec = {
    base,
    plan: { batchSizes, lrGrid, lrRule: o.lrRule, lrRefBatch: o.lrRefBatch, seeds: o.seeds, baseSeed: o.seed, auto },
    limits: { maxEpochs: o.maxEpochs, maxSeconds: o.budget, evalsPerEpoch: o.evalsPerEpoch, untilBudget: o.until === 'budget' },
    pruneFactor: o.prune,
    stallAfter: o.stallAfter,
    extendGrid: o.extendGrid,
  };
  planTrials({ ...spec.plan, trainExamples: data.train.count }); // bad sizes fail here, before the store is touched
  const identity = sweepIdentity(spec, data);
  // Redis first: unreachable, the sweep stops before the store is touched. Loaded only when asked for.
  const queued = o.queue === undefined ? null : await (await import('../queue/coordinator.js')).QueueRunner.open({
    address: o.queue, sweep: identity, dataFingerprint: dataFingerprint(data), splitSeed: base.seed, packageVersion: batchwiseVersion(), retryFailed: o.retryFailed, onLine: (l) => say(`batchwise: ${l}`),
  });
  const runner: TrialRunner = queued ?? LOCAL_RUNNER;
  let store: Store;
  try {
    store = Store.open(o.db);
  } catch (e) {
    await queued?.close();
    throw e;
  }
  try {
    const label = `${base.modelName} on ${base.dataset}, ${base.optimizer}, target ${o.targetAccuracy}`;
    const { run, created } = store.openRun('sweep', identity, label, { base, plan: spec.plan, limits: spec.limits, pruneFactor: spec.pruneFactor, stallAfter: spec.stallAfter, extendGrid: spec.extendGrid });
    const recorder = new StoreRecorder(store, run.id);
    // Auto trials weigh batches by a throughput curve kept like train --batch-size auto's (train-adaptive.ts).
    const autoBase = auto === undefined ? null : trialConfig(base, autoTrials({ ...spec.plan, trainExamples: data.train.count }, auto)[0]!);
    const kept = autoBase === null ? null : recallCurve(store, autoBase);
    if (kept !== null) {
      spec = { ...spec, autoCurve: kept.curve };
      say(`batchwise: auto trials: the throughput curve is ${kept.said}`);
    }
    const live = new ProgressWriter(store, run.id);
    say(`batchwise sweep: ${label}; ${o.db} run ${run.id}${created ? '' : ' (resuming: finished trials are kept)'}`);
    if (o.retryFailed) say(`batchwise: --retry-failed: ${store.dropFailedTrials(run.id).length} failed trial(s) to run again`);
    if (o.queue !== undefined) say(`batchwise: trials go to the workers on ${queueLines.address(o.queue)} (start them with: ${queueLines.workerCommand(o.queue)})`);

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
    // Queued trials run several at a time: the bar and the live progress follow the latest started.
    let shown = '';
    try {
      result = await runSweep(spec, data, recorder, {
        shouldStop: () => stop,
        onTrialStart: (t, index, total) => {
          const batch = t.auto ? `auto from ${t.batchSize}` : t.batchSize;
          if (!barStarted) bar.start(total, index, { batch, lr: t.lr, acc: '–' });
          barStarted = true;
          // Rates past a grid edge add trials as the sweep goes.
          if (total !== bar.getTotal()) bar.setTotal(total);
          if (runner.parallel) bar.update({ batch, lr: t.lr, acc: '–' });
          else bar.update(index, { batch, lr: t.lr, acc: '–' });
          shown = t.key;
          live.start({ key: t.key, batchSize: t.batchSize, iterSize: 1, lr: t.lr }, index, total);
        },
        onMetric: (t, m) => {
          if (t.key !== shown) return;
          bar.update({ acc: pct(m.valAccuracy) });
          live.metric(m);
        },
        onTrialEnd: (t, r) => {
          live.clear();
          bar.increment();
          if (!process.stderr.isTTY) {
            say(`trial B=${t.auto ? `auto from ${t.batchSize}` : t.batchSize} lr=${t.lr} seed=${t.seed}: ${r.status}` + (r.secondsToTarget !== null ? ` in ${r.stepsToTarget} steps, ${r.secondsToTarget.toFixed(2)} s` : '') + `, best val ${pct(r.bestValAccuracy)}`);
          }
        },
      }, runner);
    } finally {
      bar.stop();
      process.off('SIGINT', onSigint);
      await queued?.close();
    }
    const wallSeconds = (performance.now() - started) / 1000;
    // Trials from several machines: their seconds do not compare; this machine's throughput names the time optimum.
    const times = await hostTimes(result, spec.base, data);
    if (times !== null) result = { ...result, analysis: times.analysis };
    if (result.autoCurve !== null && autoBase !== null) keepCurve(store, autoBase, result.autoCurve.curve, run.id);
    const summary = { analysis: result.analysis, ...(auto !== undefined ? { auto: result.auto } : {}), rates: result.rates, extendGrid: spec.extendGrid, ran: result.ran, skipped: result.skipped, total: result.total, wallSeconds, matmul, ...(times ? { throughput: times.throughput } : {}) };
    store.finishRun(run.id, result.interrupted ? 'interrupted' : 'finished', summary);
    if (o.json) process.stdout.write(`${JSON.stringify({ db: o.db, run: run.id, targetAccuracy: o.targetAccuracy, ...summary, trials: result.trials })}\n`);
    else process.stdout.write(`${[...report(result.analysis, o.targetAccuracy, { ...result, untilBudget: o.until === 'budget', wallSeconds, extendGrid: spec.extendGrid }), ...autoLines(result.auto, result.autoCurve, result.analysis.batches.length > 0)].join('\n')}\n`);
    say(`batchwise: see the evidence: ${reportCommandLine(o.db, run.id)}`);
    if (result.interrupted) say(`batchwise: interrupted after ${result.skipped + result.ran} of ${result.total} trials; run the same command again to finish${queued ? ' (trials handed out stay queued, and their results are collected then)' : ''}`);
    return result.interrupted ? EXIT.interrupted : EXIT.ok;
  } finally {
    store.close();
  }
}

export function report(
  a: SweepAnalysis,
  target: number,
  counts: { ran: number; skipped: number; total: number; untilBudget: boolean; wallSeconds: number; rates: readonly BatchRates[]; extendGrid: boolean; trials: readonly { status: string }[] },
): string[] {
  const head = ['batch', 'tuned lr', 'steps', 'epochs', 'seconds', 'samples/s', 'best val', 'test', 'step ratio per ×2', 'regime', 'trials'];
  // With several seeds: medians, and the min–max beside them.
  const spread = (r: readonly [number, number] | null, f: (x: number) => string) => (r === null || r[0] === r[1] ? '' : ` (${f(r[0])}–${f(r[1])})`);
  const rows = a.batches.map((b) => [
    String(b.batchSize),
    String(b.bestLr),
    b.stepsToTarget === null ? '–' : fmt(b.stepsToTarget) + spread(b.stepsRange, fmt),
    b.epochsToTarget === null ? '–' : b.epochsToTarget.toFixed(2),
    b.secondsToTarget === null ? 'not reached' : b.secondsToTarget.toFixed(2) + spread(b.secondsRange, (x) => x.toFixed(2)),
    fmt(b.samplesPerSec),
    pct(b.bestValAccuracy),
    pct(b.testAccuracy),
    b.stepRatio === null ? '–' : b.stepRatio.toFixed(2),
    b.regime ?? (b.regimeSpan.length > 1 ? `${b.regimeSpan.join(' or ')} (within the seeds' spread)` : '–'),
    `${b.trials}${failures(b)}`,
  ]);
  const header = `sweep to ${pct(target)} validation accuracy: ${counts.total} trials (${counts.ran} run now in ${counts.wallSeconds.toFixed(0)} s, ${counts.skipped} from the store)`;
  // --batch-sizes auto alone: no fixed trial to tabulate, nor an optimum among them to name.
  if (a.batches.length === 0) return [header, '', 'no fixed batch size in this sweep (--batch-sizes named only auto): its auto trials follow', ...queueLines.report(a, counts.trials)];
  const lines = [
    header,
    '',
    ...formatTable(head, rows),
    '',
    ...queueLines.report(a, counts.trials),
  ];
  const edges = edgeLines(a, counts.rates, counts.extendGrid);
  if (edges.length > 0) lines.push(...edges, '');
  const t = a.timeOptimal;
  const onEdge = (b: BatchSummary) => (b.edge === 'lowest' || b.edge === 'highest' ? ` — its rate is the ${b.edge === 'lowest' ? 'smallest' : 'largest'} tried, so the optimum may lie beyond the grid` : '');
  const seeds = Math.max(1, ...a.batches.map((b) => b.seeds));
  const med = seeds > 1 ? `median of ${seeds} seeds ` : '';
  // Trials from several machines: the time from steps and this machine's measured samples/s.
  const est = a.mixedHosts?.estimates.find((e) => e.batchSize === t?.batchSize);
  if (t && a.timeOptimalTies.length > 1) {
    lines.push(
      `time-optimal batch size: cannot be told apart within the seeds' spread: ${a.timeOptimalTies.join(', ')} overlap; ` +
        `the fastest ${med}is ${t.batchSize} (lr ${t.bestLr}): ${t.secondsToTarget!.toFixed(2)} s${spread(t.secondsRange, (x) => x.toFixed(2))}${onEdge(t)}`,
    );
  } else {
    const seconds = est ? `${est.secondsToTarget.toFixed(2)} s on this machine` : `${t?.secondsToTarget!.toFixed(2)} s${spread(t?.secondsRange ?? null, (x) => x.toFixed(2))}`;
    lines.push(t ? `time-optimal batch size: ${t.batchSize} (lr ${t.bestLr}): ${med}${seconds}, ${fmt(t.stepsToTarget!)} steps, ${t.epochsToTarget!.toFixed(2)} epochs to target${onEdge(t)}` : 'time-optimal batch size: none reached the target; raise --budget or --max-epochs, or lower --target-accuracy');
  }
  const acc = a.accuracyOptimal;
  if (acc) {
    lines.push(
      `accuracy-optimal batch size: ${acc.batchSize} (best validation accuracy ${pct(acc.bestValAccuracy)})${onEdge(acc)}` +
        (counts.untilBudget ? '' : '; trials stopped at the target, so this is close to a tie: --until budget trains on and measures it properly'),
    );
  }
  const c = a.criticalBatch;
  if (c) lines.push(`fit S = S_min·(1 + B_crit/B): S_min ${fmt(c.minSteps)} steps, B_crit ${fmt(c.criticalBatch)}, E_min ${fmt(c.minExamples)} examples`);
  return lines;
}

const failures = (b: BatchSummary) => {
  const parts = [b.diverged ? `${b.diverged} diverged` : '', b.stalled ? `${b.stalled} stalled` : ''].filter((x) => x !== '');
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
};

/** What the grid says about each batch size's rate, where that is not "interior": Shallue et al.'s rule. */
export function edgeLines(a: SweepAnalysis, rates: readonly BatchRates[], extendGrid: boolean): string[] {
  const lines: string[] = [];
  const single = a.batches.filter((b) => b.edge === 'single').map((b) => b.batchSize);
  if (single.length > 0) lines.push(`one rate tried at batch size ${single.join(', ')}: the rule's rate, not tuned (give --lr-grid several rates)`);
  for (const b of a.batches) {
    const r = rates.find((x) => x.batchSize === b.batchSize);
    if (b.edge === null || b.edge === 'single' || r === undefined) continue;
    const range = `${r.lowestLr}–${r.highestLr}`;
    const down = b.edge !== 'highest';
    const beyond = down ? r.below : r.above;
    const why = r.interrupted
      ? 'the sweep stopped before its search past the edge ended'
      : !extendGrid
      ? 'not extended (--no-extend-grid)'
      : `${beyond} rate(s) tried ${down ? 'below' : 'above'} the grid; ${beyond >= EDGE_BOUNDS.perSide ? `the bound of ${EDGE_BOUNDS.perSide} per side is reached` : `the next would leave [${EDGE_BOUNDS.minLr}, ${EDGE_BOUNDS.maxLr}]`}`;
    const what = b.edge === 'all-failed' ? 'every rate failed (diverged or stalled)' : `the best rate ${b.bestLr} is the ${down ? 'smallest' : 'largest'} tried`;
    lines.push(`grid edge at batch size ${b.batchSize}: ${what} (${range}); ${why}`);
  }
  return lines;
}
