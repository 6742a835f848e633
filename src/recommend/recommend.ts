/**
 * The advisor: memory fit → throughput curve → pilot with the noise scale → predicted time to
 * target per effective batch → the fastest, split into micro-batch × iterSize × world size, with
 * its learning rate. Every figure it used is returned with it (the evidence).
 */
import { measureConfigThroughput } from '../bench/throughput.js';
import { measureMatmul } from '../bench/matmul.js';
import type { DataSplits } from '../data/dataset.js';
import { dataFingerprint } from '../data/fingerprint.js';
import { atMicroBatch, type RunConfig } from '../engine/run-config.js';
import { Interrupted, UserError } from '../errors.js';
import { fitMemory, type FitResult } from '../fit/fit.js';
import type { ProbeRecord } from '../fit/search.js';
import type { NoiseMeasurement, NoiseOptions } from '../noise/measure.js';
import type { OptimizerName } from '../optim/registry.js';
import type { TrialMetric } from '../sweep/trial.js';
import { GRADIENT_BYTES_PER_PARAMETER } from './comm/allreduce.js';
import type { Interconnect } from './comm/interconnect.js';
import type { RecommendLrRule } from './lr-rule.js';
import { describeProvenance, matmulKey, measuredOrReused, memoryKey, throughputKey, type MachineKind, type MachineSource, type Provenance } from './machine-memo.js';
import { boundedRateGrid, type BoundedRate } from './bounded/bounded-pilot.js';
import { gridPilot, keptRangeTest } from './bounded/rate-grid.js';
import type { RangeTestResult } from './bounded/range-test.js';
import { noisePointsOf, runOverhead, runPilot, type PilotResult } from './pilot.js';
import { bestLrTrial, searchPilotLr, type LrTrial, type PilotLrSearch } from './pilot-lr.js';
import { CHECK_SECONDS, checkKeptCurve, type ThroughputCheck } from './throughput-check.js';
import { chooseCandidate, effectiveNoiseScale, predictCandidates, type Candidate, type Communication, type ThroughputPoint } from './predict.js';

/**
 * How the rate stage and the pilot train: `bounded` — a rate range test, then a pilot cut at `boundEpochs` at each rate of the
 * bounded rate grid, the rest extrapolated (bounded/); `to-target` — a rate grid and a pilot each trained to the target (pilot-lr.ts, pilot.ts).
 */
export const PILOT_RUNS = ['bounded', 'to-target'] as const;
export type PilotRuns = (typeof PILOT_RUNS)[number];

export interface RecommendSpec {
  /** Model, data and optimizer. */
  readonly base: RunConfig;
  readonly pilotRuns: PilotRuns;
  /** With bounded pilot runs: epochs of the pilot batch the pilot trains before extrapolating. */
  readonly boundEpochs: number;
  /** With bounded pilot runs: rates given a bounded pilot each, the range test's and each half the one before (bounded-pilot.ts). */
  readonly pilotRates: number;
  /** With bounded pilot runs: epochs the chosen rate's pilot trains again to before the prediction (rate-grid.ts); null: none. */
  readonly refineEpochs: number | null;
  /** Rates tried at the pilot batch; the one with the fewest steps to target is the pilot's (and the rule's ε₀). */
  readonly pilotLrGrid: readonly number[];
  /** Try rates past the pilot grid's edge while the best is on it (edges.ts). */
  readonly extendGrid: boolean;
  readonly targetAccuracy: number;
  readonly budgetBytes: number;
  readonly margin: number;
  readonly worldSize: number;
  /** The link the gradients are all-reduced over when worldSize > 1. */
  readonly interconnect: Interconnect;
  readonly pilotBatch: number;
  readonly lrRule: RecommendLrRule;
  /** Pilot limits: it stops at the target, or after these. */
  readonly pilotMaxEpochs: number;
  readonly pilotMaxSeconds: number;
  readonly evalsPerEpoch: number;
  readonly noise: NoiseOptions;
  /** Timed seconds per throughput point. */
  readonly throughputSeconds: number;
}

export type Stage = 'memory' | 'matmul' | 'throughput' | 'lr' | 'pilot' | 'predict';

export interface RecommendHooks {
  readonly onStage?: (stage: Stage, detail: string) => void;
  readonly onProbe?: (p: ProbeRecord) => void;
  readonly onThroughput?: (p: ThroughputPoint) => void;
  /** A reused throughput curve timed again (throughput-check.ts). */
  readonly onThroughputCheck?: (c: ThroughputCheck) => void;
  readonly onNoise?: (m: NoiseMeasurement) => void;
  readonly onLrTrial?: (t: LrTrial) => void;
  /** A pilot rate's trial starts, and each of its evaluations. */
  readonly onLrTrialStart?: (lr: number) => void;
  readonly onLrMetric?: (m: TrialMetric) => void;
  readonly onRangeTest?: (r: RangeTestResult) => void;
  /** A rate of the bounded rate grid starts its bounded pilot (or reuses a kept one), and what that pilot told. */
  readonly onBoundedRateStart?: (lr: number, reused: Provenance | null) => void;
  readonly onBoundedRate?: (r: BoundedRate) => void;
  /** With refineEpochs: the chosen rate's longer run starts (or a kept one serves), and what it told. */
  readonly onRefineStart?: (lr: number, reused: Provenance | null) => void;
  readonly onRefined?: (r: BoundedRate) => void;
  /** The noise scale is measured along the chosen rate's pilot (or its refined run): at the points its run kept, or by training it again. */
  readonly onPilotNoise?: (lr: number, how: 'kept points' | 'trained again', refined: boolean) => void;
  readonly shouldStop?: () => boolean;
}

export interface Recommendation {
  readonly choice: Candidate;
  readonly candidates: readonly Candidate[];
  readonly fit: FitResult;
  readonly matmulGflops: number;
  /** The curve as measured or kept; the prediction used it scaled by throughputCheck.scale. */
  readonly throughput: readonly ThroughputPoint[];
  /** Where the curve was reused: its point timed again before predicting; null where it was measured now. */
  readonly throughputCheck: ThroughputCheck | null;
  readonly pilot: PilotResult;
  readonly pilotRuns: PilotRuns;
  /** The rates tried at the pilot batch before the pilot (to-target). */
  readonly lrTrials: readonly LrTrial[];
  /** The rate range test that gave the bounded rate grid's first rate; null for to-target. */
  readonly rangeTest: RangeTestResult | null;
  /** Where the range test came from: run now, or reused (machine-memo.ts); null for to-target. */
  readonly rangeTestProvenance: Provenance | null;
  /** The bounded rate grid, each rate's bounded pilot extrapolated (the fewest examples is the pilot); empty for to-target. */
  readonly pilotRates: readonly BoundedRate[];
  /** The chosen rate's longer run (refineEpochs), the pilot when it could tell; null when none was asked for. */
  readonly refined: BoundedRate | null;
  /** Where the pilot's rate sits among them (null: interior), and how many were tried past the grid. */
  readonly lrSearch: Omit<PilotLrSearch, 'trials'>;
  /** Noise scale weighted over the pilot's examples (the rate rule's B_noise). */
  readonly bNoise: number;
  readonly lrRule: RecommendLrRule;
  /** The optimizer the rate is for: adaptive ones get the rule capped (lr-rule.ts). */
  readonly optimizer: OptimizerName;
  readonly trainExamples: number;
  /** The most workers the batch could be split over (--world-size). */
  readonly worldSize: number;
  /** What each update all-reduces, and over what; null for one worker. */
  readonly communication: Communication | null;
  /** Wall seconds of each stage and in all: what the recommendation cost. */
  readonly stageSeconds: Readonly<Record<Stage, number>>;
  readonly seconds: number;
  /** Where the machine measurements came from: measured in this run, or reused (machine-memo.ts). */
  readonly machine: Readonly<Record<MachineKind, Provenance>>;
}

/** 1, 4, 16, … up to `max`, and `max`: enough points for log-log interpolation. */
export function throughputBatches(max: number): number[] {
  const out: number[] = [];
  for (let b = 1; b < max; b *= 4) out.push(b);
  out.push(max);
  return out;
}

/** Candidate effective batches: powers of two up to the data set, and the data set itself. */
export function candidateBatches(trainExamples: number, worldSize: number): number[] {
  const out: number[] = [];
  for (let b = worldSize; b < trainExamples; b *= 2) out.push(b);
  if (trainExamples % worldSize === 0) out.push(trainExamples);
  return out;
}

/**
 * With `machine`, the MatMul rate, throughput curve and memory fit are kept there and reused, and
 * so are the bounded stages' range test and pilots on this data (machine-memo.ts).
 */
export async function recommend(spec: RecommendSpec, data: DataSplits, hooks: RecommendHooks = {}, machine?: MachineSource): Promise<Recommendation> {
  const n = data.train.count;
  if (spec.pilotBatch > n) throw new UserError(`--pilot-batch ${spec.pilotBatch} is larger than the ${n} training examples; use a smaller one`);
  const started = performance.now();
  const stageSeconds: Record<Stage, number> = { memory: 0, matmul: 0, throughput: 0, lr: 0, pilot: 0, predict: 0 };
  const stage = async <T>(name: Stage, detail: string | null, f: () => Promise<T>): Promise<T> => {
    if (detail !== null) hooks.onStage?.(name, detail);
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      stageSeconds[name] += (performance.now() - t0) / 1000;
    }
  };
  const provenance = {} as Record<MachineKind, Provenance>;
  const machineStage = async <T>(kind: MachineKind, detail: string, key: (m: MachineSource['machine']) => string, measure: () => Promise<T>): Promise<T> => {
    const { value, provenance: p } = await stage(kind, null, () =>
      measuredOrReused(machine, kind, machine === undefined ? '' : key(machine.machine), measure, (reused) => hooks.onStage?.(kind, reused === null ? detail : describeProvenance(reused))),
    );
    provenance[kind] = p;
    return value;
  };
  const shape = { featureShape: data.featureShape, numClasses: data.numClasses };
  // Within 2% is enough: the margin is 10%, and candidates are split into divisors anyway.
  const memory = { budgetBytes: spec.budgetBytes, margin: spec.margin, maxBatch: n, tolerance: 0.02 };
  const checkStop = (where: string) => {
    if (hooks.shouldStop?.()) throw new Interrupted(where);
  };
  const fit = await machineStage('memory', 'probing peak memory per micro-batch in child processes', (m) => memoryKey(m, spec.base, shape, memory), async () => {
    const f = await fitMemory(spec.base, {
      ...memory,
      data,
      ...(hooks.onProbe ? { onProbe: hooks.onProbe } : {}),
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
    });
    // A search cut short is no fit to keep.
    checkStop('after the memory fit');
    return f;
  });
  const maxMicro = Math.min(fit.largestBatch, n);
  if (spec.pilotBatch > maxMicro) throw new UserError(`--pilot-batch ${spec.pilotBatch} does not fit the memory budget (largest micro-batch ${maxMicro}); use --pilot-batch ${maxMicro} or less`);
  const matmul = await machineStage('matmul', 'this machine’s matrix-multiply rate', (m) => matmulKey(m, spec.base.threads, 0.5), () => measureMatmul({ threads: spec.base.threads, seconds: 0.5 }));

  checkStop('after the MatMul rate');
  const microBatches = throughputBatches(maxMicro);
  const throughputOptions = { microBatches, seconds: spec.throughputSeconds };
  const throughput = await machineStage('throughput', `samples/s at micro-batches up to ${maxMicro}`, (m) => throughputKey(m, { ...spec.base, iterSize: 1 }, shape, throughputOptions), async () => {
    const points: ThroughputPoint[] = [];
    for (const microBatch of microBatches) {
      checkStop('while measuring throughput');
      const config: RunConfig = atMicroBatch(spec.base, microBatch);
      const r = await measureConfigThroughput(config, data, { seconds: spec.throughputSeconds, runSeconds: 0.15, warmupSeconds: 0.15 });
      const point = { microBatch, samplesPerSec: r.samplesPerSec, gflops: r.gflops };
      points.push(point);
      hooks.onThroughput?.(point);
    }
    return points;
  });

  let lrTrials: LrTrial[] = [];
  let lrEdge: Omit<PilotLrSearch, 'trials'> = { edge: null, below: 0, above: 0 };
  let range: RangeTestResult | null = null;
  let rangeProvenance: Provenance | null = null;
  let pilotLr: number;
  // The bounded stages' runs are kept under the data's fingerprint, hashed once when first needed.
  let fingerprint: string | null = null;
  const dataKey = () => (fingerprint ??= dataFingerprint(data));
  if (spec.pilotRuns === 'bounded') {
    const { value: r, provenance: p } = await stage('lr', null, () =>
      keptRangeTest(spec.base, data, spec.pilotBatch, { machine, dataKey, ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}) }, (detail) => hooks.onStage?.('lr', detail)),
    );
    hooks.onRangeTest?.(r);
    range = r;
    rangeProvenance = p;
    pilotLr = Number(r.lr.toPrecision(3));
  } else {
    const lrSearch = await stage('lr', `rates ${spec.pilotLrGrid.join(', ')} at batch ${spec.pilotBatch} to ${spec.targetAccuracy}`, () =>
      searchPilotLr(spec.base, data, {
        batchSize: spec.pilotBatch,
        grid: spec.pilotLrGrid,
        targetAccuracy: spec.targetAccuracy,
        maxEpochs: spec.pilotMaxEpochs,
        maxSeconds: spec.pilotMaxSeconds,
        evalsPerEpoch: spec.evalsPerEpoch,
        extendGrid: spec.extendGrid,
        ...(hooks.onLrTrial ? { onTrial: hooks.onLrTrial } : {}),
        ...(hooks.onLrTrialStart ? { onTrialStart: hooks.onLrTrialStart } : {}),
        ...(hooks.onLrMetric ? { onMetric: hooks.onLrMetric } : {}),
        ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
      }),
    );
    if (lrSearch === null) throw new Interrupted('while trying pilot rates');
    const { trials, ...edge } = lrSearch;
    lrTrials = [...trials];
    lrEdge = edge;
    const bestLr = bestLrTrial(lrTrials);
    if (bestLr === null) throw new UserError(`every rate tried at batch ${spec.pilotBatch} (${lrTrials.map((t) => t.lr).join(', ')}) diverged or stalled; give smaller ones with --lr-grid`);
    pilotLr = bestLr.lr;
  }
  const pilotOptions = {
    batchSize: spec.pilotBatch,
    lr: pilotLr,
    targetAccuracy: spec.targetAccuracy,
    maxEpochs: spec.pilotMaxEpochs,
    maxSeconds: spec.pilotMaxSeconds,
    evalsPerEpoch: spec.evalsPerEpoch,
    noise: spec.noise,
    ...(hooks.onNoise ? { onMeasurement: hooks.onNoise } : {}),
    ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
  };
  const grid = spec.pilotRuns === 'bounded' ? boundedRateGrid(pilotLr, spec.pilotRates) : [pilotLr];
  const pilotRates: BoundedRate[] = [];
  let refined: BoundedRate | null = null;
  const pilot = await stage(
    'pilot',
    spec.pilotRuns === 'bounded'
      ? `training at batch ${spec.pilotBatch} for ${spec.boundEpochs} epochs at lr ${grid.join(', ')}, each extrapolated to ${spec.targetAccuracy}; the fewest examples is the pilot, its noise scale measured along its run`
      : `training at batch ${spec.pilotBatch}, lr ${pilotLr} to ${spec.targetAccuracy} with the noise scale`,
    async () => {
      if (spec.pilotRuns === 'to-target') return runPilot(spec.base, data, { ...pilotOptions, noiseEvery: 4 });
      // Measured twice as often as a full pilot: a shorter run has fewer validations to measure at.
      // The bound is its limit, not --pilot-seconds: cut short on a slow machine it would have too little to extrapolate from.
      const { maxSeconds: _limit, ...bounded } = pilotOptions;
      const o = { ...bounded, noiseEvery: 2, boundEpochs: spec.boundEpochs };
      const g = await gridPilot(spec.base, data, grid, o, spec.refineEpochs, {
        machine,
        dataKey,
        ...(hooks.onBoundedRateStart ? { onStart: hooks.onBoundedRateStart } : {}),
        ...(hooks.onBoundedRate ? { onRate: hooks.onBoundedRate } : {}),
        ...(hooks.onRefineStart ? { onRefineStart: hooks.onRefineStart } : {}),
        ...(hooks.onRefined ? { onRefined: hooks.onRefined } : {}),
        ...(hooks.onPilotNoise ? { onNoise: (lr, how) => hooks.onPilotNoise!(lr, how, false), onRefinedNoise: (lr, how) => hooks.onPilotNoise!(lr, how, true) } : {}),
      });
      pilotRates.push(...g.rates);
      refined = g.refined;
      pilotLr = g.pilot.lr;
      return g.pilot;
    },
  );
  if (pilot.interrupted) throw new Interrupted('during the pilot run');
  if (pilot.diverged) throw new UserError(`the pilot at batch ${spec.pilotBatch} diverged with lr ${pilotLr}; give a smaller --lr`);
  if (pilot.segments.length === 0) throw new UserError('the pilot measured no usable noise scale; raise --pilot-seconds or lower --target-accuracy');

  let candidates: Candidate[] = [];
  const communication: Communication | null = spec.worldSize > 1 ? { interconnect: spec.interconnect, gradientBytes: GRADIENT_BYTES_PER_PARAMETER * fit.parameters } : null;
  const predict = (curve: readonly ThroughputPoint[]) => {
    candidates = predictCandidates({
      pilotBatch: spec.pilotBatch,
      pilotLr,
      segments: pilot.segments,
      noisePoints: noisePointsOf(pilot),
      throughput: curve,
      maxMicroBatch: maxMicro,
      worldSize: spec.worldSize,
      candidates: candidateBatches(n, spec.worldSize),
      lrRule: spec.lrRule,
      optimizer: spec.base.optimizer,
      trainExamples: n,
      ...(communication ? { communication } : {}),
      overhead: runOverhead(pilot, spec.evalsPerEpoch),
    });
  };
  await stage('predict', 'time to target per effective batch', async () => predict(throughput));
  // A reused curve is timed again at the chosen micro-batch, and scaled where the machine's speed moved (throughput-check.ts).
  let throughputCheck: ThroughputCheck | null = null;
  // Not after Ctrl-C: the pilot's result stands on the kept curve.
  if (provenance.throughput.reused && hooks.shouldStop?.() !== true) {
    const checked = await stage('throughput', null, () => checkKeptCurve(throughput, chooseCandidate(candidates).microBatch, async (b) => (await measureConfigThroughput(atMicroBatch(spec.base, b), data, { seconds: CHECK_SECONDS, runSeconds: 0.15, warmupSeconds: 0.15 })).samplesPerSec));
    throughputCheck = checked.check;
    hooks.onThroughputCheck?.(checked.check);
    if (checked.check.scale !== 1) await stage('predict', null, async () => predict(checked.curve));
  }
  return {
    choice: chooseCandidate(candidates),
    candidates,
    fit,
    matmulGflops: matmul.gflops,
    throughput,
    throughputCheck,
    pilot,
    pilotRuns: spec.pilotRuns,
    lrTrials,
    rangeTest: range,
    rangeTestProvenance: rangeProvenance,
    pilotRates,
    refined,
    lrSearch: lrEdge,
    bNoise: effectiveNoiseScale(pilot.segments),
    lrRule: spec.lrRule,
    optimizer: spec.base.optimizer,
    trainExamples: n,
    worldSize: spec.worldSize,
    communication,
    stageSeconds,
    seconds: (performance.now() - started) / 1000,
    machine: provenance,
  };
}
