/**
 * `batchwise recommend`: the batch size, iterSize and learning rate to use, with the evidence;
 * optionally verified by training with it, and exported as another framework's config.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { loadRunData } from '../engine/run.js';
import { resolveModel } from '../model/model.js';
import { Interrupted, UserError } from '../errors.js';
import { formatBytes, parseBytes } from '../fit/bytes.js';
import { batchwiseVersion, machineInfo } from '../bench/machine.js';
import { adviceCost } from '../recommend/advice-cost.js';
import { backtestPilot, type Backtest } from '../recommend/bounded/backtest.js';
import { exportPlan } from '../recommend/export/export-plan.js';
import { describeProvenance, type MachineSource } from '../recommend/machine-memo.js';
import { describeCheck } from '../recommend/throughput-check.js';
import type { Candidate } from '../recommend/predict.js';
import { recommend, type Recommendation, type RecommendSpec } from '../recommend/recommend.js';
import { recommendedPlan } from '../recommend/recommended-plan.js';
import { recommendedConfig, verify, verifyAuto, type AutoVerification, type Verification } from '../recommend/verify.js';
import { ProgressWriter } from '../sweep/progress.js';
import { trialRow } from '../sweep/store-recorder.js';
import type { TrialMetric } from '../sweep/trial.js';
import { Store, type RunRow } from '../store/store.js';
import { noiseRow } from './noise-command.js';
import { EXIT } from './parse.js';
import { reportCommandLine } from './report-options.js';
import type { RecommendOptions } from './recommend-options.js';
import { autoVerificationLines, boundedRateResult, recommendationLines, verificationLines } from './recommend-report.js';
import { keepCurve, recallCurve } from './train-adaptive.js';
import { fmt } from './table.js';
import { baseRunConfig } from './train-options.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

function writeNew(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export async function recommendCommand(options: RecommendOptions): Promise<number> {
  // --verify-auto verifies the recommendation too: the two are reported side by side.
  const o = options.verifyAuto ? { ...options, verify: true } : options;
  if (o.targetAccuracy === undefined) throw new UserError('--target-accuracy is required: the recommendation is the fastest way to it (e.g. --target-accuracy 0.97)');
  if (o.refineEpochs !== undefined && o.pilotRuns !== 'bounded') throw new UserError('--refine-epochs refines the bounded pilot; --pilot-runs to-target trains its pilot to the target already, so leave one of them out');
  if (o.refineEpochs !== undefined && o.refineEpochs <= o.boundEpochs) throw new UserError(`--refine-epochs ${o.refineEpochs} is not more than --bound-epochs ${o.boundEpochs}: give more epochs than the grid's pilots trained, or leave it out`);
  if (o.lrGrid !== undefined && o.pilotRuns === 'bounded') throw new UserError('--lr-grid is the grid of --pilot-runs to-target; the default bounded pilot finds its rate by a range test from --lr, so add --pilot-runs to-target or give --lr instead');
  const budgetBytes = o.memory === undefined ? Math.floor(freemem()) : parseBytes(o.memory, '--memory');
  const given = baseRunConfig(o, { batchSize: o.pilotBatch, iterSize: 1, lr: o.lr, epochs: o.pilotEpochs, targetAccuracy: o.targetAccuracy });
  const data = loadRunData(given);
  // Batch norm's group is held at one size for the pilot and every candidate, so that splitting an
  // effective batch into micro-batch × iter-size does not change the update it stands for.
  const hasBatchNorm = resolveModel(given.model, data.featureShape, data.numClasses).buffers.length > 0;
  const base = hasBatchNorm ? { ...given, bnBatch: o.bnBatch ?? o.pilotBatch } : given;
  if (hasBatchNorm) {
    say(
      `recommend: batch norm normalises over groups of ${base.bnBatch} examples (${o.bnBatch !== undefined ? '--bn-batch' : 'the --pilot-batch; set another with --bn-batch'}) at every batch size: ` +
        'a split into micro-batch × iter-size keeps those groups (the largest that tiles a smaller micro-batch), so it makes the same update as one batch, and --verify trains it so split',
    );
  }
  const spec: RecommendSpec = {
    base,
    pilotRuns: o.pilotRuns,
    boundEpochs: o.boundEpochs,
    pilotRates: o.pilotRates,
    refineEpochs: o.refineEpochs ?? null,
    pilotLrGrid: o.lrGrid ?? [0.25, 0.5, 1, 2].map((f) => Number((f * base.hyper.lr!).toPrecision(4))),
    extendGrid: o.extendGrid,
    targetAccuracy: o.targetAccuracy,
    budgetBytes,
    margin: o.margin,
    worldSize: o.worldSize,
    interconnect: o.interconnect,
    pilotBatch: o.pilotBatch,
    lrRule: o.lrRule,
    pilotMaxEpochs: o.pilotEpochs,
    pilotMaxSeconds: o.pilotSeconds,
    evalsPerEpoch: o.evalsPerEpoch,
    noise: { rounds: o.noiseRounds, seed: o.seed },
    throughputSeconds: 0.3,
  };
  // Refuse an impossible export or a clobbering --out before the long part, not after it.
  const dummy: Candidate = { effectiveBatch: o.worldSize, microBatch: 1, iterSize: 1, worldSize: o.worldSize, samplesPerSec: 1, allReduceSeconds: 0, commSeconds: 0, efficiency: 1, examples: 1, steps: 1, epochs: 1, seconds: 1, validations: 1, wallSeconds: 1, lr: base.hyper.lr!, warmupSteps: 0 };
  const exportPath = o.export === undefined ? undefined : (o.out ?? exportPlan(o.export, recommendedPlan(base, dummy, o.targetAccuracy, data.train.count)).fileName);
  if (exportPath !== undefined && existsSync(exportPath)) throw new UserError(`--out ${exportPath} already exists; give another path with --out, or move that file away`);

  if (o.verifyAuto && (base.schedule.kind !== 'constant' || base.warmupSteps > 0)) {
    throw new UserError(`--verify-auto trains --batch-size auto, which chooses its rate as the batch grows; drop --${base.schedule.kind !== 'constant' ? 'schedule' : 'warmup-steps'}, or drop --verify-auto`);
  }
  if (o.pilotBatch > data.train.count) throw new UserError(`--pilot-batch ${o.pilotBatch} is larger than the ${data.train.count} training examples; use a smaller one`);
  // Opened first so that a bad --db fails now; the run is stored only once there is something to keep.
  const store = Store.open(o.db);
  try {
    let stop = false;
    const onSigint = () => {
      if (stop) process.exit(EXIT.interrupted);
      stop = true;
      say('batchwise: stopping (Ctrl-C again to quit at once)');
    };
    process.on('SIGINT', onSigint);
    // Held back until a micro-batch fits, so that a budget too small for one example is one line.
    let held: string[] | null = [];
    const progress = (line: string, release: boolean) => {
      if (held !== null && release) {
        held.forEach(say);
        held = null;
      }
      if (held === null) say(line);
      else held.push(line);
    };
    let rec: Recommendation;
    let verification: Verification | null = null;
    let autoVerification: AutoVerification | null = null;
    let backtested: Backtest | null = null;
    const label = `${base.modelName} on ${base.dataset}, ${base.optimizer}, target ${o.targetAccuracy}, ${formatBytes(budgetBytes)}`;
    // Stored once the first trial starts (a refusal before then stores nothing), so that a live
    // reader (batchwise serve) can show the trial in progress.
    let opened: RunRow | null = null;
    // Measurements kept before the run is stored are credited to it once it is.
    const keptBeforeRun: string[] = [];
    const openedRun = (): RunRow => {
      if (opened === null) {
        opened = store.openRun('recommend', randomUUID(), label, spec).run;
        store.linkMachine(keptBeforeRun, opened.id);
      }
      return opened;
    };
    const machine: MachineSource = {
      memo: {
        recall: (key) => store.machine(key),
        keep: (kind, key, value) => {
          store.keepMachine(kind, key, value, opened?.id ?? null);
          if (opened === null) keptBeforeRun.push(key);
        },
      },
      machine: { ...machineInfo(), batchwise: batchwiseVersion() },
      remeasure: o.remeasure,
      now: () => Date.now(),
    };
    let live: ProgressWriter | null = null;
    const liveRun = (): ProgressWriter => (live ??= new ProgressWriter(store, openedRun().id));
    let run: RunRow;
    try {
      rec = await recommend(spec, data, {
        onLrTrialStart: (lr) => liveRun().start({ key: `pilot-lr-${lr}`, batchSize: o.pilotBatch, iterSize: 1, lr }),
        onLrMetric: (m) => live?.metric(m),
        onStage: (stage, detail) => progress(`recommend: ${stage}: ${detail}…`, stage !== 'memory'),
        onProbe: (p) => progress(`  probe micro-batch ${fmt(p.batchSize)}: ${p.ok ? `peak ${formatBytes(p.peakBytes ?? 0)}` : `does not fit (${p.reason})`}`, p.fits),
        onThroughput: (p) => say(`  micro-batch ${fmt(p.microBatch)}: ${fmt(p.samplesPerSec)} samples/s`),
        onThroughputCheck: (c) => say(`recommend: throughput: the kept curve ${describeCheck(c, fmt)}`),
        onRangeTest: (r) => say(`  rate range test: loss ${r.stopped === 'blew-up' ? `blew up at lr ${r.edgeLr.toPrecision(3)}` : `never blew up up to lr ${r.edgeLr.toPrecision(3)}`}; first pilot lr ${r.lr.toPrecision(3)}`),
        onBoundedRateStart: (lr, reused) => say(`  lr ${lr}:${reused === null ? '' : ` bounded pilot ${describeProvenance(reused)}`}`),
        onBoundedRate: (r) => say(`  lr ${r.lr}: ${boundedRateResult(r)}`),
        onRefineStart: (lr, reused) => say(`  refining lr ${lr}: its pilot again to ${o.refineEpochs} epochs${reused === null ? '' : `, ${describeProvenance(reused)}`}`),
        onRefined: (r) => say(`  refined lr ${r.lr}: ${boundedRateResult(r)}`),
        onPilotNoise: (lr, how, refined) => say(`  noise scale along lr ${lr}'s ${refined ? 'refined ' : ''}pilot, ${how === 'kept points' ? 'at the points its run kept' : 'its run trained again to measure it'}:`),
        onLrTrial: (t) => {
          live?.clear();
          say(`  lr ${t.lr}: ${t.outcome.status}${t.outcome.stepsToTarget !== null ? ` in ${fmt(t.outcome.stepsToTarget)} steps` : ''}`);
        },
        onNoise: (m) => say(`  step ${fmt(m.step)}: loss ${m.trainLoss.toFixed(3)}, B_simple ${fmt(m.bSimple)} (${fmt(m.bSimpleLow)}–${fmt(m.bSimpleHigh)})`),
        shouldStop: () => stop,
      }, machine).catch((e: unknown) => {
        if (opened !== null) store.finishRun(opened.id, e instanceof Interrupted ? 'interrupted' : 'failed', { error: (e as Error)?.message ?? String(e) });
        throw e;
      });
      run = openedRun();
      // A reused fit's probes belong to the run that made them.
      if (!rec.machine.memory.reused) store.recordProbes(run.id, rec.fit.probes.map((p) => ({ batchSize: p.batchSize, ok: p.ok, peakBytes: p.peakBytes, reason: p.reason, seconds: p.seconds })));
      for (const t of rec.lrTrials) store.recordTrial(trialRow(run.id, `pilot-lr-${t.lr}`, { batchSize: o.pilotBatch, iterSize: 1, lr: t.lr, seed: base.seed }, t.outcome), t.outcome.metrics);
      store.recordNoise(run.id, rec.pilot.measurements.map(noiseRow));
      // Before this run's own verification is kept: the band is what was known when the advice was given.
      backtested = backtestPilot(store, base, o.targetAccuracy, rec.pilot.extrapolation);
      // Both verifications train seed after seed on the same terms, each seed a live trial.
      const seedRuns = (trial: (seed: number) => Parameters<ReturnType<typeof liveRun>['start']>[0]) => ({
        evalsPerEpoch: o.evalsPerEpoch,
        seeds: o.seeds,
        shouldStop: () => stop,
        onMetric: (m: TrialMetric) => live?.metric(m),
        onSeed: (seed: number) => {
          if (o.seeds > 1) say(`  seed ${seed}…`);
          liveRun().start(trial(seed));
        },
      });
      if (o.verify) {
        say(`recommend: verify: training with batch ${rec.choice.effectiveBatch}, lr ${rec.choice.lr.toPrecision(4)} to ${o.targetAccuracy}${o.seeds > 1 ? ` at ${o.seeds} seeds` : ''}…`);
        const c = recommendedConfig(base, rec.choice, o.targetAccuracy);
        // The first seed's trial keeps the key 'verify'; further seeds are 'verify-s<seed>'.
        const key = (seed: number) => (seed === base.seed ? 'verify' : `verify-s${seed}`);
        verification = await verify(base, data, rec.choice, o.targetAccuracy, seedRuns((seed) => ({ key: key(seed), batchSize: rec.choice.microBatch, iterSize: c.iterSize, lr: c.hyper.lr! })));
        if (verification) {
          for (const s of verification.seeds) store.recordTrial(trialRow(run.id, key(s.seed), { batchSize: rec.choice.microBatch, iterSize: c.iterSize, lr: c.hyper.lr!, seed: s.seed }, s.measured), s.measured.metrics);
        }
      }
      if (o.verifyAuto && verification !== null) {
        const auto = { startBatch: rec.pilot.batchSize, maxBatch: Math.max(...rec.candidates.map((x) => x.effectiveBatch)), lr: rec.pilot.lr, memoryBytes: budgetBytes };
        say(`recommend: verify --batch-size auto: from batch ${auto.startBatch} at lr ${auto.lr.toPrecision(4)} (the pilot's) up to ${auto.maxBatch}${o.seeds > 1 ? ` at ${o.seeds} seeds` : ''}…`);
        const autoKey = (seed: number) => (seed === base.seed ? 'verify-auto' : `verify-auto-s${seed}`);
        const curveConfig = { ...base, batchSize: auto.startBatch, adaptive: { minBatch: auto.startBatch, maxBatch: auto.maxBatch, memoryBytes: auto.memoryBytes } };
        const kept = o.remeasure ? null : recallCurve(store, curveConfig);
        if (kept !== null) say(`  the throughput curve of auto is ${kept.said}`);
        const v = await verifyAuto(base, data, rec.choice, { ...auto, curve: kept?.curve }, o.targetAccuracy, seedRuns((seed) => ({ key: autoKey(seed), batchSize: auto.startBatch, iterSize: 1, lr: auto.lr })));
        if (v !== null) {
          const { curve, ...rest } = v;
          autoVerification = rest;
          if (kept === null) keepCurve(store, curveConfig, curve, run.id);
          for (const s of v.seeds) {
            store.recordBatchChanges(run.id, autoKey(s.seed), 0, s.measured.batchChanges);
            store.recordTrial(trialRow(run.id, autoKey(s.seed), { batchSize: auto.startBatch, iterSize: 1, lr: v.lr, seed: s.seed }, s.measured, { batchLabel: 'auto' }), s.measured.metrics);
          }
        }
      }
    } finally {
      process.off('SIGINT', onSigint);
    }
    // The evidence as well as the answer, so that `report` can draw it: prediction, throughput, memory fit, pilot.
    const { probes: _probes, ...fit } = rec.fit;
    const { measurements: _m, ...pilot } = rec.pilot;
    const rangeTest = rec.rangeTest === null ? null : { ...rec.rangeTest, points: undefined };
    const evidence = { candidates: rec.candidates, throughput: rec.throughput, matmulGflops: rec.matmulGflops, fit, pilot, pilotRuns: rec.pilotRuns, rangeTest, rangeTestProvenance: rec.rangeTestProvenance, pilotRates: rec.pilotRates, refined: rec.refined, lrRule: rec.lrRule, trainExamples: rec.trainExamples };
    const cost = adviceCost(rec.choice, rec.candidates, rec.seconds);
    const interrupted = (o.verify && verification === null) || (o.verifyAuto && autoVerification === null);
    const summary = { choice: rec.choice, bNoise: rec.bNoise, seconds: rec.seconds, stageSeconds: rec.stageSeconds, machine: rec.machine, throughputCheck: rec.throughputCheck, backtest: backtested, cost, verification, ...(o.verifyAuto ? { autoVerification: autoJson(autoVerification) } : {}), ...evidence };
    store.finishRun(run.id, interrupted ? 'interrupted' : 'finished', summary);

    let exported: string | null = null;
    if (o.export !== undefined && exportPath !== undefined) {
      const e = exportPlan(o.export, recommendedPlan(base, rec.choice, o.targetAccuracy, data.train.count));
      writeNew(exportPath, e.text);
      exported = exportPath;
      for (const n of e.notes) say(`export ${o.export}: note: ${n}`);
    }
    if (o.json) {
      const { fit, throughput, pilot, lrTrials, candidates, matmulGflops, stageSeconds } = rec;
      process.stdout.write(`${JSON.stringify({ db: o.db, run: run.id, choice: rec.choice, bNoise: rec.bNoise, lrRule: rec.lrRule, seconds: rec.seconds, stageSeconds, machine: rec.machine, cost, fit, matmulGflops, throughput, throughputCheck: rec.throughputCheck, backtest: backtested, lrTrials: lrTrials.map(({ lr, outcome: { metrics: _m, ...rest } }) => ({ lr, ...rest })), lrSearch: rec.lrSearch, pilotRuns: rec.pilotRuns, rangeTest: rec.rangeTest, rangeTestProvenance: rec.rangeTestProvenance, pilotRates: rec.pilotRates, refined: rec.refined, pilot, candidates, worldSize: rec.worldSize, communication: rec.communication, verification, ...(o.verifyAuto ? { autoVerification: autoJson(autoVerification) } : {}), exported })}\n`);
    } else {
      const heading = `recommendation for ${base.modelName} on ${base.dataset} (${base.optimizer}) to ${(o.targetAccuracy * 100).toFixed(2)}% validation accuracy within ${formatBytes(budgetBytes)}:`;
      const lines = recommendationLines(rec, heading, backtested);
      if (verification) lines.push(...verificationLines(verification));
      if (verification && autoVerification) lines.push(...autoVerificationLines(autoVerification, verification));
      if (exported) lines.push('', `exported (${o.export}): ${exported}`);
      lines.push('', `stored: ${o.db} run ${run.id} (batchwise runs --db ${o.db})`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    say(`batchwise: see the evidence: ${reportCommandLine(o.db, run.id)}`);
    return interrupted ? EXIT.interrupted : EXIT.ok;
  } finally {
    store.close();
  }
}

/** An auto verification without its runs' metrics and changes (the store keeps those). */
function autoJson(v: AutoVerification | null) {
  if (v === null) return null;
  const strip = ({ metrics: _m, batchChanges: _c, curve: _curve, ...rest }: AutoVerification['measured']) => rest;
  return { ...v, measured: strip(v.measured), seeds: v.seeds.map((s) => ({ seed: s.seed, measured: strip(s.measured) })) };
}
