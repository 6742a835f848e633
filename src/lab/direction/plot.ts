/** The direction experiment's plot, shared by `batchwise lab direction` and the browser lab's direction page. */
import type { Plot } from '../../report/render.js';

export interface CosinePoint {
  readonly stage: string;
  readonly batch: number;
  readonly meanCos: number;
  /** Standard deviation of the cosine over the draws. */
  readonly sdCos: number;
  readonly predicted: number;
}

export function directionPlot(points: readonly CosinePoint[], noise: readonly { stage: string; bNoise: number }[]): Plot {
  const curves = [...new Set(points.map((p) => p.stage))].flatMap((stage) => {
    const bNoise = points.find((p) => p.stage === stage)!;
    const b0 = Math.min(...points.map((p) => p.batch));
    const b1 = Math.max(...points.map((p) => p.batch));
    const ratio = (1 / bNoise.predicted ** 2 - 1) * bNoise.batch;
    return Array.from({ length: 41 }, (_, k) => {
      const b = b0 * (b1 / b0) ** (k / 40);
      return { stage, batch: b, predicted: 1 / Math.sqrt(1 + ratio / b) };
    });
  });
  const domain = [Math.min(...points.map((p) => p.batch)), Math.max(...points.map((p) => p.batch))];
  const x = { field: 'batch', type: 'quantitative', scale: { type: 'log', domain, nice: false }, title: 'batch size B (examples)' } as const;
  const color = { field: 'stage', type: 'nominal', title: null, sort: noise.map((n) => n.stage) } as const;
  return {
    name: 'direction-cosine',
    title: 'Mini-batch gradient direction against the full gradient',
    caption: 'Points: mean cosine between a mini-batch gradient and the full gradient (bars: ± one standard deviation over the draws). Dashed lines: 1/√(1 + B_noise/B) from the separately measured noise scale, whose value the dotted rule marks. The direction sharpens with B (C6c) and stops improving past B_noise (C7c).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'cos(mini-batch gradient, full gradient) against B',
      width: 440,
      height: 280,
      layer: [
        { data: { values: curves }, mark: { type: 'line', strokeDash: [4, 3] }, encoding: { x, y: { field: 'predicted', type: 'quantitative', title: 'cosine', scale: { domain: [0, 1] } }, color } },
        {
          data: { values: points.map((p) => ({ ...p, lo: Math.max(0, p.meanCos - p.sdCos), hi: Math.min(1, p.meanCos + p.sdCos) })) },
          mark: { type: 'rule' },
          encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
        },
        { data: { values: points }, mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y: { field: 'meanCos', type: 'quantitative' }, color } },
        {
          data: { values: noise.filter((n) => n.bNoise >= domain[0]! && n.bNoise <= domain[1]!).map((n) => ({ ...n, batch: n.bNoise, label: `B_noise ${Math.round(n.bNoise)}` })) },
          layer: [
            { mark: { type: 'rule', strokeDash: [1, 3] }, encoding: { x, color } },
            { mark: { type: 'text', angle: 270, dx: -6, dy: -4, align: 'left', baseline: 'bottom' }, encoding: { x, y: { datum: 0.02 }, text: { field: 'label' }, color } },
          ],
        },
      ],
    },
  };
}
