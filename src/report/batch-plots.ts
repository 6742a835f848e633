/**
 * An adaptive batch (`train --batch-size auto`) as the report draws it: the batch and the rate
 * against the examples seen, from the changes the store keeps (batch_changes), with the noise
 * scale each change was decided on.
 */
import type { BatchChangeRow } from '../store/rows.js';
import { HEIGHT, LOG, WIDTH } from './common.js';
import type { Plot } from './render.js';

/** One adaptive run's changes; `endExamples`: where it stopped, so that its last batch is drawn to the end (null: to the last change). */
export interface BatchSeries {
  readonly label: string;
  readonly changes: readonly BatchChangeRow[];
  readonly endExamples: number | null;
}

const CAPTION =
  'The batch (micro-batch × iter-size) and the learning rate after each change of `--batch-size auto`, against the examples seen; dots: the noise scale B_noise each change was decided on (the estimate of the latest noise round). ' +
  'The batch moves where goodput = samples/s × 1/(1 + B/B_noise) is highest (C9’s time-optimal batch, found as training goes: C8b’s throughput against C8c’s examples); the rate follows the noise rule ε(B) = ε₀(1 + B_noise/B₀)/(1 + B_noise/B).';

/** A `train --batch-size auto` run. */
export function batchAlongTraining(changes: readonly BatchChangeRow[], endExamples: number | null): Plot {
  return { name: 'batch-along-training', title: 'Adaptive batch and rate along training', caption: CAPTION, spec: seriesSpec([{ label: '', changes, endExamples }]) };
}

/** The auto trials of a sweep or a recommend's `--verify-auto`, one coloured line each. */
export function autoTrialsAlongTraining(series: readonly BatchSeries[]): Plot {
  return {
    name: 'auto-trials-along-training',
    title: 'Auto trials: batch and rate along training',
    caption: `${CAPTION} One line per auto trial (start rate and seed in its key).`,
    spec: seriesSpec(series),
  };
}

function seriesSpec(series: readonly BatchSeries[]): Plot['spec'] {
  const rows: Record<string, unknown>[] = [];
  const line: Record<string, unknown>[] = [];
  for (const s of series) {
    const own = s.changes.map((c) => ({ ...c, trial: s.label, batch: c.microBatch * c.iterSize, split: `${c.microBatch} × ${c.iterSize}`, bNoise: Number.isFinite(c.bNoise) ? c.bNoise : null }));
    rows.push(...own);
    line.push(...own);
    // A step line needs the value at the end too: the last change held to where the run stopped.
    const last = own[own.length - 1];
    if (last !== undefined && s.endExamples !== null && s.endExamples > last.examples) line.push({ ...last, examples: s.endExamples, reason: 'end' });
  }
  const several = series.length > 1;
  // Keys are long (auto-b32-512-lr0.0125-s1) and differ at their ends: the legend shows them whole.
  // Past ten trials (4 start rates × 3 seeds in a sweep) the default ten colours repeat, and two
  // trials read as one: twenty then.
  const scale = series.length > 10 ? { scale: { scheme: 'tableau20' } } : {};
  const colour = several ? { color: { field: 'trial', type: 'nominal', title: 'trial', legend: { labelLimit: 320 }, ...scale } } : {};
  const lineMark = (fixed: string) => ({ type: 'line', interpolate: 'step-after', ...(several ? {} : { color: fixed }) });
  const x = { field: 'examples', type: 'quantitative', title: 'training examples seen' } as const;
  const tooltip = [...(several ? [{ field: 'trial' }] : []), { field: 'step' }, { field: 'examples', format: ',' }, { field: 'batch', title: 'batch' }, { field: 'split', title: 'micro × iter' }, { field: 'lr', format: '.4g' }, { field: 'bNoise', title: 'B_noise', format: ',.0f' }, { field: 'reason' }];
  return {
    vconcat: [
      {
        width: WIDTH,
        height: HEIGHT - 60,
        layer: [
          { data: { values: line }, mark: lineMark('#4e79a7'), encoding: { x, y: { field: 'batch', type: 'quantitative', scale: { ...LOG, base: 2 }, title: 'batch (line), B_noise (dots)' }, ...colour, tooltip } },
          { data: { values: rows.filter((r) => r['bNoise'] !== null) }, mark: { type: 'point', filled: true, ...(several ? {} : { color: '#f28e2b' }) }, encoding: { x, y: { field: 'bNoise', type: 'quantitative', scale: { ...LOG, base: 2 } }, ...colour, tooltip } },
        ],
      },
      {
        width: WIDTH,
        height: 110,
        data: { values: line },
        mark: lineMark('#59a14f'),
        encoding: { x, y: { field: 'lr', type: 'quantitative', title: 'learning rate' }, ...colour, tooltip },
      },
    ] as never,
  } as Plot['spec'];
}
