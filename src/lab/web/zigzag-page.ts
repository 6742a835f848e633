/**
 * The zigzag experiment (C5, C6c) as the browser lab runs it: the same synthetic paraboloid, the
 * same compiled linear neuron, the same start and epoch order as `batchwise lab zigzag`, trained
 * by whichever ONNX Runtime is handed in (onnxruntime-web in the page), and the lab's own plots.
 * Browser-safe, like everything it imports.
 */
import { makeOptimizer } from '../../optim/registry.js';
import type { Plot } from '../../report/render.js';
import { pathFigures, type PathFigures, type Point } from '../zigzag/path.js';
import { zigzagPlots } from '../zigzag/plots.js';
import { ellipseProblem, excessLoss, linearNeuron, startPoint } from '../zigzag/problem.js';
import { optimizerShortName, pageOptimizerOf, type PageOptimizer } from './optimizer-choice.js';
import { PageTrainer, type OrtModule } from './page-trainer.js';

/** The page's state, as its query string carries it. */
export interface ZigzagView {
  /** The mini-batch drawn between B = 1 and the full batch. */
  readonly batch: number;
  readonly lr: number;
  readonly condition: number;
  readonly seed: number;
  /** The optimizer every path steps with (the rate is its η; Rprop's initial step Δ₀). */
  readonly optimizer: PageOptimizer;
}

/** Bounds of the sliders; a value in a URL outside them is clamped, a malformed one replaced by the default. */
export const VIEW_BOUNDS = {
  batch: { min: 1, max: 64, step: 1, default: 8 },
  lr: { min: 0.01, max: 1.5, step: 0.01, default: 0.25 },
  condition: { min: 1, max: 100, step: 1, default: 10 },
  seed: { min: 1, max: 50, step: 1, default: 1 },
} as const;

/** As `batchwise lab zigzag`'s defaults: 64 examples, 10 epochs, noise 0.3, long axis at −30°. */
export const ZIGZAG_PAGE = { examples: 64, epochs: 10, noise: 0.3, angleDeg: -30 } as const;

export function viewFromQuery(query: string): ZigzagView {
  const q = new URLSearchParams(query);
  const read = (key: keyof typeof VIEW_BOUNDS, name: string) => {
    const b = VIEW_BOUNDS[key];
    const raw = q.get(name);
    const v = raw === null || raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(v)) return b.default;
    const clamped = Math.min(b.max, Math.max(b.min, v));
    return b.step === 1 ? Math.round(clamped) : clamped;
  };
  return { batch: read('batch', 'B'), lr: read('lr', 'lr'), condition: read('condition', 'kappa'), seed: read('seed', 'seed'), optimizer: pageOptimizerOf(q.get('opt')) };
}

export function queryOfView(v: ZigzagView): string {
  return new URLSearchParams({ B: String(v.batch), lr: String(v.lr), kappa: String(v.condition), seed: String(v.seed), opt: v.optimizer }).toString();
}

export interface PagePath extends PathFigures {
  readonly batch: number;
  readonly path: readonly Point[];
}

export interface ZigzagPageResult {
  readonly paths: readonly PagePath[];
  readonly plots: readonly Plot[];
  /** L − L* at the start, for scale. */
  readonly startExcessLoss: number;
}

/** Paths for B = 1, the view's batch and the full batch, each for the same examples, at the view's rate. */
export async function runZigzagInPage(ort: OrtModule, v: ZigzagView, sessionOptions: Record<string, unknown> = {}): Promise<ZigzagPageResult> {
  const { examples, epochs } = ZIGZAG_PAGE;
  const p = ellipseProblem({ condition: v.condition, angleDeg: ZIGZAG_PAGE.angleDeg, examples, noise: ZIGZAG_PAGE.noise, seed: v.seed });
  const split = { x: p.x, targets: p.t, featureShape: [2], count: examples };
  const batches = [...new Set([1, Math.min(v.batch, examples), examples])].sort((a, b) => a - b);
  const start = startPoint(p);
  const paths: PagePath[] = [];
  for (const batch of batches) {
    const trainer = await PageTrainer.create(ort, linearNeuron(), makeOptimizer(v.optimizer, { lr: v.lr }), split, batch, v.seed, sessionOptions);
    try {
      trainer.state.params = [Float32Array.from(start)];
      const path: Point[] = [start];
      // One update per run, as the lab does, so every weight vector along the way is read.
      for (let u = 0; u < trainer.stepsPerEpoch * epochs; u++) {
        await trainer.runUpdates(1, v.lr);
        const w = trainer.state.params[0]!;
        path.push([w[0]!, w[1]!]);
      }
      paths.push({ batch, path, ...pathFigures(path, p.optimum, epochs) });
    } finally {
      await trainer.release();
    }
  }
  const label = (b: number) => (b === examples ? `${b} (full)` : String(b));
  const startExcessLoss = excessLoss(p, start);
  return { paths, plots: zigzagPlots(p, paths, startExcessLoss, label, optimizerShortName(v.optimizer)), startExcessLoss };
}
