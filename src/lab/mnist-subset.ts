/**
 * A quick MNIST for lab experiments: the first `train` training images and the first `test`
 * test images (the files' own order, so the subset is the same on every machine), flat, scaled
 * by one global mean and standard deviation fitted on the training subset.
 */
import type { DataSplits, Examples } from '../data/dataset.js';
import { applyNormalization, fitNormalization } from '../data/load.js';
import { loadMnist, MNIST_CLASSES } from '../data/mnist.js';

export function mnistSubset(train: number, test: number): DataSplits {
  const all = loadMnist();
  const take = (src: { x: Float32Array; y: Int32Array }, n: number): Examples => ({
    x: src.x.slice(0, n * 784),
    y: src.y.slice(0, n),
    count: n,
    featureShape: [784],
  });
  const tr = take(all.train, Math.min(train, all.train.count));
  const te = take(all.test, Math.min(test, all.test.count));
  const normalization = fitNormalization(tr.x, tr.count, 1);
  applyNormalization(tr.x, normalization);
  applyNormalization(te.x, normalization);
  // The held-out figures are read on the test subset; validation is the same set (nothing is tuned on it).
  return { name: `mnist (first ${tr.count} train, ${te.count} test)`, numClasses: MNIST_CLASSES, featureShape: [784], train: tr, validation: te, test: te, normalization };
}
