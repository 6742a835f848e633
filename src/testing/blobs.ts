/** In-memory data for engine tests: Gaussian blobs, one per class, already normalised. */
import type { DataSplits, Examples } from '../data/dataset.js';
import { Rng } from '../rng.js';

function blobExamples(count: number, features: number, classes: number, rng: Rng): Examples {
  const x = new Float32Array(count * features);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    y[i] = c;
    for (let f = 0; f < features; f++) x[i * features + f] = (f % classes === c ? 2.5 : 0) + rng.normal();
  }
  return { x, y, count, featureShape: [features] };
}

export function blobs(train: number, features = 6, classes = 3, seed = 1): DataSplits {
  const rng = new Rng(seed);
  return {
    name: 'blobs',
    numClasses: classes,
    featureShape: [features],
    train: blobExamples(train, features, classes, rng),
    validation: blobExamples(60, features, classes, rng),
    test: blobExamples(60, features, classes, rng),
    normalization: { mean: Float32Array.of(0), std: Float32Array.of(1) },
  };
}
