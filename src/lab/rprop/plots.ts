/** Loss, test accuracy and step-sign flips against examples seen, one panel per problem. */
import type { Plot, VegaLiteSpec } from '../../report/render.js';
import type { RpropProblem, VariantResult } from './rprop.js';

const COLORS = { domain: ['iRprop− full batch', 'iRprop− mini-batch', 'RMSProp mini-batch', 'SGD mini-batch'], range: ['#d62728', '#ff9896', '#1f77b4', '#7f7f7f'] };

export function rpropPlots(results: readonly VariantResult[], floors: Record<string, number>, names: Record<string, string>, epochsOf: (p: RpropProblem) => number): Plot[] {
  const rows = results.flatMap((r) =>
    r.recording.epochs.map((e) => ({
      problem: names[r.problem] ?? r.problem,
      optimizer: r.label,
      epochs: e.epoch,
      loss: Math.max(1e-8, e.trainLoss - floors[r.problem]!),
      accuracy: Number.isNaN(e.testAccuracy) ? null : e.testAccuracy,
      flips: e.flipFraction,
    })),
  );
  const color = { field: 'optimizer', type: 'nominal', scale: COLORS, title: 'optimizer' } as const;
  const x = { field: 'epochs', type: 'quantitative', title: 'examples seen (epochs)' } as const;
  const facet = (field: string, yTitle: string, logY: boolean, filter?: string): VegaLiteSpec => ({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    ...(filter ? { transform: [{ filter }] } : {}),
    facet: { column: { field: 'problem', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 300,
      height: 220,
      mark: { type: 'line', point: { size: 12 } },
      encoding: { x, y: { field, type: 'quantitative', title: yTitle, ...(logY ? { scale: { type: 'log' } } : {}) }, color },
    },
  });
  const span = [...new Set(results.map((r) => r.problem))].map((p) => `${epochsOf(p)} epochs of ${p}`).join(', ');
  return [
    {
      name: 'rprop-loss',
      title: 'Training loss against examples seen',
      caption: `Every optimizer sees the same examples (${span}). iRprop− on the full batch descends; on mini-batches the signs it steers by are noisy and it stalls (C4), while RMSProp on the same batches keeps going (C4's compromise). The paraboloid's loss is shown above its minimum, L − L*.`,
      spec: { ...facet('loss', 'training loss', true), title: 'Training loss: full-batch Rprop vs mini-batch Rprop, RMSProp, SGD' } as VegaLiteSpec,
    },
    {
      name: 'rprop-accuracy',
      title: 'Test accuracy against examples seen',
      caption: 'Held-out accuracy of the same runs (classification only). Full-batch Rprop climbs steadily on few updates (C3); mini-batch Rprop, whose training loss climbs back, falls behind the others on the same batches and stops gaining (C4); on a small problem the gap in accuracy is smaller than the gap in loss.',
      spec: { ...facet('accuracy', 'test accuracy', false, 'datum.accuracy !== null'), title: 'Test accuracy: full-batch Rprop vs mini-batch Rprop, RMSProp, SGD' } as VegaLiteSpec,
    },
    {
      name: 'rprop-flips',
      title: 'How often each weight’s step changes sign between consecutive updates',
      caption: 'The fraction of weights whose step reverses from one update to the next, per epoch. SGD’s and RMSProp’s steps on mini-batches reverse about half the time: where the signal is weak a batch gradient’s sign is close to a coin flip, the sampling noise Rprop’s sign rule cannot average away (C4). iRprop− itself pauses a weight for one update after each reversal and shrinks its step, which keeps its own count lower.',
      spec: { ...facet('flips', 'step sign flips (fraction)', false, 'datum.flips !== null'), title: 'Step sign flips between consecutive updates' } as VegaLiteSpec,
    },
  ];
}
