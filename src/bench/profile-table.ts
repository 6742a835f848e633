/**
 * ONNX Runtime's profile of training runs, read back as time per update by op type and by layer
 * and phase (forward, backward, update). The graph builder names every node after the layer and
 * phase that emitted it (src/graph/scope.ts); what is left is the batch gather and loop
 * bookkeeping (our unscoped nodes, "n_…"), nodes ORT inserted itself (layout reorders), and the
 * executor's own time between kernels inside the training Loop.
 */
import { parseScope } from '../graph/scope.js';

/** One entry of ORT's Chrome-trace profile; only the fields read here. */
export interface ProfileEvent {
  readonly cat: string;
  readonly name: string;
  readonly ts: number;
  readonly dur: number;
  readonly args?: { readonly op_name?: string };
}

export interface OpRow {
  readonly opType: string;
  readonly callsPerUpdate: number;
  readonly microsPerUpdate: number;
  /** Percent of the update's time. */
  readonly share: number;
}

export type RowKind = 'layer' | 'loss' | 'step' | 'inserted' | 'executor';

export interface LayerRow {
  readonly kind: RowKind;
  /** "L3 conv2d", "loss", …; see ROW_LABELS for the rest. */
  readonly label: string;
  /** µs per update in each phase; 0 for rows that are not a layer. */
  readonly forward: number;
  readonly backward: number;
  readonly update: number;
  readonly microsPerUpdate: number;
  readonly share: number;
}

export interface StepProfile {
  readonly updates: number;
  /** Kernel time plus the executor's time between kernels, per update. */
  readonly microsPerUpdate: number;
  readonly byOp: readonly OpRow[];
  /** Every layer of the model in order, then loss, batch gather and loop, ORT-inserted, executor. */
  readonly byLayer: readonly LayerRow[];
  /** Percent of the update's time in each phase of the layers (the loss counted apart). */
  readonly phaseShare: { readonly forward: number; readonly backward: number; readonly update: number };
}

export const ROW_LABELS: Record<Exclude<RowKind, 'layer'>, string> = {
  loss: 'loss and its gradient',
  step: 'batch gather, loop',
  inserted: 'inserted by ORT (layout)',
  executor: 'executor, between kernels',
};

/** Ops whose kernel time contains their subgraphs' kernels. */
const CONTAINERS = new Set(['Loop', 'If', 'Scan']);

/**
 * Summarize the node events after the first `skipRuns` session runs (warm-up: first-run
 * allocations are not the steady state) over `updates` updates of a model with `layers`.
 */
export function summarizeProfile(events: readonly ProfileEvent[], opts: { updates: number; skipRuns: number; layers: readonly { index: number; type: string }[] }): StepProfile {
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  if (runs.length <= opts.skipRuns) throw new Error(`the profile has ${runs.length} run(s); expected more than the ${opts.skipRuns} warm-up run(s)`);
  const cutoff = opts.skipRuns === 0 ? -Infinity : runs[opts.skipRuns - 1]!.ts + runs[opts.skipRuns - 1]!.dur;
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= cutoff);
  const kernels = nodes.filter((e) => !CONTAINERS.has(opOf(e)));
  const loops = nodes.filter((e) => opOf(e) === 'Loop');
  const outermost = loops.filter((l) => !loops.some((o) => o !== l && o.ts <= l.ts && o.ts + o.dur >= l.ts + l.dur));
  const inside = (e: ProfileEvent) => outermost.some((l) => e.ts >= l.ts && e.ts + e.dur <= l.ts + l.dur);
  const executor = Math.max(0, sum(outermost.map((l) => l.dur)) - sum(kernels.filter(inside).map((e) => e.dur)));
  const total = sum(kernels.map((e) => e.dur)) + executor;
  const per = (micros: number) => micros / opts.updates;
  const share = (micros: number) => (total > 0 ? (100 * micros) / total : 0);

  const ops = new Map<string, { calls: number; micros: number }>();
  for (const e of kernels) {
    const o = ops.get(opOf(e)) ?? { calls: 0, micros: 0 };
    o.calls++;
    o.micros += e.dur;
    ops.set(opOf(e), o);
  }
  const byOp: OpRow[] = [...ops].map(([opType, o]) => ({ opType, callsPerUpdate: o.calls / opts.updates, microsPerUpdate: per(o.micros), share: share(o.micros) }));
  if (executor > 0) byOp.push({ opType: `(${ROW_LABELS.executor})`, callsPerUpdate: 0, microsPerUpdate: per(executor), share: share(executor) });
  byOp.sort((a, b) => b.microsPerUpdate - a.microsPerUpdate);

  const layerTimes = new Map(opts.layers.map((l) => [l.index, { forward: 0, backward: 0, update: 0 }]));
  const other: Record<Exclude<RowKind, 'layer'>, number> = { loss: 0, step: 0, inserted: 0, executor };
  for (const e of kernels) {
    const name = e.name.slice(0, -'_kernel_time'.length);
    const scope = parseScope(name);
    if (scope === null) other[name.startsWith('n_') ? 'step' : 'inserted'] += e.dur;
    else if (scope.phase === 'loss' || scope.layer === null) other.loss += e.dur;
    else {
      const t = layerTimes.get(scope.layer.index);
      if (t === undefined) throw new Error(`profile node ${name} names layer ${scope.layer.index}, which the model does not have`);
      t[scope.phase] += e.dur;
    }
  }
  const byLayer: LayerRow[] = opts.layers.map((l) => {
    const t = layerTimes.get(l.index)!;
    const micros = t.forward + t.backward + t.update;
    return { kind: 'layer', label: `L${l.index} ${l.type}`, forward: per(t.forward), backward: per(t.backward), update: per(t.update), microsPerUpdate: per(micros), share: share(micros) };
  });
  for (const kind of ['loss', 'step', 'inserted', 'executor'] as const) {
    byLayer.push({ kind, label: ROW_LABELS[kind], forward: 0, backward: 0, update: 0, microsPerUpdate: per(other[kind]), share: share(other[kind]) });
  }
  const phase = (p: 'forward' | 'backward' | 'update') => share(sum([...layerTimes.values()].map((t) => t[p])));
  return { updates: opts.updates, microsPerUpdate: per(total), byOp, byLayer, phaseShare: { forward: phase('forward'), backward: phase('backward'), update: phase('update') } };
}

function opOf(e: ProfileEvent): string {
  return e.args?.op_name ?? 'unknown';
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
