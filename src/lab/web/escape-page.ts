/**
 * The escape experiment (C2) in the page: `batchwise lab escape`'s finite-data problem (one ReLU
 * neuron, a shallow poor basin at the start, a better one beyond the ridge at w = 0), trained
 * from its start by SGD at each B over many seeds (the order of the examples), counting the runs
 * that end beyond the ridge. The landscape is measured by the compiled evaluation graph, as the
 * lab measures it. Browser-safe.
 */
import { makeOptimizer } from '../../optim/registry.js';
import type { BasinRow } from '../escape/basins.js';
import { fractionPlot, landscapePlot } from '../escape/plots.js';
import { ESCAPE_START, escapeProblem, lossAt, reluNeuron } from '../escape/problem.js';
import { sig } from '../experiment.js';
import { num, type Control, type PageExperiment, type PageResult } from './controls.js';
import { PageTrainer, type OrtModule, type PageSplit } from './page-trainer.js';

/** As `batchwise lab escape`: 32 examples, B from 1 to the full batch. */
export const ESCAPE_PAGE = { examples: 32, batchSizes: [1, 2, 4, 8, 16, 32] } as const;

const CONTROLS: readonly Control[] = [
  { kind: 'range', key: 'lr', param: 'lr', label: 'learning rate η', min: 0.05, max: 0.8, step: 0.05, default: 0.3 },
  { kind: 'range', key: 'epochs', param: 'epochs', label: 'epochs', min: 1, max: 40, step: 1, default: 10 },
  { kind: 'range', key: 'seeds', param: 'seeds', label: 'runs (seeds) per batch size', min: 5, max: 100, step: 5, default: 20 },
  { kind: 'range', key: 'seed', param: 'seed', label: 'first seed', min: 1, max: 100, step: 1, default: 1 },
];

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

export const escapeExperiment: PageExperiment = {
  controls: CONTROLS,
  async run({ ort, sessionOptions, stale }, view): Promise<PageResult | null> {
    const [lr, epochs, seeds, seed] = ['lr', 'epochs', 'seeds', 'seed'].map((k) => num(view, k)) as [number, number, number, number];
    const p = escapeProblem({ examples: ESCAPE_PAGE.examples });
    const n = p.x.length;
    const split: PageSplit = { x: p.x, targets: p.t, featureShape: [1], count: n };
    const rows: BasinRow[] = [];
    let updates = 0;
    for (const batch of ESCAPE_PAGE.batchSizes) {
      if (stale()) return null;
      const trainer = await PageTrainer.create(ort, reluNeuron(), makeOptimizer('sgd', { lr }), split, batch, seed, sessionOptions);
      try {
        const finalWeights: number[] = [];
        let lossSum = 0;
        // Full-batch descent is deterministic: the order of the examples does not change the mean.
        const runs = batch === n ? 1 : seeds;
        for (let s = 0; s < runs; s++) {
          trainer.restart(seed + s);
          trainer.state.params = [Float32Array.of(ESCAPE_START)];
          updates += (await trainer.runUpdates(trainer.stepsPerEpoch * epochs, lr)).length;
          finalWeights.push(trainer.state.params[0]![0]!);
          lossSum += (await trainer.evaluate(split)).loss;
        }
        const escaped = finalWeights.filter((w) => w < 0).length;
        rows.push({ batch, runs, escaped, fraction: escaped / runs, meanFinalLoss: lossSum / runs, finalWeights });
      } finally {
        await trainer.release();
      }
    }
    const curve = await landscape(ort, split, sessionOptions);
    const [small, full] = [rows[0]!, rows[rows.length - 1]!];
    const holds = full.fraction === 0 && small.fraction >= 0.5;
    const sentence = holds
      ? `Bears out C2 here: ${pct(small.fraction)} of the B = ${small.batch} runs cross the ridge into the better basin (mean final loss ${sig(small.meanFinalLoss)}), while full-batch descent stays in the poor one (loss ${sig(full.meanFinalLoss)}, w = ${sig(full.finalWeights[0]!)}).`
      : `Does not bear out C2 at these settings: ${pct(small.fraction)} of the B = ${small.batch} runs end in the better basin, ${pct(full.fraction)} of the full-batch runs${full.fraction > 0 ? ' (the rate is large enough that the full gradient itself jumps the ridge)' : ''}.`;
    return {
      plots: [landscapePlot(p, curve, ESCAPE_START, lossAt(p, ESCAPE_START)), fractionPlot(rows, epochs, lr)],
      table: {
        head: ['B', 'runs', 'in better basin', 'mean final loss'],
        rows: rows.map((r) => [r.batch === n ? `${r.batch} (full)` : String(r.batch), String(r.runs), pct(r.fraction), sig(r.meanFinalLoss)]),
      },
      verdict: { holds, sentence },
      summary: `trained ${rows.reduce((a, r) => a + r.runs, 0)} runs, ${updates} updates`,
    };
  },
};

/** L(w) on a grid through both basins, from the compiled evaluation graph. */
async function landscape(ort: OrtModule, split: PageSplit, sessionOptions: Record<string, unknown>): Promise<{ w: number; loss: number }[]> {
  const t = await PageTrainer.create(ort, reluNeuron(), makeOptimizer('sgd', { lr: 0.1 }), split, 1, 0, sessionOptions);
  try {
    const out: { w: number; loss: number }[] = [];
    for (let i = 0; i <= 60; i++) {
      const w = -1.5 + (2.4 * i) / 60;
      t.state.params = [Float32Array.of(w)];
      out.push({ w, loss: (await t.evaluate(split)).loss });
    }
    return out;
  } finally {
    await t.release();
  }
}
