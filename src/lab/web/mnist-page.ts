/**
 * A small MNIST training in the page: a 784-32-10 MLP with SGD (or another optimizer) at several batch sizes side by
 * side, each trained on the same examples in turns so their curves grow together, the held-out
 * loss and accuracy read every `evalEvery` examples. The data comes as one binary file (see
 * `encodeMnist`): pixels as bytes, scaled in the page as the lab scales them. Browser-safe.
 */
import { resolveModel } from '../../model/model.js';
import { makeOptimizer } from '../../optim/registry.js';
import { mnistRateFor, type PageOptimizer } from './optimizer-choice.js';
import { PageTrainer, type OrtModule, type PageSplit } from './page-trainer.js';

/** Layout: count (uint32 LE), count·784 pixel bytes, count label bytes. */
export function encodeMnist(x: Float32Array, y: Int32Array, count: number): Uint8Array {
  const out = new Uint8Array(4 + count * 785);
  new DataView(out.buffer).setUint32(0, count, true);
  for (let i = 0; i < count * 784; i++) out[4 + i] = Math.round(x[i]! * 255);
  for (let i = 0; i < count; i++) out[4 + count * 784 + i] = y[i]!;
  return out;
}

/** Pixels scaled by MNIST's usual mean and deviation (0.1307, 0.3081 of full scale). */
export function decodeMnist(bytes: Uint8Array): PageSplit {
  const count = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (bytes.length !== 4 + count * 785) throw new Error(`MNIST file: ${bytes.length} bytes for ${count} examples`);
  const x = new Float32Array(count * 784);
  for (let i = 0; i < x.length; i++) x[i] = (bytes[4 + i]! / 255 - 0.1307) / 0.3081;
  const labels = Int32Array.from(bytes.subarray(4 + count * 784));
  return { x, labels, featureShape: [784], count };
}

/** The first `n` examples of a split. */
export function firstOf(split: PageSplit, n: number): PageSplit {
  const count = Math.min(n, split.count);
  const f = split.featureShape.reduce((a, b) => a * b, 1);
  return { x: split.x.subarray(0, count * f), featureShape: split.featureShape, count, ...(split.labels ? { labels: split.labels.subarray(0, count) } : {}) };
}

export interface MnistPoint {
  readonly batch: number;
  readonly examples: number;
  readonly loss: number;
  readonly accuracy: number;
}

export interface MnistRunOptions {
  readonly batchSizes: readonly number[];
  readonly epochs: number;
  readonly evalEvery: number;
  readonly seed: number;
  /** Every batch size trains with it, at `mnistRateFor(optimizer, B)`. */
  readonly optimizer: PageOptimizer;
}

export const MNIST_PAGE: MnistRunOptions = { batchSizes: [4, 32, 256], epochs: 2, evalEvery: 500, seed: 1, optimizer: 'sgd' };

/** SGD's rate for batch B: the square-root rule from 0.05 at B = 32, as `batchwise lab accuracy`. */
export const mnistRate = (batch: number): number => mnistRateFor('sgd', batch);

export const mnistMlp = () => resolveModel({ name: 'mlp-784-32-10', input: 'flat', layers: [{ type: 'dense', units: 32 }, { type: 'relu' }, { type: 'dense', units: 10 }] }, [784], 10);

/**
 * Trains every batch size in turns of `evalEvery` examples, calling `onPoint` with the held-out
 * figures at the start and after each turn; `stop()` true ends it between turns.
 */
export async function runMnistInPage(ort: OrtModule, train: PageSplit, test: PageSplit, o: MnistRunOptions, onPoint: (p: MnistPoint) => void, stop: () => boolean = () => false, sessionOptions: Record<string, unknown> = {}): Promise<void> {
  const trainers = await Promise.all(o.batchSizes.map((b) => PageTrainer.create(ort, mnistMlp(), makeOptimizer(o.optimizer, { lr: mnistRateFor(o.optimizer, b) }), train, b, o.seed, sessionOptions)));
  try {
    const seen = o.batchSizes.map(() => 0);
    for (const t of trainers) onPoint({ batch: t.batch, examples: 0, ...(await t.evaluate(test)) });
    const total = o.epochs * train.count;
    while (!stop() && seen.some((s) => s < total)) {
      for (const [i, t] of trainers.entries()) {
        if (seen[i]! >= total || stop()) continue;
        const goal = Math.min(total, seen[i]! + o.evalEvery);
        while (seen[i]! + t.batch <= goal) {
          const losses = await t.runUpdates(Math.floor((goal - seen[i]!) / t.batch), mnistRateFor(o.optimizer, t.batch));
          seen[i] = seen[i]! + losses.length * t.batch;
        }
        // Fewer examples than a batch left at the end: skipped, as the engine skips an epoch's short last batch.
        if (goal === total) seen[i] = total;
        onPoint({ batch: t.batch, examples: seen[i]!, ...(await t.evaluate(test)) });
      }
    }
  } finally {
    await Promise.all(trainers.map((t) => t.release()));
  }
}
