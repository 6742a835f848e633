/**
 * Stores for the report's tests (not a test file itself): one run of every kind, with figures
 * chosen so that the expected plot data can be written down exactly.
 */
import type { EpochMetricRow, NoiseRow, Store, TrialRow } from '../../store/store.js';
import { trial } from '../../store/testing/fixtures.js';

/** Steps to target lie exactly on S = 100·(1 + 500/B): the fit must give S_min 100, B_crit 500. */
export const S_MIN = 100;
export const B_CRIT = 500;
export const exactSteps = (b: number) => S_MIN * (1 + B_CRIT / b);
export const SWEEP_BATCHES = [16, 64, 256, 1024] as const;
export const TRAIN_EXAMPLES = 55_000;

/** Per batch size: grid rate 0.01 reaches the target in exactSteps(B) steps; 0.02 takes 1.5× as long; 0.04 diverges (at B = 16 it is pruned). */
export function sweepTrials(runId: number, seeds = 1): TrialRow[] {
  return SWEEP_BATCHES.flatMap((b) =>
    [0.01, 0.02, 0.04].flatMap((gridLr) =>
      Array.from({ length: seeds }, (_, s) => {
        const lr = gridLr * Math.sqrt(b / 32);
        const key = `B${b}-lr${gridLr}-s${s}`;
        const base = { batchSize: b, iterSize: 1, lr, seed: s + 1, detail: { gridLr, batchLabel: String(b) }, testAccuracy: 0.95 + s * 0.002, samplesPerSec: 1000 * Math.sqrt(b) };
        if (gridLr === 0.04) {
          const status = b === 16 ? 'pruned' : 'diverged';
          return trial(runId, key, { ...base, status, stepsToTarget: null, epochsToTarget: null, secondsToTarget: null, bestValAccuracy: 0.3, finalValAccuracy: 0.1 });
        }
        const steps = exactSteps(b) * (gridLr === 0.02 ? 1.5 : 1);
        const seconds = (steps * b) / base.samplesPerSec;
        return trial(runId, key, { ...base, status: 'target-reached', stepsToTarget: steps, epochsToTarget: (steps * b) / TRAIN_EXAMPLES, secondsToTarget: seconds, bestValAccuracy: 0.96 - b / 1e5 + s * 0.001, finalValAccuracy: 0.955 - b / 1e5 });
      }),
    ),
  );
}

/** An evaluation curve of `n` points rising to 0.97 at `batch` examples per update. */
export function curve(n: number, batch: number): EpochMetricRow[] {
  return Array.from({ length: n }, (_, i) => ({ step: (i + 1) * 10, epochs: ((i + 1) * 10 * batch) / TRAIN_EXAMPLES, trainLoss: 2 / (i + 2), valLoss: 2.1 / (i + 2), valAccuracy: 0.97 - 0.5 / (i + 2), trainSeconds: (i + 1) * 0.05, samplesPerSec: 1000 }));
}

export const NOISE: NoiseRow[] = [
  { step: 0, epochs: 0, trainLoss: 2.6, bSmall: 32, bBig: 512, gradSq: 4, traceSigma: 216, bSimple: 54, bSimpleLow: 52, bSimpleHigh: 57 },
  { step: 172, epochs: 0.1, trainLoss: 0.23, bSmall: 32, bBig: 512, gradSq: 0.1, traceSigma: 45.6, bSimple: 456, bSimpleLow: 387, bSimpleHigh: 554 },
  { step: 1718, epochs: 1, trainLoss: 0.05, bSmall: 32, bBig: 512, gradSq: 0.001, traceSigma: 7.98, bSimple: 7980, bSimpleLow: 3313, bSimpleHigh: Infinity },
];

export const FIT_SUMMARY = {
  largestBatch: 943,
  probed: true,
  memoryModel: { fixedBytes: 36 * 2 ** 20, perSampleBytes: 1.9 * 2 ** 20, r2: 0.999 },
  components: { parametersBytes: 1e6, gradientsBytes: 1e6, optimizerStateBytes: 1e6, workspaceBytes: 33e6, activationsBytesPerSample: 1.9 * 2 ** 20, analyticActivationsBytesPerSample: 0.19 * 2 ** 20 },
  budgetBytes: 2 ** 31,
  margin: 0.1,
};

const candidate = (b: number, seconds: number) => ({ effectiveBatch: b, microBatch: Math.min(b, 512), iterSize: Math.max(1, b / 512), worldSize: 1, samplesPerSec: 1000 * Math.sqrt(b), efficiency: 1, examples: seconds * 1000 * Math.sqrt(b), steps: (seconds * 1000 * Math.sqrt(b)) / b, epochs: (seconds * 1000 * Math.sqrt(b)) / TRAIN_EXAMPLES, seconds, lr: 0.01 * Math.sqrt(b / 32) });

/** One run of each kind: sweep, recommend (with a sweep of the same settings beside it), fit, noise, train, lab, and a sweep just started. */
export function fillStore(store: Store): Record<'sweep' | 'recommend' | 'fit' | 'noise' | 'train' | 'lab' | 'started', number> {
  const base = { modelName: 'mlp', dataset: 'mnist', optimizer: 'momentum', targetAccuracy: 0.95, hyper: { lr: 0.02, momentum: 0.9 }, schedule: { kind: 'constant' }, warmupSteps: 0, seed: 1 };
  const sweep = store.openRun('sweep', 'k-sweep', 'mlp on mnist, momentum, target 0.95', { base, plan: { lrRefBatch: 32 } }).run.id;
  for (const t of sweepTrials(sweep)) store.recordTrial(t, curve(12, t.batchSize));
  store.finishRun(sweep, 'finished', { matmul: { gflops: 50, flopsPerExample: 1.2e6 } });

  const recommend = store.openRun('recommend', 'k-rec', 'mlp on mnist, target 0.95, 2 GiB', { base, targetAccuracy: 0.95, pilotBatch: 32 }).run.id;
  const candidates = [candidate(32, 3), candidate(64, 2), candidate(128, 1.5), candidate(256, 1.6), candidate(1024, 4)];
  store.recordProbes(recommend, [
    { batchSize: 1, ok: true, peakBytes: 40 * 2 ** 20, reason: null, seconds: 0.5 },
    { batchSize: 2048, ok: false, peakBytes: null, reason: 'over the limit', seconds: 1 },
  ]);
  store.recordNoise(recommend, NOISE);
  store.recordTrial(trial(recommend, 'verify', { batchSize: 128, iterSize: 1, lr: 0.02, status: 'target-reached', stepsToTarget: 300, secondsToTarget: 1.4 }), curve(5, 128));
  store.finishRun(recommend, 'finished', {
    choice: candidates[2],
    candidates,
    bNoise: 1630,
    seconds: 38.2,
    throughput: [{ microBatch: 1, samplesPerSec: 900, gflops: 1.08 }, { microBatch: 64, samplesPerSec: 20000, gflops: 24 }],
    matmulGflops: 50,
    fit: FIT_SUMMARY,
    trainExamples: TRAIN_EXAMPLES,
    verification: { predicted: candidates[2], measured: { status: 'target-reached', secondsToTarget: 1.4, stepsToTarget: 300, testAccuracy: 0.951 } },
    pilot: { lr: 0.01 },
    // The bounded rate grid: validation error 0.3·(E/1,000)^(−0.5·lr/0.01), to 0.05 at 36,000 examples for the pilot's 0.01.
    pilotRates: [0.02, 0.01, 0.005].map((lr) => {
      const exponent = -0.5 * Math.min(1, lr / 0.01);
      const evaluations = [1000, 2000, 4000, 8000].map((examples) => ({ examples, valAccuracy: 1 - 0.3 * Math.pow(examples / 1000, exponent) }));
      return { lr, examplesToTarget: 1000 * Math.pow(0.05 / 0.3, 1 / exponent), reached: false, problem: null, seenExamples: 8000, seenEpochs: 0.5, seenValAccuracy: evaluations[3]!.valAccuracy, trainSeconds: 1, errExponent: exponent, evaluations };
    }),
  });

  const fit = store.openRun('fit', 'k-fit', 'cnn on mnist, 2 GiB', base).run.id;
  store.recordProbes(fit, [1, 2, 4, 512, 1024, 943].map((b) => ({ batchSize: b, ok: b !== 1024, peakBytes: b === 1024 ? null : FIT_SUMMARY.memoryModel.fixedBytes + FIT_SUMMARY.memoryModel.perSampleBytes * b, reason: b === 1024 ? 'killed over the limit' : null, seconds: 0.8 })));
  store.finishRun(fit, 'finished', FIT_SUMMARY);

  const noise = store.openRun('noise', 'k-noise', 'mlp on mnist, batch 32', base).run.id;
  store.recordNoise(noise, NOISE);
  store.finishRun(noise, 'finished', { first: 54, last: 7980 });

  const train = store.openRun('train', 'k-train', 'mlp on mnist, batch 32', { ...base, batchSize: 32 }).run.id;
  store.recordTrial(trial(train, 'train', { batchSize: 32, iterSize: 1, lr: 0.02 }), curve(30, 32));
  store.finishRun(train, 'finished', { testAccuracy: 0.97 });

  const lab = store.openRun('lab', 'k-lab', 'online learning on a paraboloid', { what: 'zig-zag' }).run.id;
  store.finishRun(lab, 'finished', { steps: 200 });

  const started = store.openRun('sweep', 'k-started', 'a sweep just started', { base }).run.id;
  store.setProgress(started, { trial: 1, of: 12, batchSize: 16 });
  return { sweep, recommend, fit, noise, train, lab, started };
}
