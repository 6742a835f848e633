/**
 * Turns the --dataset argument into the three normalised splits a run uses. Splits and
 * normalisation are pure functions of the data and the seed, so two runs with the same seed
 * see identical train/validation/test examples.
 */
import { basename } from 'node:path';
import { UserError } from '../errors.js';
import { Rng } from '../rng.js';
import type { DataSplits, Examples, Normalization } from './dataset.js';
import { readCsvFile } from './csv.js';
import { findIdxLabels, readIdxExamples, type IdxExamples } from './idx.js';
import { loadMnist, MNIST_CLASSES } from './mnist.js';

export interface LoadOptions {
  /** `mnist`, a `.csv` file, or an IDX images file (its labels file is found beside it). */
  dataset: string;
  /** Share of the training examples held out for validation, in [0, 0.5]. */
  validationFraction: number;
  /** Share of the examples held out for testing when the data has no test set of its own, in [0, 0.5]. */
  testFraction: number;
  seed: number;
  /** Images as [1, H, W] (for conv nets) instead of flat [H*W]. CSV is always flat. */
  imageShape?: boolean;
  /** CSV only: see CsvOptions.labelColumn. */
  labelColumn?: string | number;
  /** A separate test set in the same format as `dataset`, instead of holding out testFraction. */
  testFile?: string;
}

export type DatasetKind = 'mnist' | 'csv' | 'idx';

export function datasetKind(dataset: string): DatasetKind {
  if (dataset === 'mnist') return 'mnist';
  const base = basename(dataset).toLowerCase();
  if (base.endsWith('.csv')) return 'csv';
  if (base.endsWith('.gz')) throw new UserError(`${dataset} is gzip-compressed; gunzip it first`);
  // MNIST-style names (train-images-idx3-ubyte) as well as plain .idx / .idx3 extensions.
  if (/(^|[._-])idx\d*([._-]ubyte)?$/.test(base) || /[._-]ubyte$/.test(base)) return 'idx';
  throw new UserError(
    `unknown dataset "${dataset}": expected mnist, a .csv file, or an IDX images file (*.idx, *-images-idx3-ubyte)`,
  );
}

/** Raw (unnormalised) labelled examples before splitting. */
interface Pool {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
}

interface Source {
  readonly numClasses: number;
  readonly featureShape: number[];
  readonly pool: Pool;
  /** The data's own test set; null means hold out testFraction of the pool. */
  readonly test: Pool | null;
  /** Per-feature statistics for tabular data; one global mean/std for pixels, whose columns share a scale. */
  readonly perFeature: boolean;
}

// A fixed sub-stream, so that the split does not move when other seeded choices change.
const SPLIT_STREAM = 0x73706c74;

export interface SplitIndices {
  readonly train: Int32Array;
  readonly validation: Int32Array;
  readonly test: Int32Array;
}

/**
 * A seeded partition of 0..n-1: first round(n*testFraction) for test, then
 * round(rest*validationFraction) for validation, the remainder for training; each sorted.
 */
export function splitIndices(n: number, validationFraction: number, testFraction: number, seed: number): SplitIndices {
  const perm = Rng.derive(seed, SPLIT_STREAM).permutation(n);
  const nTest = Math.round(n * testFraction);
  const nValidation = Math.round((n - nTest) * validationFraction);
  const part = (from: number, to: number): Int32Array => perm.slice(from, to).sort();
  return {
    test: part(0, nTest),
    validation: part(nTest, nTest + nValidation),
    train: part(nTest + nValidation, n),
  };
}

function checkFraction(what: string, f: number): void {
  if (!(f >= 0 && f <= 0.5)) throw new UserError(`${what} must be between 0 and 0.5, got ${f}`);
}

export function loadDataset(opts: LoadOptions): DataSplits {
  checkFraction('validation fraction', opts.validationFraction);
  checkFraction('test fraction', opts.testFraction);
  const kind = datasetKind(opts.dataset);
  const name = kind === 'mnist' ? 'mnist' : basename(opts.dataset);
  if (opts.testFile !== undefined) {
    if (kind === 'mnist') throw new UserError('mnist has its own test set; a test file applies only to CSV and IDX datasets');
    if (datasetKind(opts.testFile) !== kind) {
      throw new UserError(`test file ${opts.testFile} must be the same format as ${opts.dataset} (${kind})`);
    }
  }
  const source =
    kind === 'mnist' ? mnistSource(opts) : kind === 'csv' ? csvSource(opts) : idxSource(opts);

  const n = source.pool.count;
  const split = splitIndices(n, opts.validationFraction, source.test ? 0 : opts.testFraction, opts.seed);
  const sizes = `${name} has ${n} ${source.test ? 'training ' : ''}examples`;
  if (split.test.length === 0 && !source.test) {
    throw new UserError(`${sizes}; a test fraction of ${opts.testFraction} leaves the test split empty`);
  }
  if (split.validation.length === 0) {
    throw new UserError(`${sizes}; a validation fraction of ${opts.validationFraction} leaves the validation split empty`);
  }
  if (split.train.length === 0) {
    throw new UserError(`${sizes}; after holding out validation and test examples the training split is empty`);
  }

  const featureSize = source.featureShape.reduce((a, b) => a * b, 1);
  const take = (pool: Pool, idx: Int32Array | null): Examples => {
    // The source's own arrays are private to this call, so a whole pool is used without a copy.
    if (idx === null) return { x: pool.x, y: pool.y, count: pool.count, featureShape: source.featureShape };
    const x = new Float32Array(idx.length * featureSize);
    const y = new Int32Array(idx.length);
    for (let r = 0; r < idx.length; r++) {
      const from = idx[r]! * featureSize;
      x.set(pool.x.subarray(from, from + featureSize), r * featureSize);
      y[r] = pool.y[idx[r]!]!;
    }
    return { x, y, count: idx.length, featureShape: source.featureShape };
  };
  const train = take(source.pool, split.train);
  const validation = take(source.pool, split.validation);
  const test = source.test ? take(source.test, null) : take(source.pool, split.test);

  // Fitted on train only, so nothing about validation or test leaks into training.
  const normalization = fitNormalization(train.x, train.count, source.perFeature ? featureSize : 1);
  for (const s of [train, validation, test]) applyNormalization(s.x, normalization);
  return { name, numClasses: source.numClasses, featureShape: source.featureShape, train, validation, test, normalization };
}

/** Mean and population std per feature (or one of each when `features` is 1); std 0 becomes 1. */
export function fitNormalization(x: Float32Array, count: number, features: number): Normalization {
  const perRow = x.length / count;
  const rows = features === 1 ? x.length : count;
  const mean = new Float64Array(features);
  const sq = new Float64Array(features);
  // Two passes in float64: one pass with sum of squares loses the std of pixel data to cancellation.
  for (let i = 0; i < x.length; i += perRow) {
    for (let k = 0; k < perRow; k++) mean[features === 1 ? 0 : k]! += x[i + k]!;
  }
  for (let f = 0; f < features; f++) mean[f]! /= rows;
  for (let i = 0; i < x.length; i += perRow) {
    for (let k = 0; k < perRow; k++) {
      const d = x[i + k]! - mean[features === 1 ? 0 : k]!;
      sq[features === 1 ? 0 : k]! += d * d;
    }
  }
  const std = new Float32Array(features);
  for (let f = 0; f < features; f++) std[f] = Math.sqrt(sq[f]! / rows) || 1;
  return { mean: Float32Array.from(mean), std };
}

export function applyNormalization(x: Float32Array, norm: Normalization): void {
  const f = norm.mean.length;
  for (let i = 0; i < x.length; i++) x[i] = (x[i]! - norm.mean[i % f]!) / norm.std[i % f]!;
}

function mnistSource(opts: LoadOptions): Source {
  const { train, test } = loadMnist();
  return {
    numClasses: MNIST_CLASSES,
    featureShape: opts.imageShape ? [1, 28, 28] : [28 * 28],
    pool: train,
    test,
    perFeature: false,
  };
}

function idxSource(opts: LoadOptions): Source {
  const train = readIdxExamples(opts.dataset, findIdxLabels(opts.dataset));
  const seen = new Uint8Array(train.maxLabel + 1);
  for (const l of train.y) seen[l] = 1;
  if (seen.reduce((a, b) => a + b, 0) < 2) {
    throw new UserError(`${opts.dataset}: every label is ${train.maxLabel}; a classifier needs at least 2 classes`);
  }
  const numClasses = train.maxLabel + 1;
  let test: IdxExamples | null = null;
  if (opts.testFile !== undefined) {
    test = readIdxExamples(opts.testFile, findIdxLabels(opts.testFile));
    if (test.height !== train.height || test.width !== train.width) {
      throw new UserError(
        `${opts.testFile} has ${test.height}x${test.width} images but ${opts.dataset} has ${train.height}x${train.width}`,
      );
    }
    if (test.maxLabel >= numClasses) {
      throw new UserError(`${opts.testFile}: label ${test.maxLabel} is not a class of ${opts.dataset} (0 to ${numClasses - 1})`);
    }
  }
  return {
    numClasses,
    featureShape: opts.imageShape ? [1, train.height, train.width] : [train.height * train.width],
    pool: train,
    test,
    perFeature: false,
  };
}

function csvSource(opts: LoadOptions): Source {
  const csvOpts = opts.labelColumn === undefined ? {} : { labelColumn: opts.labelColumn };
  const train = readCsvFile(opts.dataset, csvOpts);
  const asPool = (t: typeof train): Pool => ({ x: t.features, y: t.labels, count: t.count });
  let test: Pool | null = null;
  if (opts.testFile !== undefined) {
    const t = readCsvFile(opts.testFile, { ...csvOpts, classNames: train.classNames });
    if (t.featureCount !== train.featureCount) {
      throw new UserError(
        `${opts.testFile} has ${t.featureCount} feature columns but ${opts.dataset} has ${train.featureCount}`,
      );
    }
    test = asPool(t);
  }
  return {
    numClasses: train.numClasses,
    featureShape: [train.featureCount],
    pool: asPool(train),
    test,
    perFeature: true,
  };
}
