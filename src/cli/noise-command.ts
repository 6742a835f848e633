/**
 * `batchwise noise`: train as `train` would and measure the gradient noise scale B_simple along
 * the way (McCandlish et al. 2018), with its interval: the batch size past which a larger batch
 * stops paying for itself, and how it grows as the loss falls.
 */
import { randomUUID } from 'node:crypto';
import { loadRunData } from '../engine/run.js';
import { UserError } from '../errors.js';
import { noiseAlongTraining, type NoiseMeasurement } from '../noise/measure.js';
import { Store, type NoiseRow } from '../store/store.js';
import type { NoiseCommandOptions } from './noise-options.js';
import { EXIT } from './parse.js';
import { reportCommandLine } from './report-options.js';
import { fmt, formatTable } from './table.js';
import { baseRunConfig } from './train-options.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** A measurement as the store keeps it. */
export const noiseRow = ({ step, epochs, trainLoss, bSmall, bBig, gradSq, traceSigma, bSimple, bSimpleLow, bSimpleHigh }: NoiseMeasurement): NoiseRow => ({
  step,
  epochs,
  trainLoss,
  bSmall,
  bBig,
  gradSq,
  traceSigma,
  bSimple,
  bSimpleLow,
  bSimpleHigh,
});

export async function noiseCommand(o: NoiseCommandOptions): Promise<number> {
  if (o.bBig % o.bSmall !== 0 || o.bBig < 2 * o.bSmall) {
    throw new UserError(`--b-big ${o.bBig} must be a multiple of --b-small ${o.bSmall} and at least twice it, e.g. --b-big ${16 * o.bSmall}`);
  }
  const config = baseRunConfig(o, { batchSize: o.batchSize, iterSize: o.iterSize, lr: o.lr, epochs: o.epochs });
  const data = loadRunData(config);
  const microBatch = config.batchSize === 'full' ? data.train.count : config.batchSize;
  const stepsPerEpoch = Math.floor(data.train.count / (microBatch * config.iterSize));
  const every = o.every ?? Math.max(1, Math.round(stepsPerEpoch / 10));
  const store = o.db !== undefined ? Store.open(o.db) : null;
  try {
    const run = store?.openRun('noise', randomUUID(), `${config.modelName} on ${config.dataset}, batch ${microBatch}×${config.iterSize}, ${config.optimizer} lr ${config.hyper.lr}`, config).run;
    say(`noise: ${config.modelName} on ${config.dataset}, batch ${microBatch} × ${config.iterSize}, ${config.optimizer} lr ${config.hyper.lr}; B_simple every ${every} updates from ${o.rounds} × ${o.bBig} examples (B_small ${o.bSmall})`);
    const r = await noiseAlongTraining(config, {
      every,
      data,
      bSmall: o.bSmall,
      bBig: o.bBig,
      rounds: o.rounds,
      onMeasurement: (m) => {
        if (store && run) store.recordNoise(run.id, [noiseRow(m)]);
        say(`  step ${fmt(m.step)} (epoch ${m.epochs.toFixed(2)}): loss ${m.trainLoss.toFixed(4)}, B_simple ${fmt(m.bSimple)} (${fmt(m.bSimpleLow)}–${fmt(m.bSimpleHigh)}), ${m.seconds.toFixed(2)} s`);
      },
    });
    const ms = r.measurements;
    if (store && run) store.finishRun(run.id, 'finished', { divergedAtStep: r.divergedAtStep, first: ms[0]?.bSimple ?? null, last: ms[ms.length - 1]?.bSimple ?? null });
    if (o.json) {
      process.stdout.write(`${JSON.stringify({ every, stepsPerEpoch, divergedAtStep: r.divergedAtStep, measurements: ms, ...(run ? { db: o.db, run: run.id } : {}) })}\n`);
    } else {
      const lines = [
        'gradient noise scale B_simple = tr Σ / |G|² along training (McCandlish et al. 2018; 90% interval):',
        ...formatTable(
          ['step', 'epochs', 'train loss', '|G|²', 'tr Σ', 'B_simple', 'interval'],
          ms.map((m) => [fmt(m.step), m.epochs.toFixed(2), m.trainLoss.toFixed(4), m.gradSq.toPrecision(3), m.traceSigma.toPrecision(3), fmt(m.bSimple), `${fmt(m.bSimpleLow)}–${fmt(m.bSimpleHigh)}`]),
        ),
      ];
      if (r.divergedAtStep !== null) lines.push(`training diverged at step ${r.divergedAtStep}; measuring stopped before it (try a smaller --lr)`);
      if (ms.some((m) => !Number.isFinite(m.bSimpleHigh))) lines.push(`an open-ended interval means the gradient is lost in the noise at --b-big ${o.bBig}: raise --b-big`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (run && o.db !== undefined) say(`batchwise: see the evidence: ${reportCommandLine(o.db, run.id)}`);
    return r.divergedAtStep !== null ? EXIT.diverged : EXIT.ok;
  } finally {
    store?.close();
  }
}
