/**
 * An adaptive batch (`train --batch-size auto`) as the report draws it: the batch and the rate
 * against the examples seen, from the changes the store keeps (batch_changes), with the noise
 * scale each change was decided on.
 */
import type { BatchChangeRow } from '../store/rows.js';
import { HEIGHT, LOG, WIDTH } from './common.js';
import type { Plot } from './render.js';

/** `endExamples`: where the run stopped, so that the last batch is drawn to the end (null: to the last change). */
export function batchAlongTraining(changes: readonly BatchChangeRow[], endExamples: number | null): Plot {
  const rows = changes.map((c) => ({ ...c, batch: c.microBatch * c.iterSize, split: `${c.microBatch} × ${c.iterSize}`, bNoise: Number.isFinite(c.bNoise) ? c.bNoise : null }));
  const last = rows[rows.length - 1];
  // A step line needs the value at the end too: the last change held to where the run stopped.
  const line = last !== undefined && endExamples !== null && endExamples > last.examples ? [...rows, { ...last, examples: endExamples, reason: 'end' }] : rows;
  const x = { field: 'examples', type: 'quantitative', title: 'training examples seen' } as const;
  const tooltip = [{ field: 'step' }, { field: 'examples', format: ',' }, { field: 'batch', title: 'batch' }, { field: 'split', title: 'micro × iter' }, { field: 'lr', format: '.4g' }, { field: 'bNoise', title: 'B_noise', format: ',.0f' }, { field: 'reason' }];
  return {
    name: 'batch-along-training',
    title: 'Adaptive batch and rate along training',
    caption:
      'The batch (micro-batch × iter-size) and the learning rate after each change of `--batch-size auto`, against the examples seen; dots: the noise scale B_noise each change was decided on (the estimate of the latest noise round). ' +
      'The batch moves where goodput = samples/s × 1/(1 + B/B_noise) is highest; the rate follows the noise rule ε(B) = ε₀(1 + B_noise/B₀)/(1 + B_noise/B).',
    spec: {
      vconcat: [
        {
          width: WIDTH,
          height: HEIGHT - 60,
          layer: [
            { data: { values: line }, mark: { type: 'line', interpolate: 'step-after', color: '#4e79a7' }, encoding: { x, y: { field: 'batch', type: 'quantitative', scale: { ...LOG, base: 2 }, title: 'batch (line), B_noise (dots)' }, tooltip } },
            { data: { values: rows.filter((r) => r.bNoise !== null) }, mark: { type: 'point', filled: true, color: '#f28e2b' }, encoding: { x, y: { field: 'bNoise', type: 'quantitative', scale: { ...LOG, base: 2 } }, tooltip } },
          ],
        },
        {
          width: WIDTH,
          height: 110,
          data: { values: line },
          mark: { type: 'line', interpolate: 'step-after', color: '#59a14f' },
          encoding: { x, y: { field: 'lr', type: 'quantitative', title: 'learning rate' }, tooltip },
        },
      ] as never,
    },
  };
}
