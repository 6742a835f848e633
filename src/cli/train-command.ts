/**
 * `batchwise train`: runs the training in a worker thread, draws a live progress bar on stderr,
 * appends every evaluation to the JSON-lines log, prints a summary (or, with --json, one JSON
 * object as the last line of stdout). Ctrl-C stops after the current run, saves the checkpoint
 * (with --save) and reports; a second Ctrl-C quits at once.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import cliProgress from 'cli-progress';
import { hasCheckpoint, loadCheckpoint } from '../engine/checkpoint.js';
import type { RunInfo, RunOptions, RunResult } from '../engine/run.js';
import { trainInWorker } from '../engine/train-in-worker.js';
import { ADAPTIVE_WORKER, type AdaptiveResult, type BatchChangeEvent } from '../adaptive/index.js';
import { UserError } from '../errors.js';
import { parseSchedule } from '../optim/schedule.js';
import type { BatchChangeRow } from '../store/rows.js';
import { Store } from '../store/store.js';
import { EXIT } from './parse.js';
import { pct } from './table.js';
import { explicitConfigKeys, toRunConfig, type TrainOptions } from './train-options.js';
import { keepCurve, recallCurve } from './train-adaptive.js';
import { TrainRecord } from './train-store.js';

const fmtRate = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));

export function resultJson(r: RunResult, wallSeconds: number) {
  return {
    status: r.status,
    epochs: r.epochs,
    steps: r.steps,
    divergedAtStep: r.divergedAtStep,
    testAccuracy: r.test?.accuracy ?? null,
    testLoss: r.test?.loss ?? null,
    validationAccuracy: r.validation?.accuracy ?? null,
    validationLoss: r.validation?.loss ?? null,
    samplesPerSec: r.samplesPerSec,
    trainSeconds: r.trainSeconds,
    wallSeconds,
    stepsToTarget: r.target?.steps ?? null,
    epochsToTarget: r.target?.epochs ?? null,
    secondsToTarget: r.target?.trainSeconds ?? null,
    microBatch: r.info.microBatch,
    iterSize: r.info.iterSize,
    effectiveBatch: r.info.effectiveBatch,
    stepsPerEpoch: r.info.stepsPerEpoch,
    optimizer: r.info.config.optimizer,
    lr: r.info.config.hyper.lr,
    model: r.info.config.modelName,
    dataset: r.info.config.dataset,
  };
}

/** Says so when this session re-planned a cosine decay because --epochs changed the run's length. */
function replanLine(i: RunInfo): string {
  const s = i.schedule;
  if (s.kind !== 'cosine' || s.restart === undefined || s.restart.step !== i.resumedFromStep || i.resumedFromStep === 0) return '';
  const left = s.warmupSteps + s.totalSteps - s.restart.step;
  return `batchwise: --epochs ${i.config.epochs} changes the run's length: the cosine decay goes on from lr ${s.restart.lr.toPrecision(4)} to ${s.minLr} over the ${left} updates left\n`;
}

/** An adaptive run's figures beside the usual ones. */
function adaptiveJson(r: AdaptiveResult) {
  return {
    examples: r.examples,
    batchChanges: r.firstSeq + r.changes.length,
    final: r.final,
    noiseSeconds: r.noiseSeconds,
    noiseOverhead: r.trainSeconds > 0 ? r.noiseSeconds / r.trainSeconds : null,
    inStepUpdates: r.inStepUpdates,
    curveSeconds: r.curveSeconds,
  };
}

const changeLine = (c: BatchChangeRow) =>
  `batchwise: step ${c.step}, ${c.examples.toLocaleString('en')} examples: batch ${c.microBatch * c.iterSize} = ${c.microBatch} × ${c.iterSize}, lr ${c.lr.toPrecision(3)}` +
  `${Number.isFinite(c.bNoise) ? `, B_noise ${c.bNoise.toFixed(0)}` : ''} (${c.reason})\n`;

/**
 * What one update normalises over, when the model has batch norm: with iter-size K > 1 each
 * micro-batch has its own statistics, so the update is not the one a single batch of B·K makes.
 */
export function batchNormLine(i: RunInfo): string {
  const G = i.normGroup;
  if (G === null) return '';
  const B = i.microBatch;
  const K = i.iterSize;
  const groups = i.effectiveBatch / G;
  if (i.config.bnBatch === undefined) {
    if (K === 1) return `batchwise: batch norm normalises over the micro-batch of ${B} examples (--bn-batch sets that group size apart from the batch)\n`;
    return (
      `batchwise: batch norm normalises over each micro-batch of ${B} examples, ${K} separate statistics per update, ` +
      `so micro-batch ${B} × iter-size ${K} is not the same update as one batch of ${i.effectiveBatch}, which would normalise over all ${i.effectiveBatch}; ` +
      `give both --bn-batch ${B} to compare like with like\n`
    );
  }
  return (
    `batchwise: batch norm normalises over groups of ${G} examples (--bn-batch ${G}), ${groups} groups per update` +
    (K > 1 ? `: the same update as one batch of ${i.effectiveBatch} with --bn-batch ${G}` : '') +
    '\n'
  );
}

export async function trainCommand(o: TrainOptions, given: string[]): Promise<number> {
  const config = toRunConfig(o);
  if (config.adaptive !== undefined) {
    const clash = given.find((k) => k === 'iterSize' || k === 'warmupSteps' || (k === 'schedule' && parseSchedule(o.schedule).kind !== 'constant'));
    if (clash !== undefined) throw new UserError(`--batch-size auto chooses the iter-size and the rate itself; drop --${clash.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  } else if (given.some((k) => k === 'autoMin' || k === 'autoStart' || k === 'autoMax' || k === 'memory')) {
    throw new UserError('--auto-min, --auto-start, --auto-max and --memory apply to --batch-size auto; add it, or drop them');
  }
  const saveDir = o.save ?? o.resume;
  // `--resume DIR` alone continues an auto run as one: the checkpoint says which loop it needs.
  const auto = config.adaptive !== undefined || (o.resume !== undefined && hasCheckpoint(o.resume) && loadCheckpoint(o.resume).meta.config.adaptive !== undefined);
  if (o.save !== undefined && o.save !== o.resume && hasCheckpoint(o.save)) {
    throw new UserError(`--save ${o.save} already holds a checkpoint; resume it with --resume ${o.save}, or choose another folder`);
  }
  const log = (record: object) => {
    if (o.log !== undefined) appendFileSync(o.log, JSON.stringify({ time: new Date().toISOString(), ...record }) + '\n');
  };
  if (o.log !== undefined) {
    try {
      mkdirSync(dirname(o.log), { recursive: true });
      appendFileSync(o.log, '');
    } catch (e) {
      throw new UserError(`--log ${o.log}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }

  // Opened before training so that a bad --db fails at once; the run is stored once training starts.
  const store = o.db === undefined ? null : Store.open(o.db);
  let record: TrainRecord | null = null;
  const started = performance.now();
  const bar = new cliProgress.SingleBar(
    {
      format: 'epoch {epoch}/{epochs} {bar} {percentage}% | step {value}/{total} | loss {loss} | val acc {acc} | {rate} samples/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let info: RunInfo | null = null;
  let lastAcc = '–';
  const kept = store !== null && config.adaptive !== undefined && o.resume === undefined ? recallCurve(store, config) : null;
  if (kept !== null) process.stderr.write(`batchwise: throughput curve ${kept.said}\n`);
  const run = trainInWorker<RunResult>(
    config,
    { saveDir, resumeDir: o.resume, ...(kept !== null ? { curve: kept.curve } : {}) } as RunOptions,
    {
      onEvent: (e) => {
        const { change, seq } = e as BatchChangeEvent;
        record?.batchChange(change, seq);
        // Over a live bar: clear its line, write the change there, and save the cursor again (ESC 7),
        // since the bar restores the position it saved at its start when it stops.
        process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${changeLine(change)}\x1b7` : changeLine(change));
        log({ type: 'batch-change', seq, ...change });
      },
      onStart: (i) => {
        info = i;
        if (store !== null) record = TrainRecord.open(store, i, saveDir);
        process.stderr.write(
          `batchwise: ${i.config.modelName} (${i.parameters.toLocaleString('en')} parameters) on ${i.config.dataset}: ` +
            `${i.trainExamples} train / ${i.validationExamples} validation / ${i.testExamples} test examples\n` +
            `batchwise: micro-batch ${i.microBatch} × iter-size ${i.iterSize} = ${i.effectiveBatch} examples per update, ` +
            `${i.stepsPerEpoch} updates per epoch${i.trainExamples % i.effectiveBatch ? ` (${i.trainExamples % i.effectiveBatch} examples left out of each epoch, reshuffled into the next)` : ''}, ` +
            `${i.config.optimizer} lr ${i.config.hyper.lr}` +
            (i.resumedFromStep > 0 ? `; resuming at step ${i.resumedFromStep}` : '') +
            '\n' +
            batchNormLine(i) +
            replanLine(i),
        );
        log({ type: 'start', config: i.config, stepsPerEpoch: i.stepsPerEpoch, effectiveBatch: i.effectiveBatch, resumedFromStep: i.resumedFromStep, schedule: i.schedule });
        bar.start(i.totalSteps, i.resumedFromStep, { epoch: Math.floor(i.resumedFromStep / i.stepsPerEpoch) + 1, epochs: i.config.epochs, loss: '–', acc: lastAcc, rate: '–' });
      },
      onProgress: (p) => {
        bar.update(p.step, { epoch: Math.min(p.epoch + 1, info?.config.epochs ?? p.epoch + 1), loss: p.loss.toFixed(4), acc: lastAcc, rate: fmtRate(p.samplesPerSec) });
      },
      onEvaluation: (e) => {
        record?.evaluation(e);
        lastAcc = pct(e.validation.accuracy);
        bar.update({ acc: lastAcc });
        // Without a terminal the bar draws nothing; a line per evaluation keeps logs informative.
        if (!process.stderr.isTTY) {
          process.stderr.write(
            `batchwise: step ${e.step} (epoch ${e.epochs.toFixed(2)}): train loss ${e.trainLoss.toFixed(4)}, ` +
              `validation loss ${e.validation.loss.toFixed(4)}, accuracy ${lastAcc}, ${fmtRate(e.samplesPerSec)} samples/s\n`,
          );
        }
        log({ type: 'evaluation', step: e.step, epochs: e.epochs, trainLoss: e.trainLoss, validationLoss: e.validation.loss, validationAccuracy: e.validation.accuracy, samplesPerSec: e.samplesPerSec, trainSeconds: e.trainSeconds });
      },
    },
    explicitConfigKeys(given),
    auto ? ADAPTIVE_WORKER : undefined,
  );
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    bar.stop();
    process.stderr.write('batchwise: stopping after the current run' + (saveDir ? ` and saving to ${saveDir}` : '') + ' (Ctrl-C again to quit at once)\n');
    run.stop();
  };
  process.on('SIGINT', onSigint);
  let result: RunResult;
  try {
    result = await run.result;
  } catch (e) {
    (record as TrainRecord | null)?.fail(e);
    throw e;
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
    if (store !== null && record === null) store.close();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const adaptive = auto ? (result as AdaptiveResult) : null;
  const summary = { ...resultJson(result, wallSeconds), ...(adaptive ? adaptiveJson(adaptive) : {}) };
  const stored = record as TrainRecord | null;
  if (store !== null && adaptive !== null && adaptive.curveSeconds > 0) keepCurve(store, config, adaptive.curve, stored?.runId ?? null);
  if (stored !== null) {
    const { wallSeconds: _w, ...figures } = summary;
    stored.finish(result, wallSeconds, figures);
    store!.close();
  }
  const reportLine = stored === null ? null : `report: batchwise report --db ${o.db} --run ${stored.runId}`;
  log({ type: 'result', ...summary });
  if (o.json) {
    if (reportLine !== null) process.stderr.write(`batchwise: ${reportLine}\n`);
    process.stdout.write(JSON.stringify(stored === null ? summary : { ...summary, db: o.db, run: stored.runId }) + '\n');
  } else {
    const lines = [
      `status: ${result.status}${result.divergedAtStep !== null ? ` at step ${result.divergedAtStep} (loss became NaN or infinite; try a smaller --lr)` : ''}`,
      adaptive
        ? `steps: ${result.steps} (${result.epochs.toFixed(2)} epochs, updates of the adaptive batch below)`
        : `steps: ${result.steps} (${result.epochs.toFixed(2)} epochs of ${result.info.stepsPerEpoch} updates of ${result.info.effectiveBatch} examples)`,
      `test accuracy: ${pct(result.test?.accuracy)}   test loss: ${result.test?.loss.toFixed(4) ?? '–'}   validation accuracy: ${pct(result.validation?.accuracy)}`,
      `throughput: ${fmtRate(result.samplesPerSec)} samples/s; ${result.trainSeconds.toFixed(1)} s of training${result.info.resumedFromStep > 0 ? ' (earlier sessions included)' : ''}; ${wallSeconds.toFixed(1)} s wall`,
    ];
    if (adaptive) {
      const f = adaptive.final;
      lines.push(
        `adaptive batch: ${adaptive.firstSeq + adaptive.changes.length} changes; ended at ${f.microBatch * f.iterSize} = ${f.microBatch} × ${f.iterSize}, lr ${f.lr.toPrecision(3)}, B_noise ${Number.isFinite(f.bNoise) ? f.bNoise.toFixed(0) : '–'}; ` +
          `${adaptive.examples.toLocaleString('en')} examples; noise rounds ${adaptive.noiseSeconds.toFixed(2)} s (${pct(adaptive.noiseSeconds / Math.max(adaptive.trainSeconds, 1e-9))} of training, included)` +
          (adaptive.inStepUpdates > 0 ? `, in-step noise statistics on ${adaptive.inStepUpdates.toLocaleString('en')} updates` : '') +
          (adaptive.curveSeconds > 0 ? `; throughput curve measured in ${adaptive.curveSeconds.toFixed(1)} s before training` : ''),
      );
    }
    if (result.target) lines.push(`target reached at step ${result.target.steps} (${result.target.epochs.toFixed(2)} epochs, ${result.target.trainSeconds.toFixed(1)} s of training)`);
    if (saveDir !== undefined && result.status !== 'diverged') lines.push(`saved: ${saveDir}/checkpoint.json (resume with --resume ${saveDir}) and ${saveDir}/model.onnx`);
    if (reportLine !== null) lines.push(`stored: ${o.db} run ${stored!.runId}; ${reportLine}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return result.status === 'diverged' ? EXIT.diverged : result.status === 'interrupted' ? EXIT.interrupted : EXIT.ok;
}
