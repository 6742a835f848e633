/**
 * The accuracy experiment (C9), small enough for the page: the 784-32-10 MLP trained by SGD on
 * the first MNIST images the lab serves for a fixed number of epochs at each B (rate by the
 * square-root rule from the rate at B = 32, as `batchwise lab accuracy`), over a few seeds; the
 * held-out accuracy against B, judged by the lab's own rule (is the best B's lead larger than
 * the seed-to-seed noise?). Browser-safe.
 */
import { makeOptimizer } from '../../optim/registry.js';
import { accuracyPlot, judgeAccuracy, meanOf, sdOf, type BatchAccuracy } from '../accuracy/plot.js';
import { sig } from '../experiment.js';
import { num, type Control, type PageExperiment, type PageResult } from './controls.js';
import { firstOf, mnistMlp } from './mnist-page.js';
import { PageTrainer } from './page-trainer.js';

export const ACCURACY_PAGE = { train: 1000, batchSizes: [1, 4, 16, 64, 256] } as const;

const CONTROLS: readonly Control[] = [
  { kind: 'range', key: 'epochs', param: 'epochs', label: 'epochs for every B', min: 1, max: 5, step: 1, default: 2 },
  { kind: 'range', key: 'seeds', param: 'seeds', label: 'seeds per B', min: 2, max: 6, step: 1, default: 3 },
  { kind: 'range', key: 'lr32', param: 'lr32', label: 'SGD rate at B = 32 (others: ×√(B/32))', min: 0.005, max: 0.3, step: 0.005, default: 0.05 },
  { kind: 'range', key: 'seed', param: 'seed', label: 'first seed', min: 1, max: 50, step: 1, default: 1 },
];

export const accuracyExperiment: PageExperiment = {
  controls: CONTROLS,
  async run({ ort, sessionOptions, stale, mnist }, view): Promise<PageResult | null> {
    const [epochs, seeds, lr32, seed] = ['epochs', 'seeds', 'lr32', 'seed'].map((k) => num(view, k)) as [number, number, number, number];
    const data = await mnist();
    const train = firstOf(data.train, ACCURACY_PAGE.train);
    const rows: BatchAccuracy[] = [];
    for (const batch of ACCURACY_PAGE.batchSizes) {
      const lr = lr32 * Math.sqrt(batch / 32);
      const trainer = await PageTrainer.create(ort, mnistMlp(), makeOptimizer('sgd', { lr }), train, batch, seed, sessionOptions);
      try {
        const accuracies: number[] = [];
        for (let s = 0; s < seeds; s++) {
          if (stale()) return null;
          trainer.restart(seed + s);
          await trainer.runUpdates(trainer.stepsPerEpoch * epochs, lr);
          accuracies.push((await trainer.evaluate(data.test)).accuracy);
        }
        rows.push({ batch, lr, accuracies, mean: meanOf(accuracies), sd: sdOf(accuracies) });
      } finally {
        await trainer.release();
      }
    }
    const { best, margin, holds, sentence } = judgeAccuracy(rows, epochs, seeds);
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    return {
      plots: [accuracyPlot(rows, { epochs, seeds })],
      table: {
        head: ['B', 'rate', 'updates', 'test accuracy (mean)', '± sd', 'behind best (SE)'],
        rows: rows.map((r) => [String(r.batch), sig(r.lr), String(Math.floor(train.count / r.batch) * epochs), pct(r.mean), pct(r.sd), r === best ? 'best' : sig(margin(r), 2)]),
      },
      verdict: { holds, sentence },
      summary: `trained ${rows.length * seeds} networks for ${epochs} epochs of ${train.count} MNIST images, tested on ${data.test.count}`,
    };
  },
};
