/** `batchwise bench --profile`: where each batch size's update goes, by op type and by layer. */
import { machineInfo } from '../bench/machine.js';
import { ROW_LABELS, type LayerRow } from '../bench/profile-table.js';
import { profileTraining, type ProfiledStep } from '../bench/profile.js';
import { benchRunConfig, checkBatchSizes, loadBenchData } from '../bench/throughput.js';
import type { BenchOptions } from './bench-command.js';
import { EXIT } from './parse.js';
import { fmt, formatTable } from './table.js';

/** Op types listed by name; the rest share one row. */
const TOP_OPS = 14;

export async function benchProfile(o: BenchOptions): Promise<number> {
  const machine = machineInfo();
  const lines: string[] = [];
  for (const model of o.model) {
    const data = loadBenchData(model);
    checkBatchSizes(o.batchSizes, data.train.count);
    const profiles: ProfiledStep[] = [];
    for (const batchSize of o.batchSizes) {
      process.stderr.write(`profile: ${model}, batch ${batchSize}, ${o.threads} thread(s)…\n`);
      profiles.push(await profileTraining(benchRunConfig(model, batchSize, o.threads, o.optimizer), data, { seconds: o.seconds }));
    }
    if (o.json) {
      process.stdout.write(`${JSON.stringify({ model, optimizer: o.optimizer, threads: o.threads, machine, profiles })}\n`);
      continue;
    }
    if (lines.length > 0) lines.push('');
    lines.push(
      `batchwise bench --profile — model ${model}, ${o.optimizer} updates, ${o.threads} thread(s); onnxruntime-node ${machine.onnxruntime}, ${machine.cpu}`,
      "µs per update from ONNX Runtime's profiler (warm-up runs left out); profiling slows every kernel a little, so read shares, and rates from plain `bench`",
    );
    for (const p of profiles) lines.push('', ...profileLines(p));
  }
  if (!o.json) process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

export function profileLines(p: ProfiledStep): string[] {
  const us = (v: number) => fmt(v, v < 100 ? 1 : 0);
  const share = (v: number) => `${v.toFixed(1)}%`;
  const ops = p.byOp.slice(0, TOP_OPS).map((r) => [r.opType, r.callsPerUpdate === 0 ? '–' : fmt(r.callsPerUpdate, Number.isInteger(r.callsPerUpdate) ? 0 : 1), us(r.microsPerUpdate), share(r.share)]);
  const rest = p.byOp.slice(TOP_OPS);
  if (rest.length > 0) {
    const micros = rest.reduce((a, r) => a + r.microsPerUpdate, 0);
    ops.push([`${rest.length} other op types`, fmt(rest.reduce((a, r) => a + r.callsPerUpdate, 0)), us(micros), share(rest.reduce((a, r) => a + r.share, 0))]);
  }
  const phase = (r: LayerRow, v: number) => (r.kind === 'layer' ? us(v) : '–');
  const layers = p.byLayer.map((r) => [r.label, phase(r, r.forward), phase(r, r.backward), phase(r, r.update), us(r.microsPerUpdate), share(r.share)]);
  const sumOf = (k: 'forward' | 'backward' | 'update') => p.byLayer.reduce((a, r) => a + r[k], 0);
  layers.push(['all', us(sumOf('forward')), us(sumOf('backward')), us(sumOf('update')), us(p.microsPerUpdate), '100.0%']);
  layers.push(['share', share(p.phaseShare.forward), share(p.phaseShare.backward), share(p.phaseShare.update), '', '']);
  return [
    `batch ${p.effectiveBatch}: ${us(p.microsPerUpdate)} µs per update over ${p.updates} profiled updates (${fmt(p.profiledSamplesPerSec)} samples/s while profiling)`,
    ...formatTable(['op type', 'calls', 'µs', 'share'], ops, ['l']),
    '',
    ...formatTable(['layer', 'forward µs', 'backward µs', 'update µs', 'total µs', 'share'], layers, ['l']),
    `(${ROW_LABELS.inserted}: nodes ONNX Runtime added when optimizing the graph, such as NCHWc reorders)`,
  ];
}
