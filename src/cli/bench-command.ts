/**
 * `batchwise bench`: training throughput per batch size next to the machine's plain MatMul rate
 * (and PyTorch's, where Debian's torch is installed, with OpenMP's default wait policy and with
 * OMP_WAIT_POLICY=PASSIVE: the better of the two is the fair peer). Everything runs on the main
 * thread, one measurement at a time, so no two thread pools compete for the cores being measured.
 */
import { measureMatmul, type MatmulResult } from '../bench/matmul.js';
import { machineInfo, type MachineInfo } from '../bench/machine.js';
import { checkBatchSizes, FLOPS_PER_MAC_TRAINING, TORCH_TWINS, loadBenchData, measureThroughput, type BenchModel, type ThroughputRow } from '../bench/throughput.js';
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
  /** PyTorch with OpenMP's default wait policy (its threads spin). */
  readonly torchSamplesPerSec?: number;
  /** PyTorch with OMP_WAIT_POLICY=PASSIVE. */
  readonly torchPassiveSamplesPerSec?: number;
  /** batchwise samples/s ÷ the better PyTorch setting's samples/s: above 1, batchwise is faster. */
  readonly torchRatio?: number;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

export async function benchCommand(o: BenchOptions): Promise<number> {
  if (o.profile === true) return (await import('./bench-profile.js')).benchProfile(o);
  const machine = machineInfo();
  // Checked before the long ORT part, so the note comes while the user is still watching.
  // The PyTorch script times SGD only: another optimizer is not compared rather than compared unfairly.
  const wantTorch = o.torch !== false && o.optimizer === 'sgd';
  const hasTorch = wantTorch && torchAvailable();
  const datas = o.model.map((model) => ({ model, data: loadBenchData(model) }));
  for (const { data } of datas) checkBatchSizes(o.batchSizes, data.train.count);

  progress(`bench: ${o.model.join(', ')}, ${o.threads} thread(s), ${o.seconds} s per batch size; measuring MatMul…`);
  const matmul = await measureMatmul({ threads: o.threads });
  progress(`matmul ${matmul.size}³: ${fmt(matmul.gflops, 1)} GFLOP/s`);

  const lines: string[] = [];
  for (const { model, data } of datas) {
    const macs = resolveModel(PRESETS[model]!, data.featureShape, data.numClasses).macsPerExample;
    const rows: ThroughputRow[] = [];
    for (const batchSize of o.batchSizes) {
      const r = await measureThroughput({ model, optimizer: o.optimizer, batchSize, threads: o.threads, seconds: o.seconds, data });
      progress(`${model} batch ${batchSize}: ${fmt(r.samplesPerSec)} samples/s, ${fmt(r.gflops, 1)} GFLOP/s (${r.updates} updates in ${r.runs} runs, ${r.seconds.toFixed(2)} s)`);
      rows.push({ batchSize: r.batchSize, samplesPerSec: r.samplesPerSec, gflops: r.gflops });
    }
    const torch = hasTorch && TORCH_TWINS.includes(model) ? await torchBoth(model, o) : null;
    const out = benchRows(rows, matmul.gflops, torch);
    const note = TORCH_TWINS.includes(model) ? torchNote(o, wantTorch, hasTorch, torch?.spinning ?? null) : wantTorch ? `PyTorch not compared for ${model}: the bench's PyTorch script has no twin of it` : null;
    if (o.json) {
      if (note) progress(note);
      const version = torch?.spinning.kind === 'ok' ? torch.spinning.version : torch?.passive.kind === 'ok' ? torch.passive.version : null;
      const result = { model, optimizer: o.optimizer, threads: o.threads, secondsPerBatchSize: o.seconds, machine, macsPerExample: macs, flopsPerExample: FLOPS_PER_MAC_TRAINING * macs, matmulGflops: matmul.gflops, matmulSize: matmul.size, torch: version, rows: out };
      process.stdout.write(`${JSON.stringify(result)}\n`);
      continue;
    }
    if (lines.length > 0) lines.push('');
    lines.push(...report(model, o.optimizer, o.threads, machine, matmul, macs, torch), '', ...table(out, torch !== null));
    if (note) lines.push('', note);
  }
  if (!o.json) process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

interface TorchBoth {
  readonly spinning: TorchOutcome;
  readonly passive: TorchOutcome;
}

/** PyTorch timed twice, one OpenMP wait policy after the other; a failure loses only its column. */
async function torchBoth(model: BenchModel, o: BenchOptions): Promise<TorchBoth> {
  const one = async (ompWaitPolicy: 'default' | 'PASSIVE'): Promise<TorchOutcome> => {
    progress(`PyTorch (OpenMP wait policy ${ompWaitPolicy}): timing ${model} with ${o.threads} thread(s)…`);
    try {
      return await runTorchBench({ model, batchSizes: o.batchSizes, threads: o.threads, seconds: o.seconds, ompWaitPolicy });
    } catch (e) {
      // The comparison is extra: a broken torch install must not lose the batchwise numbers.
      progress(`PyTorch comparison failed: ${(e as Error).message}`);
      return { kind: 'missing', reason: 'its script failed; see above' };
    }
  };
  return { spinning: await one('default'), passive: await one('PASSIVE') };
}

export function benchRows(rows: readonly ThroughputRow[], matmulGflops: number, torch: TorchBoth | null): BenchRow[] {
  const rate = (t: TorchOutcome | undefined) => (t?.kind === 'ok' ? new Map(t.rows.map((r) => [r.batchSize, r.samplesPerSec])) : new Map<number, number>());
  const spinning = rate(torch?.spinning);
  const passive = rate(torch?.passive);
  return rows.map((r) => {
    const row: BenchRow = { ...r, percentOfMatmul: (100 * r.gflops) / matmulGflops };
    const s = spinning.get(r.batchSize);
    const p = passive.get(r.batchSize);
    const better = Math.max(s ?? 0, p ?? 0);
    return {
      ...row,
      ...(s === undefined ? {} : { torchSamplesPerSec: s }),
      ...(p === undefined ? {} : { torchPassiveSamplesPerSec: p }),
      ...(better > 0 ? { torchRatio: r.samplesPerSec / better } : {}),
    };
  });
}

function torchNote(o: BenchOptions, wantTorch: boolean, hasTorch: boolean, torch: TorchOutcome | null): string | null {
  if (!wantTorch) return o.torch !== false ? 'PyTorch not compared: its script times SGD only (--optimizer sgd)' : null;
  if (torch?.kind === 'ok') return null;
  if (torch?.kind === 'missing') return `PyTorch not compared (${torch.reason}); ${TORCH_HINT}`;
  return hasTorch ? 'PyTorch not compared (its script failed; see above)' : `PyTorch not compared: ${TORCH_PYTHON} does not import torch; ${TORCH_HINT}`;
}

function report(model: BenchModel, optimizer: string, threads: number, machine: MachineInfo, matmul: MatmulResult, macs: number, torch: TorchBoth | null): string[] {
  const version = torch?.spinning.kind === 'ok' ? torch.spinning.version : null;
  return [
    `batchwise bench — model ${model}, ${optimizer} updates (batch gather, forward, backward, update), iter-size 1`,
    `machine: ${machine.cpu}, ${machine.cores} logical cores; ${threads} thread(s) used; onnxruntime-node ${machine.onnxruntime}; node ${machine.node}` + (version ? `; PyTorch ${version}` : ''),
    `matmul (${matmul.size}×${matmul.size} by ${matmul.size}×${matmul.size}, best of ${matmul.trials} runs): ${fmt(matmul.gflops, 1)} GFLOP/s`,
    `training GFLOP/s = samples/s × ${FLOPS_PER_MAC_TRAINING}·MACs (forward 2·MACs, backward 4·MACs); ${fmt(macs)} MACs per example`,
  ];
}

function table(rows: readonly BenchRow[], withTorch: boolean): string[] {
  const head = ['batch size', 'samples/s', 'GFLOP/s', '% of matmul', 'PyTorch, default', 'PyTorch, OMP PASSIVE', 'ratio'];
  const cells = rows.map((r) => [
    String(r.batchSize),
    fmt(r.samplesPerSec),
    fmt(r.gflops, 1),
    `${fmt(r.percentOfMatmul, 1)}%`,
    r.torchSamplesPerSec === undefined ? '–' : fmt(r.torchSamplesPerSec),
    r.torchPassiveSamplesPerSec === undefined ? '–' : fmt(r.torchPassiveSamplesPerSec),
    r.torchRatio === undefined ? '–' : `${r.torchRatio.toFixed(2)}×`,
  ]);
  const out = formatTable(head, cells);
  if (withTorch) out.push('ratio = batchwise samples/s ÷ the better PyTorch setting (default OpenMP threads spin; OMP_WAIT_POLICY=PASSIVE lets them sleep); above 1: batchwise is faster');
  return out;
}
