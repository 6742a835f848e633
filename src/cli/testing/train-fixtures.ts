/** The small seeded CSV and model the `train` CLI tests share (not a test file itself). */
import { join } from 'node:path';
import { after, before } from 'node:test';
import { makeBlobs, makeTempDir, removeDir, runCli, splitSizes, writeBlobsCsv, writeJson, type Blobs, type CliRun } from './cli-fixtures.js';

export const ROWS = 600;
export const FEATURES = 10;
export const CLASSES = 3;
export const SIZES = splitSizes(ROWS, 1 / 12, 0.1); // the default fractions
export const HIDDEN = 16;
export const stepsPerEpoch = (batch: number, iter = 1) => Math.floor(SIZES.train / (batch * iter));

/**
 * A temporary folder with blobs.csv (600 rows × 10 features, 3 Gaussian blobs) and mlp.json
 * (dense 16, relu, dense 3), made before the file's tests and removed after them.
 */
export function trainFolder(): { dir: () => string; blobs: () => Blobs; train: (...args: string[]) => CliRun } {
  let dir = '';
  let blobs: Blobs | null = null;
  before(() => {
    dir = makeTempDir();
    blobs = makeBlobs({ rows: ROWS, features: FEATURES, classes: CLASSES, seed: 2024, separation: 3 });
    writeBlobsCsv(join(dir, 'blobs.csv'), blobs);
    writeJson(join(dir, 'mlp.json'), { layers: [{ type: 'dense', units: HIDDEN }, { type: 'relu' }, { type: 'dense', units: CLASSES }] });
  });
  after(() => removeDir(dir));
  return {
    dir: () => dir,
    blobs: () => blobs!,
    train: (...args) => runCli(['train', '--model', 'mlp.json', '--dataset', 'blobs.csv', '--threads', '1', ...args], dir),
  };
}
