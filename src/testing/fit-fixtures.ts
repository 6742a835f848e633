/**
 * Helpers for the memory-fit tests (not a test file itself): synthetic data held in memory and a
 * run config for a one-hidden-layer net whose activations dominate its memory.
 */
import type { DataSplits, Examples } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';

export const FIT_FEATURES = 10;
export const FIT_CLASSES = 3;
export const FIT_HIDDEN = 2048;
export const FIT_TRAIN = 4100;

/** Deterministic features sin(0.37·i), labels i mod 3; 5 validation and 5 test examples. */
export function syntheticSplits(): DataSplits {
  const x = Float32Array.from({ length: FIT_TRAIN * FIT_FEATURES }, (_, i) => Math.sin(i * 0.37));
  const y = Int32Array.from({ length: FIT_TRAIN }, (_, i) => i % FIT_CLASSES);
  const split = (n: number): Examples => ({ x: x.slice(0, n * FIT_FEATURES), y: y.slice(0, n), count: n, featureShape: [FIT_FEATURES] });
  return {
    name: 'synthetic',
    numClasses: FIT_CLASSES,
    featureShape: [FIT_FEATURES],
    train: split(FIT_TRAIN),
    validation: split(5),
    test: split(5),
    normalization: { mean: Float32Array.of(0.5), std: Float32Array.of(2) },
  };
}

/** dense 10→2048, relu, dense 2048→3 with momentum; the dataset name is not read when the data is given. */
export const wideConfig: RunConfig = {
  modelName: 'wide',
  model: { name: 'wide', input: 'flat', layers: [{ type: 'dense', units: FIT_HIDDEN }, { type: 'relu' }, { type: 'dense', units: FIT_CLASSES }] },
  dataset: 'synthetic',
  validationFraction: 0.1,
  testFraction: 0.1,
  batchSize: 1,
  iterSize: 1,
  optimizer: 'momentum',
  hyper: { lr: 0.01 },
  schedule: { kind: 'constant' },
  warmupSteps: 0,
  epochs: 1,
  seed: 1,
  threads: 1,
};
