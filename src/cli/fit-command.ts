/**
 * `batchwise fit`: the largest micro-batch whose training step fits a memory budget, measured in
 * child processes, with the fitted line peak ≈ fixed + perSample·B and its components. Progress
 * goes to stderr; the table and the answer (or, with --json, one JSON object) to stdout.
 */
import { randomUUID } from 'node:crypto';
import type { RunConfig } from '../engine/run-config.js';
import { Interrupted, UserError } from '../errors.js';
import { Store } from '../store/store.js';
import { formatBytes } from '../fit/bytes.js';
import { fitMemory, type FitResult } from '../fit/fit.js';
import type { ProbeRecord } from '../fit/search.js';
import type { fitDecls } from './fit-options.js';
import { parseOptions, type Parsed } from './options.js';
import { EXIT } from './parse.js';
import { reportCommandLine } from './report-options.js';
import { formatTable } from './table.js';
import { toRunConfig, trainDecls } from './train-options.js';

export type FitCommandOptions = Parsed<typeof fitDecls>;

const progress = (line: string) => process.stderr.write(`${line}\n`);
const pct = (f: number) => `${Math.round(f * 100)}%`;
const MIB = 2 ** 20;

function status(p: ProbeRecord): string {
  if (p.fits) return 'fits';
  if (p.ok) return 'over limit';
  return p.reason ?? 'failed';
}

export async function fitCommand(o: FitCommandOptions): Promise<number> {
  if (o.memory === undefined) throw new UserError('--memory is required: the memory budget to fit, e.g. --memory 2GiB');
  const { memory, margin, maxBatch, probeMemory, probeTimeout, json, db, ...train } = o;
  // Every other train setting at its default: none of them changes the memory of a step.
  const config = toRunConfig({ ...parseOptions(trainDecls, {}), ...train, batchSize: 1 });
  const header =
    `fit: ${config.modelName} on ${config.dataset}, ${config.optimizer}, iter-size ${config.iterSize}, ${config.threads} thread(s); ` +
    `a micro-batch fits when its peak is ≤ ${formatBytes((1 - margin) * memory)} (${formatBytes(memory)} less ${pct(margin)})`;
  // Held until a first probe fits: when none does, the user's one line is the error that says so.
  let started = false;
  const onProbe = (p: ProbeRecord) => {
    if (!started && !p.fits) return;
    if (!started) progress(header);
    started = true;
    progress(`probe ${p.batchSize}: ${p.peakBytes === null ? '–' : formatBytes(p.peakBytes)}, ${status(p)} (${p.seconds.toFixed(2)} s)`);
  };
  // Opened before probing, so that a bad --db is said at once.
  const store = db !== undefined ? Store.open(db) : null;
  // The probes run outside the terminal's process group, so Ctrl-C reaches only this process.
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(EXIT.interrupted);
    stop = true;
  };
  process.on('SIGINT', onSigint);
  let result: FitResult;
  let runId: number | null = null;
  try {
    result = await fitMemory(config, {
      budgetBytes: memory,
      margin,
      timeoutSeconds: probeTimeout,
      ...(maxBatch !== undefined ? { maxBatch } : {}),
      ...(probeMemory !== undefined ? { probeLimitBytes: probeMemory } : {}),
      onProbe,
      shouldStop: () => stop,
    });
    // A search cut short between probes is not the answer to the budget asked about.
    if (stop) throw new Interrupted('between memory probes');
    if (store) runId = keep(store, config, result);
  } finally {
    process.off('SIGINT', onSigint);
    store?.close();
  }
  if (runId !== null && db !== undefined) progress(`batchwise: see the evidence: ${reportCommandLine(db, runId)}`);
  if (json) {
    const { model, ...rest } = result;
    const out = { model: config.modelName, dataset: config.dataset, optimizer: config.optimizer, iterSize: config.iterSize, ...rest, memoryModel: model };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return EXIT.ok;
  }
  process.stdout.write(`${report(result).join('\n')}\n`);
  return EXIT.ok;
}

/** The probes and the fitted line as a `fit` run of the store. */
function keep(store: Store, config: RunConfig, r: FitResult): number {
  const { run } = store.openRun('fit', randomUUID(), `${config.modelName} on ${config.dataset}, ${config.optimizer}, ${formatBytes(r.budgetBytes)}`, config);
  store.recordProbes(run.id, r.probes.map((p) => ({ batchSize: p.batchSize, ok: p.ok, peakBytes: p.peakBytes, reason: p.reason, seconds: p.seconds })));
  store.finishRun(run.id, 'finished', { largestBatch: r.largestBatch, probed: r.probed, memoryModel: r.model, components: r.components, budgetBytes: r.budgetBytes, margin: r.margin });
  return run.id;
}

function report(r: FitResult): string[] {
  const head = ['batch', 'result', 'peak MiB', 'seconds'];
  const rows = r.probes.map((p) => [String(p.batchSize), status(p), p.peakBytes === null ? '–' : (p.peakBytes / MIB).toFixed(1), p.seconds.toFixed(2)]);
  const m = r.model;
  const c = r.components;
  const seconds = r.probes.reduce((a, p) => a + p.seconds, 0);
  const answer = `largest micro-batch within ${formatBytes(r.budgetBytes)} (${pct(r.margin)} margin): ${r.largestBatch}`;
  return [
    ...formatTable(head, rows, ['r', 'l', 'r', 'r']),
    `peak = RSS above the probe process's baseline; "over limit" = above ${formatBytes((1 - r.margin) * r.probeLimitBytes)}, the limit less the margin`,
    '',
    `fitted: peak ≈ ${(m.fixedBytes / MIB).toFixed(1)} MiB + ${(m.perSampleBytes / 1024).toFixed(1)} KiB × batch` +
      (m.r2 === null ? ' (slope from the layer outputs: only one batch size measured)' : ` (r² ${m.r2.toFixed(4)})`) +
      `; ${r.probes.length} probes, ${seconds.toFixed(1)} s in probes, ${r.wallSeconds.toFixed(1)} s in all`,
    `  parameters        ${formatBytes(c.parametersBytes)} (${r.parameters.toLocaleString('en-US')} × 4 B)`,
    `  gradients         ${formatBytes(c.gradientsBytes)}`,
    `  optimizer state   ${formatBytes(c.optimizerStateBytes)}`,
    `  workspace         ${formatBytes(c.workspaceBytes)} (the fixed part's remainder: ONNX Runtime sessions, arena, threads)`,
    `  activations       ${formatBytes(c.activationsBytesPerSample)} per example measured; ${formatBytes(c.analyticActivationsBytesPerSample)} per example in the layer outputs`,
    `whole training split as one batch (${r.fullBatchSize} examples per micro-batch): ≈ ${formatBytes(r.fullBatchPeakBytes)} predicted`,
    '',
    r.probed ? answer : `${answer} — predicted from the fit, not probed (this machine probed up to ${formatBytes(r.probeLimitBytes)})`,
  ];
}
