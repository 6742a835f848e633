/**
 * `train --batch-size auto`: a training run whose batch and rate change as the gradient noise
 * scale grows (goodput.ts says why and how, schedule.ts when).
 *
 * Bookkeeping. Examples are drawn from the same per-epoch permutations as a fixed-batch run
 * (seed, epoch): update after update takes the next B examples of the current permutation, B the
 * batch at that update; when fewer than B are left, the epoch ends and the rest are not used in it,
 * exactly as with a fixed batch. So with the batch held, the run is the fixed run, update for
 * update. Epochs done = epoch + offset/N. Validation falls due every `evalEvery` updates of the
 * starting batch, counted in examples, so its cadence stays put as the batch changes.
 *
 * Noise, two ways (goodput.ts autoSplit chooses per batch). Where the batch runs as K ≥ 2
 * micro-batches, each update returns the mean |g_k|² of its micro-batch gradients and |ḡ|² of
 * their mean (the training graph's noise statistics), and the two-batch estimator of
 * noise/estimator.ts turns each update's pair into |G|² and tr(Σ) for the schedule's window: no
 * extra computation beyond two sums of squares per update, after one round at the start for the
 * first decision (schedule.ts initialSchedule). Otherwise, before update
 * `nextRoundStep` a round computes the gradients of k micro-batches of B_small examples (drawn
 * with replacement, seeded by the step; B_big = k·B_small ≥ 1,024, see goodput.ts noisePlan) at
 * the current parameters with the gradient model, and the same estimator takes |mean of the k|²
 * against the mean of their |·|², at a cost the schedule bounds to NOISE_OVERHEAD of training
 * time, counted in trainSeconds (and reported apart as noiseSeconds).
 *
 * One Trainer (ORT session) per micro-batch × iter-size split, made when first needed; the state
 * (parameters, optimizer slots, step, seconds) moves between them unchanged.
 */
import { buildInferenceModel } from '../compile/inference-model.js';
import type { DataSplits } from '../data/dataset.js';
import { loadCheckpoint, saveCheckpoint } from '../engine/checkpoint.js';
import type { GivenKey, RunConfig } from '../engine/run-config.js';
import { loadRunData, mergeResumeConfig, prepareTrainer, type RunHooks, type RunInfo, type RunOptions, type RunResult } from '../engine/run.js';
import type { TrainResult, TrainStatus } from '../engine/train-loop.js';
import type { Evaluation, Trainer } from '../engine/trainer.js';
import { UserError } from '../errors.js';
import { paramCount, resolveModel } from '../model/model.js';
import { makeOptimizer } from '../optim/registry.js';
import { estimateFromPair } from '../noise/estimator.js';
import { GradientSampler } from '../noise/gradient-sampler.js';
import { Rng } from '../rng.js';
import type { BatchChangeRow } from '../store/rows.js';
import { batchLadder, NOISE_BIG_MIN, noisePlan, splitBatch, startRung, type ThroughputPoint } from './goodput.js';
import { addInStep, addRound, bNoiseOf, decide, initialSchedule, startOf, type AdaptiveSettings, type ScheduleState } from './schedule.js';
import { curveBatches, measureCurve, microBatchCap } from './setup.js';

/** Decisions fall due this often, in epochs of examples. */
export const DECIDE_EVERY_EPOCHS = 1 / 20;
// 3: in-step noise statistics and their window in the schedule (schedule.ts); 2: noise rounds of B_big ≥ 1,024 pooled as 1/B_noise.
// 4: the start may be above the smallest rung (settings.startBatch); a format-3 checkpoint starts at ladder[0] and resumes as one.
const FORMAT = 'batchwise-adaptive-4';
const READS = new Set<string>([FORMAT, 'batchwise-adaptive-3']);

/** Everything the adaptive loop needs to go on exactly: kept in the checkpoint beside the trainer's state. */
export interface AdaptiveState {
  readonly format: string;
  readonly settings: AdaptiveSettings;
  readonly schedule: ScheduleState;
  readonly epoch: number;
  /** Examples of this epoch's permutation used so far. */
  readonly offset: number;
  readonly examples: number;
  readonly nextEvalExamples: number;
  readonly noiseSeconds: number;
  /** Updates that measured the noise in-step (their statistics cost no separate seconds). */
  readonly inStepUpdates: number;
  /** Changes logged so far: the next one's sequence number in the store. */
  readonly changes: number;
}

export interface AdaptiveHooks extends RunHooks {
  /** Each change as it happens, with its sequence number (0: the start). */
  readonly onBatchChange?: (c: BatchChangeRow, seq: number) => void;
}

export interface AdaptiveOptions extends RunOptions {
  /** A throughput curve measured earlier for this model, optimizer, threads and machine (the store's memo); measured now if absent. */
  readonly curve?: readonly ThroughputPoint[] | undefined;
  /** The data, already loaded (tests); otherwise loaded from the config. */
  readonly data?: DataSplits | undefined;
  /** Fewest examples per noise round (default NOISE_BIG_MIN): tests on a few hundred examples take smaller rounds to see several. */
  readonly noiseBigMin?: number | undefined;
}

export interface AdaptiveResult extends RunResult {
  /** This session's changes, the first numbered `firstSeq`. */
  readonly changes: readonly BatchChangeRow[];
  readonly firstSeq: number;
  readonly examples: number;
  /** Seconds of noise rounds over every session (included in trainSeconds). */
  readonly noiseSeconds: number;
  /** Updates over every session whose own micro-batches measured the noise (no rounds then). */
  readonly inStepUpdates: number;
  /** Seconds measuring the throughput curve in this session (0 when given or resumed). */
  readonly curveSeconds: number;
  readonly curve: readonly ThroughputPoint[];
  readonly final: { readonly microBatch: number; readonly iterSize: number; readonly lr: number; readonly bNoise: number };
}

export async function runAdaptive(given: RunConfig, opts: AdaptiveOptions = {}, hooks: AdaptiveHooks = {}, explicitlyGiven: ReadonlySet<GivenKey> = new Set()): Promise<AdaptiveResult> {
  const resumed = opts.resumeDir !== undefined ? loadCheckpoint(opts.resumeDir) : null;
  const config = resumed ? mergeResumeConfig(resumed.meta.config, given, explicitlyGiven) : given;
  const spec = config.adaptive;
  if (spec === undefined) throw new UserError(`${opts.resumeDir ?? 'this run'} was not trained with --batch-size auto; resume it without it`);
  const data = opts.data ?? loadRunData(config);
  const N = data.train.count;
  const lr0 = config.hyper.lr!;
  const trainers = new Map<string, Trainer>();
  const samplers = new Map<number, GradientSampler>();
  const trainerFor = async (sc: Pick<ScheduleState, 'microBatch' | 'iterSize' | 'inStep'>) => {
    const key = `${sc.microBatch}x${sc.iterSize}${sc.inStep ? '+noise' : ''}`;
    let t = trainers.get(key);
    if (!t) {
      t = await prepareTrainer({ ...config, batchSize: sc.microBatch, iterSize: sc.iterSize, schedule: { kind: 'constant' }, warmupSteps: 0 }, data, { noiseStats: sc.inStep });
      trainers.set(key, t);
    }
    return t;
  };
  try {
    const model = resolveModel(config.model, data.featureShape, data.numClasses);
    let curveSeconds = 0;
    let st: AdaptiveState;
    const changes: BatchChangeRow[] = [];
    if (resumed) {
      st = resumed.meta.adaptive as AdaptiveState;
      if (!READS.has(st?.format ?? '')) throw new UserError(`${opts.resumeDir}: the checkpoint has no adaptive-batch state of format ${JSON.stringify(FORMAT)} (it has ${JSON.stringify((st as { format?: unknown } | undefined)?.format)}); it was not saved by --batch-size auto of this version: train it again`);
    } else {
      const startBatch = config.batchSize as number;
      if (spec.minBatch > N) throw new UserError(`--auto-min ${spec.minBatch} is larger than the ${N} training examples; use a smaller one`);
      if (startBatch > N) throw new UserError(`--auto-start ${startBatch} is larger than the ${N} training examples; use a smaller one`);
      const ladder = batchLadder(spec.minBatch, Math.min(spec.maxBatch, N));
      const microCap = microBatchCap(model, makeOptimizer(config.optimizer, config.hyper).slots.length, spec.memoryBytes, ladder[ladder.length - 1]!);
      // The starting batch (config.batchSize, the one lr0 is for) must be a rung and run at all (within the memory cap, whole batch-norm groups): say so before timing anything.
      startRung(ladder, startBatch);
      splitBatch(startBatch, microCap, config.bnBatch);
      let curve = opts.curve;
      if (curve === undefined) {
        const started = performance.now();
        curve = await measureCurve(config, data, curveBatches(ladder, microCap, config.bnBatch), ladder[ladder.length - 1]!);
        curveSeconds = (performance.now() - started) / 1000;
      }
      const settings: AdaptiveSettings = { ladder, startBatch, microCap, lr0, curve, decideEveryExamples: Math.max(1, Math.round(N * DECIDE_EVERY_EPOCHS)), noiseBigMin: opts.noiseBigMin ?? NOISE_BIG_MIN, normGroup: config.bnBatch,
        // Batch norm over the micro-batch: halving it for noise statistics would change the update, not only its cost.
        halveForNoise: !(model.buffers.length > 0 && config.bnBatch === undefined) };
      const start = initialSchedule(settings);
      changes.push(start.change);
      st = { format: FORMAT, settings, schedule: start.state, epoch: 0, offset: 0, examples: 0, nextEvalExamples: evalEvery(config), noiseSeconds: 0, inStepUpdates: 0, changes: 1 };
    }
    const firstSeq = st.changes - changes.length;
    let trainer = await trainerFor(st.schedule);
    if (resumed) trainer.restore(resumed.state);
    const s = st.settings;
    const startRun = initialSchedule(s).state;
    const info: RunInfo = {
      config,
      trainExamples: N,
      validationExamples: data.validation.count,
      testExamples: data.test.count,
      // The starting batch as it runs (split in two where the updates measure the noise).
      microBatch: startRun.microBatch,
      iterSize: startRun.iterSize,
      effectiveBatch: startOf(s),
      stepsPerEpoch: Math.floor(N / startOf(s)),
      totalSteps: Math.floor(N / startOf(s)) * config.epochs,
      parameters: paramCount(trainer.model),
      // Batch norm normalises over the micro-batch as it changes, unless --bn-batch holds the group.
      normGroup: trainer.model.buffers.length > 0 ? (config.bnBatch ?? startRun.microBatch) : null,
      flopsPerExample: 6 * trainer.model.macsPerExample,
      resumedFromStep: trainer.state.step,
      schedule: { kind: 'constant', warmupSteps: 0 },
    };
    hooks.onStart?.(info);
    if (!resumed) hooks.onBatchChange?.(changes[0]!, 0);

    const save = () => {
      if (opts.saveDir === undefined) return;
      const inference = buildInferenceModel(trainer.model, trainer.state.params, data.normalization);
      saveCheckpoint(opts.saveDir, config, trainer.snapshot(), data.normalization, inference, st);
    };
    let status: TrainStatus = 'completed';
    let divergedAtStep: number | null = null;
    let lastEval: Evaluation | null = null;
    let target: TrainResult['target'] = null;
    let sessionSeconds = 0;
    let sessionExamples = 0;
    let lossSum = 0;
    let lossCount = 0;
    let chunk = Math.max(1, Math.floor(4096 / st.schedule.batch));
    const rate = () => (sessionSeconds > 0 ? sessionExamples / sessionSeconds : 0);
    const epochsDone = () => st.epoch + st.offset / N;
    const validate = async () => {
      lastEval = await trainer.evaluate(data.validation);
      const e = { step: trainer.state.step, epochs: epochsDone(), trainLoss: lossCount > 0 ? lossSum / lossCount : NaN, validation: lastEval, samplesPerSec: rate(), trainSeconds: trainer.state.trainSeconds };
      lossSum = 0;
      lossCount = 0;
      const every = evalEvery(config);
      st = { ...st, nextEvalExamples: every === Number.MAX_SAFE_INTEGER ? every : (Math.floor(st.examples / every) + 1) * every };
      if (config.targetAccuracy !== undefined && target === null && lastEval.accuracy >= config.targetAccuracy) {
        target = { steps: e.step, epochs: e.epochs, trainSeconds: e.trainSeconds };
        status = 'target-reached';
      }
      hooks.onEvaluation?.(e);
      save();
    };
    // The epoch ends when the next update no longer fits in what is left of its permutation.
    const rollOver = async () => {
      if (st.offset + st.schedule.batch <= N) return;
      st = { ...st, epoch: st.epoch + 1, offset: 0 };
      await validate();
    };
    const noiseRound = async () => {
      const sc = st.schedule;
      const plan = noisePlan(sc.batch, sc.microBatch, s.curve, s.microCap, s.noiseBigMin);
      let sampler = samplers.get(plan.bSmall);
      if (!sampler) {
        sampler = await GradientSampler.create(trainer.model, data.train, plan.bSmall, config.threads, trainer.optimizer.hyper.weightDecay);
        samplers.set(plan.bSmall, sampler);
      }
      const started = performance.now();
      const step = trainer.state.step;
      const round = await sampler.round(trainer.state.params, plan.k, Rng.derive(config.seed, 0x6164, step));
      const seconds = (performance.now() - started) / 1000;
      trainer.state.trainSeconds += seconds;
      st = { ...st, schedule: addRound(sc, estimateFromPair(round), step, s), noiseSeconds: st.noiseSeconds + seconds };
    };

    while (st.epoch < config.epochs && status === 'completed') {
      if (hooks.shouldStop?.()) {
        status = 'interrupted';
        break;
      }
      const step = trainer.state.step;
      if (step >= st.schedule.nextRoundStep) await noiseRound();
      if (st.examples >= st.schedule.nextDecisionExamples) {
        const d = decide(st.schedule, s, step, st.examples);
        st = { ...st, schedule: d.state };
        if (d.change) {
          changes.push(d.change);
          hooks.onBatchChange?.(d.change, st.changes);
          st = { ...st, changes: st.changes + 1 };
          const next = await trainerFor(d.state);
          next.state = trainer.state;
          trainer = next;
          chunk = Math.max(1, Math.floor(4096 / d.state.batch));
          await rollOver();
          continue;
        }
      }
      const sc = st.schedule;
      const B = sc.batch;
      const untilExamples = (x: number) => Math.max(1, Math.ceil((x - st.examples) / B));
      const n = Math.min(chunk, sc.nextRoundStep - step, untilExamples(sc.nextDecisionExamples), untilExamples(st.nextEvalExamples), Math.floor((N - st.offset) / B));
      const perm = Rng.derive(config.seed, 2, st.epoch).permutation(N);
      const order = new BigInt64Array(n * B);
      for (let i = 0; i < order.length; i++) order[i] = BigInt(perm[st.offset + i]!);
      const r = await trainer.runUpdates(n, { order, lrs: new Float32Array(n).fill(sc.lr) });
      const done = r.losses.length;
      sessionSeconds += r.seconds;
      sessionExamples += done * B;
      st = { ...st, offset: st.offset + done * B, examples: st.examples + done * B };
      for (const l of r.losses) lossSum += l;
      lossCount += done;
      if (r.noise) {
        // One update at a time, in order: sums that do not depend on how updates were grouped into runs (timed chunks).
        let schedule = st.schedule;
        for (let u = 0; u < r.noise.smallSq.length; u++) {
          const e = estimateFromPair({ bSmall: sc.microBatch, bBig: sc.microBatch * sc.iterSize, smallSq: r.noise.smallSq[u]!, bigSq: r.noise.bigSq[u]! });
          if (Number.isFinite(e.gradSq) && Number.isFinite(e.traceSigma)) schedule = addInStep(schedule, e, 1, B);
        }
        st = { ...st, schedule, inStepUpdates: st.inStepUpdates + r.noise.smallSq.length };
      }
      if (r.divergedAtStep !== null) {
        status = 'diverged';
        divergedAtStep = r.divergedAtStep;
        break;
      }
      chunk = Math.max(1, Math.min(chunk * 4, Math.round((n * 0.25) / Math.max(r.seconds, 1e-4))));
      const last = r.losses[done - 1]!;
      hooks.onProgress?.({ step: Math.floor(st.examples / startOf(s)), totalSteps: info.totalSteps, epoch: st.epoch, loss: last, samplesPerSec: rate() });
      if (st.examples >= st.nextEvalExamples) await validate();
      if (status === 'completed') await rollOver();
    }
    if (status !== 'diverged' && lastEval === null) lastEval = await trainer.evaluate(data.validation);
    const test = status === 'diverged' ? null : await trainer.evaluate(data.test);
    if (status !== 'diverged') save();
    const sc = st.schedule;
    return {
      status,
      steps: trainer.state.step,
      epochs: epochsDone(),
      divergedAtStep,
      validation: lastEval,
      test,
      samplesPerSec: rate(),
      trainSeconds: trainer.state.trainSeconds,
      target,
      info,
      changes,
      firstSeq,
      examples: st.examples,
      noiseSeconds: st.noiseSeconds,
      inStepUpdates: st.inStepUpdates,
      curveSeconds,
      curve: s.curve,
      final: { microBatch: sc.microBatch, iterSize: sc.iterSize, lr: sc.lr, bNoise: bNoiseOf(sc.noise) },
    };
  } finally {
    await Promise.all([...trainers.values()].map((t) => t.release()));
    await Promise.all([...samplers.values()].map((x) => x.release()));
  }
}

/** Examples between validations: `evalEvery` updates of the starting batch; without it only epoch ends validate. */
function evalEvery(config: RunConfig): number {
  // Finite, since the state goes to JSON (where Infinity would come back as null).
  return config.evalEvery !== undefined ? config.evalEvery * (config.batchSize as number) : Number.MAX_SAFE_INTEGER;
}
