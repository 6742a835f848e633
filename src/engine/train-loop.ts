/**
 * The training loop, read straight down: run updates in chunks, evaluate on the validation split
 * every `evalEvery` updates and at each epoch's end, stop at the target, on divergence, when
 * asked to, or after the last epoch; then report on the test split.
 *
 * Chunks (updates per `session.run`) adapt so that a run takes about `chunkSeconds`: long enough
 * that per-run costs vanish, short enough that progress stays live and a stop is prompt.
 */
import type { Evaluation, Trainer } from './trainer.js';

export type TrainStatus = 'completed' | 'target-reached' | 'diverged' | 'interrupted';

export interface LoopOptions {
  /** Train until this many epochs are done in total (a resumed run counts earlier epochs). */
  readonly epochs: number;
  readonly targetAccuracy?: number | undefined;
  /** Updates between validations; the end of each epoch is always evaluated. */
  readonly evalEvery?: number | undefined;
  readonly chunkSeconds?: number;
  /** Polled between runs; true asks the loop to stop (the state stays consistent). */
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (p: Progress) => void;
  /** Called after each validation; may be async (e.g. to write a checkpoint). */
  readonly onEvaluation?: (e: EvaluationEvent) => void | Promise<void>;
  /** Evaluate on the test split at the end (default true); a run that only its validations serve skips the pass. */
  readonly test?: boolean;
}

export interface Progress {
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  /** Mean training loss of the updates in the last run. */
  readonly loss: number;
  readonly samplesPerSec: number;
}

export interface EvaluationEvent {
  readonly step: number;
  /** Epochs done, fractional: step / stepsPerEpoch. */
  readonly epochs: number;
  /** Mean training loss of the updates since the previous evaluation. */
  readonly trainLoss: number;
  readonly validation: Evaluation;
  readonly samplesPerSec: number;
  /** Seconds in training runs so far, over every session of a resumed run. */
  readonly trainSeconds: number;
}

export interface TrainResult {
  readonly status: TrainStatus;
  readonly steps: number;
  readonly epochs: number;
  readonly divergedAtStep: number | null;
  readonly validation: Evaluation | null;
  /** Null after divergence, or when the loop was told not to evaluate it. */
  readonly test: Evaluation | null;
  /** Training throughput of this session: examples per second inside training runs, evaluation excluded. */
  readonly samplesPerSec: number;
  /** Seconds spent in training runs, over every session of a resumed run. */
  readonly trainSeconds: number;
  /** First evaluation at or above the target, if any. */
  readonly target: { readonly steps: number; readonly epochs: number; readonly trainSeconds: number } | null;
}

export async function trainLoop(trainer: Trainer, opts: LoopOptions): Promise<TrainResult> {
  const perEpoch = trainer.stepsPerEpoch;
  const totalSteps = opts.epochs * perEpoch;
  const evalEvery = opts.evalEvery ?? perEpoch;
  const chunkSeconds = opts.chunkSeconds ?? 0.25;
  let chunk = Math.max(1, Math.floor(4096 / trainer.effectiveBatch));
  let sessionSeconds = 0;
  let examples = 0;
  let lossSum = 0;
  let lossCount = 0;
  let lastEval: Evaluation | null = null;
  let target: TrainResult['target'] = null;
  let status: TrainStatus = 'completed';
  let divergedAtStep: number | null = null;

  const rate = () => (sessionSeconds > 0 ? examples / sessionSeconds : 0);
  const validate = async () => {
    const step = trainer.state.step;
    lastEval = await trainer.evaluate(trainer.data.validation);
    await opts.onEvaluation?.({
      step,
      epochs: step / perEpoch,
      trainLoss: lossCount > 0 ? lossSum / lossCount : NaN,
      validation: lastEval,
      samplesPerSec: rate(),
      trainSeconds: trainer.state.trainSeconds,
    });
    lossSum = 0;
    lossCount = 0;
    if (opts.targetAccuracy !== undefined && target === null && lastEval.accuracy >= opts.targetAccuracy) {
      target = { steps: step, epochs: step / perEpoch, trainSeconds: trainer.state.trainSeconds };
      status = 'target-reached';
    }
  };

  while (trainer.state.step < totalSteps && status === 'completed') {
    if (opts.shouldStop?.()) {
      status = 'interrupted';
      break;
    }
    const step = trainer.state.step;
    const toEval = evalEvery - (step % evalEvery);
    const n = Math.min(chunk, toEval, trainer.stepsLeftInEpoch, totalSteps - step);
    const r = await trainer.runUpdates(n);
    sessionSeconds += r.seconds;
    examples += r.losses.length * trainer.effectiveBatch;
    let chunkLoss = 0;
    for (const l of r.losses) chunkLoss += l;
    lossSum += chunkLoss;
    lossCount += r.losses.length;
    if (r.divergedAtStep !== null) {
      status = 'diverged';
      divergedAtStep = r.divergedAtStep;
      break;
    }
    // Aim the next run at chunkSeconds, growing at most 4× at a time.
    chunk = Math.max(1, Math.min(chunk * 4, Math.round((n * chunkSeconds) / Math.max(r.seconds, 1e-4))));
    opts.onProgress?.({ step: trainer.state.step, totalSteps, epoch: trainer.epoch, loss: chunkLoss / r.losses.length, samplesPerSec: rate() });
    const s = trainer.state.step;
    if (s % evalEvery === 0 || s % perEpoch === 0 || s === totalSteps) await validate();
  }

  // A resumed run that had nothing left to do still reports where it stands.
  if (status !== 'diverged' && lastEval === null) lastEval = await trainer.evaluate(trainer.data.validation);
  const test = status === 'diverged' || opts.test === false ? null : await trainer.evaluate(trainer.data.test);
  return {
    status,
    steps: trainer.state.step,
    epochs: trainer.state.step / perEpoch,
    divergedAtStep,
    validation: lastEval,
    test,
    samplesPerSec: rate(),
    trainSeconds: trainer.state.trainSeconds,
    target,
  };
}
