import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findIdxLabels, parseIdx, readIdxExamples, readIdxFile } from './idx.js';
import { makeIdx, throwsUser } from '../testing/data-fixtures.js';


test('round-trips every IDX element type', () => {
  const cases: [number, Function, number[]][] = [
    [0x08, Uint8Array, [0, 1, 127, 128, 255, 7]],
    [0x09, Int8Array, [-128, -1, 0, 1, 127, 5]],
    [0x0b, Int16Array, [-32768, -2, 0, 258, 32767, 9]],
    [0x0c, Int32Array, [-2147483648, -3, 0, 65536, 2147483647, 11]],
    [0x0d, Float32Array, [-1.5, 0, 0.25, 3.5, 1e10, -7]],
    [0x0e, Float64Array, [Math.PI, -Math.E, 0, 1e-300, 1e300, 2]],
  ];
  for (const [type, ctor, values] of cases) {
    const out = parseIdx(makeIdx(type, [2, 3], values), 'x.idx');
    assert.deepEqual(out.dims, [2, 3]);
    assert.ok(out.data instanceof ctor, `type 0x${type.toString(16)} gives ${ctor.name}`);
    assert.deepEqual(Array.from(out.data), values);
  }
});

test('parses from a Buffer view at a non-zero offset and copies the data out', () => {
  const file = makeIdx(0x0c, [3], [1, -2, 3]);
  const backing = Buffer.alloc(file.length + 5);
  backing.set(file, 5);
  const view = backing.subarray(5);
  const out = parseIdx(view, 'x.idx');
  assert.deepEqual(Array.from(out.data), [1, -2, 3]);
  backing.fill(0);
  assert.deepEqual(Array.from(out.data), [1, -2, 3]);
  const bytes = parseIdx(Buffer.from(makeIdx(0x08, [2], [4, 5])), 'b.idx');
  assert.equal(bytes.data.constructor, Uint8Array);
});

test('each malformed header is a one-line UserError naming the file and offset', () => {
  throwsUser(() => parseIdx(new Uint8Array([0, 0, 8]), 'short.idx'), /^short\.idx: truncated IDX file: the header needs 4 bytes at offset 0, file has 3$/);
  throwsUser(
    () => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), 'mnist.idx'),
    /^mnist\.idx: bad magic bytes 0x1f8b at offset 0 \(is it still gzip-compressed\? gunzip it first\)$/,
  );
  throwsUser(() => parseIdx(new Uint8Array([0x50, 0x4b, 3, 4]), 'z.idx'), /^z\.idx: bad magic bytes 0x504b at offset 0 \(an IDX file starts with two zero bytes\)$/);
  throwsUser(() => parseIdx(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0]), 't.idx'), /^t\.idx: unknown IDX type byte 0x0a at offset 2 \(expected 0x08 ubyte/);
  throwsUser(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'd.idx'), /^d\.idx: IDX header declares 0 dimensions \(byte at offset 3\)$/);
  throwsUser(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1]), 'h.idx'), /^h\.idx: truncated IDX file: header says 3 dimensions \(12 bytes at offset 4\), file has 8$/);
});

test('truncated and over-long data name the offset and sizes', () => {
  const header = makeIdx(0x08, [60000, 28, 28], []);
  const file = new Uint8Array(1000);
  file.set(header);
  throwsUser(() => parseIdx(file, 'mnist.idx'), /^mnist\.idx: truncated IDX file: header says 47040000 data bytes at offset 16 \(dims \[60000, 28, 28\] of ubyte\), file has 1000$/);
  const floats = makeIdx(0x0d, [2, 2], [1, 2, 3]);
  throwsUser(() => parseIdx(floats, 'f.idx'), /^f\.idx: truncated IDX file: header says 16 data bytes at offset 12 .* file has 24$/);
  const long = new Uint8Array(makeIdx(0x08, [3], [1, 2, 3]).length + 2);
  long.set(makeIdx(0x08, [3], [1, 2, 3]));
  throwsUser(() => parseIdx(long, 'l.idx'), /^l\.idx: 2 trailing bytes at offset 11: header says 3 data bytes \(dims \[3\] of ubyte\) at offset 8$/);
  throwsUser(() => parseIdx(makeIdx(0x0e, [4294967295, 4294967295], []), 'huge.idx'), /header says 147573952520956936200 data bytes at offset 12/);
});

test('readIdxFile: missing file and a real file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idx-'));
  throwsUser(() => readIdxFile(join(dir, 'nope.idx')), new RegExp(`^no such file: ${join(dir, 'nope.idx')}$`));
  throwsUser(() => readIdxFile(dir), /is a directory/);
  writeFileSync(join(dir, 'a.idx'), makeIdx(0x0b, [1, 2], [-5, 300]));
  assert.deepEqual(Array.from(readIdxFile(join(dir, 'a.idx')).data), [-5, 300]);
});

test('readIdxExamples pairs images with labels and scales ubyte pixels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idx-'));
  const images = join(dir, 'train-images-idx3-ubyte');
  writeFileSync(images, makeIdx(0x08, [2, 2, 2], [0, 51, 102, 255, 255, 0, 0, 0]));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), makeIdx(0x08, [2], [3, 1]));
  const labels = findIdxLabels(images);
  assert.equal(labels, join(dir, 'train-labels-idx1-ubyte'));
  const ex = readIdxExamples(images, labels);
  assert.equal(ex.count, 2);
  assert.equal(ex.height, 2);
  assert.equal(ex.width, 2);
  assert.equal(ex.maxLabel, 3);
  assert.deepEqual(Array.from(ex.y), [3, 1]);
  assert.deepEqual(Array.from(ex.x), [0, 0.2, 0.4, 1, 1, 0, 0, 0].map((v) => Math.fround(v)));

  writeFileSync(join(dir, 'my.images.idx'), makeIdx(0x08, [2, 1, 1], [1, 2]));
  throwsUser(() => findIdxLabels(join(dir, 'my.images.idx')), new RegExp(`^no labels file for IDX images .*my\\.images\\.idx: .*my\\.labels\\.idx does not exist$`));
  throwsUser(() => findIdxLabels(join(dir, 'pics.idx')), /name must contain "images"/);
  writeFileSync(join(dir, 'my.labels.idx'), makeIdx(0x08, [3], [0, 1, 1]));
  throwsUser(() => readIdxExamples(join(dir, 'my.images.idx'), join(dir, 'my.labels.idx')), /my\.images\.idx has 2 images but .*my\.labels\.idx has 3 labels$/);
  writeFileSync(join(dir, 'neg.labels.idx'), makeIdx(0x09, [2], [0, -1]));
  throwsUser(() => readIdxExamples(join(dir, 'my.images.idx'), join(dir, 'neg.labels.idx')), /label -1 at index 1 is not a class index/);
  writeFileSync(join(dir, 'flat.images.idx'), makeIdx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]));
  throwsUser(() => readIdxExamples(join(dir, 'flat.images.idx'), join(dir, 'neg.labels.idx')), /must have 3 dimensions \(count, height, width\), header says \[2, 3\]/);
});
