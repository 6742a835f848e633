/**
 * `batchwise bench`: training throughput per batch size next to the machine's plain MatMul rate
 * (and PyTorch's, where Debian's torch is installed). Everything runs on the main thread, one
 * measurement at a time, so no two thread pools compete for the cores being measured.
 */
import { measureMatmul } from '../bench/matmul.js';
import { machineInfo } from '../bench/machine.js';
import { checkBatchSizes, FLOPS_PER_MAC_TRAINING, loadBenchData, measureThroughput, type ThroughputRow } from '../bench/throughput.js';
import { runTorchBench, TORCH_HINT, TORCH_PYTHON, torchAvailable, type TorchOutcome } from '../bench/torch.js';
import { resolveModel } from '../model/model.js';
import { PRESETS } from '../model/presets.js';
import type { Parsed } from './options.js';
import type { benchDecls } from './bench-options.js';
import { EXIT } from './parse.js';
import { fmt, formatTable } from './table.js';

export type BenchOptions = Parsed<typeof benchDecls>;

export interface BenchRow extends ThroughputRow {
  readonly percentOfMatmul: number;
  readonly torchSamplesPerSec?: number;
  /** batchwise samples/s ÷ PyTorch samples/s: above 1, batchwise is faster. */
  readonly torchRatio?: number;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

export async function benchCommand(o: BenchOptions): Promise<number> {
  const machine = machineInfo();
  const data = loadBenchData(o.model);
  checkBatchSizes(o.batchSizes, data.train.count);
  const macs = resolveModel(PRESETS[o.model]!, data.featureShape, data.numClasses).macsPerExample;
  // Checked before the long ORT part, so the note comes while the user is still watching.
  // The PyTorch script times SGD only: another optimizer is not compared rather than compared unfairly.
  const wantTorch = o.torch !== false && o.optimizer === 'sgd';
  const hasTorch = wantTorch && torchAvailable();

  progress(`bench: ${o.model}, ${o.threads} thread(s), ${o.seconds} s per batch size; measuring MatMul…`);
  const matmul = await measureMatmul({ threads: o.threads });
  progress(`matmul ${matmul.size}³: ${fmt(matmul.gflops, 1)} GFLOP/s`);

  const rows: ThroughputRow[] = [];
  for (const batchSize of o.batchSizes) {
    const r = await measureThroughput({ model: o.model, optimizer: o.optimizer, batchSize, threads: o.threads, seconds: o.seconds, data });
    progress(`batch ${batchSize}: ${fmt(r.samplesPerSec)} samples/s, ${fmt(r.gflops, 1)} GFLOP/s (${r.updates} updates in ${r.runs} runs, ${r.seconds.toFixed(2)} s)`);
    rows.push({ batchSize: r.batchSize, samplesPerSec: r.samplesPerSec, gflops: r.gflops });
  }

  let torch: TorchOutcome | null = null;
  if (hasTorch) {
    progress(`PyTorch: timing the same model with ${o.threads} thread(s)…`);
    try {
      torch = await runTorchBench({ model: o.model, batchSizes: o.batchSizes, threads: o.threads, seconds: o.seconds });
    } catch (e) {
      // The comparison is extra: a broken torch install must not lose the batchwise numbers.
      progress(`PyTorch comparison failed: ${(e as Error).message}`);
    }
  }
  const torchRows = torch?.kind === 'ok' ? new Map(torch.rows.map((r) => [r.batchSize, r.samplesPerSec])) : new Map<number, number>();
  const out: BenchRow[] = rows.map((r) => {
    const t = torchRows.get(r.batchSize);
    const row: BenchRow = { ...r, percentOfMatmul: (100 * r.gflops) / matmul.gflops };
    return t === undefined ? row : { ...row, torchSamplesPerSec: t, torchRatio: r.samplesPerSec / t };
  });
  const torchNote = !wantTorch
    ? o.torch !== false
      ? `PyTorch not compared: its script times SGD only (--optimizer sgd)`
      : null
    : torch?.kind === 'ok'
      ? null
      : torch?.kind === 'missing'
        ? `PyTorch not compared (${torch.reason}); ${TORCH_HINT}`
        : hasTorch
          ? 'PyTorch not compared (its script failed; see above)'
          : `PyTorch not compared: ${TORCH_PYTHON} does not import torch; ${TORCH_HINT}`;

  if (o.json) {
    if (torchNote) progress(torchNote);
    const result = {
      model: o.model,
      optimizer: o.optimizer,
      threads: o.threads,
      secondsPerBatchSize: o.seconds,
      machine,
      macsPerExample: macs,
      flopsPerExample: FLOPS_PER_MAC_TRAINING * macs,
      matmulGflops: matmul.gflops,
      matmulSize: matmul.size,
      torch: torch?.kind === 'ok' ? torch.version : null,
      rows: out,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return EXIT.ok;
  }

  const lines = [
    `batchwise bench — model ${o.model}, ${o.optimizer} updates (batch gather, forward, backward, update), iter-size 1`,
    `machine: ${machine.cpu}, ${machine.cores} logical cores; ${o.threads} thread(s) used; onnxruntime-node ${machine.onnxruntime}; node ${machine.node}` +
      (torch?.kind === 'ok' ? `; PyTorch ${torch.version}` : ''),
    `matmul (${matmul.size}×${matmul.size} by ${matmul.size}×${matmul.size}, best of ${matmul.trials} runs): ${fmt(matmul.gflops, 1)} GFLOP/s`,
    `training GFLOP/s = samples/s × ${FLOPS_PER_MAC_TRAINING}·MACs (forward 2·MACs, backward 4·MACs); ${fmt(macs)} MACs per example`,
    '',
    ...table(out, torch?.kind === 'ok'),
  ];
  if (torchNote) lines.push('', torchNote);
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

function table(rows: readonly BenchRow[], withTorch: boolean): string[] {
  const head = ['batch size', 'samples/s', 'GFLOP/s', '% of matmul', 'PyTorch samples/s', 'ratio'];
  const cells = rows.map((r) => [
    String(r.batchSize),
    fmt(r.samplesPerSec),
    fmt(r.gflops, 1),
    `${fmt(r.percentOfMatmul, 1)}%`,
    r.torchSamplesPerSec === undefined ? '–' : fmt(r.torchSamplesPerSec),
    r.torchRatio === undefined ? '–' : `${r.torchRatio.toFixed(2)}×`,
  ]);
  const out = formatTable(head, cells);
  if (withTorch) out.push('ratio = batchwise samples/s ÷ PyTorch samples/s (above 1: batchwise is faster)');
  return out;
}
