/**
 * The IDX format (MNIST and friends): a 4-byte magic (0, 0, type, ndims), ndims big-endian
 * uint32 sizes, then the big-endian data. Everything the user's file can get wrong is a UserError
 * that names the file and the byte offset, so a bad download is diagnosed without a hex editor.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { readUserFile } from './files.js';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dims: number[];
  data: IdxData;
}

interface IdxType {
  readonly name: string;
  readonly size: number;
  /** Decodes `n` big-endian elements starting at byte `off` into a fresh array (never a view of the file). */
  decode(bytes: Uint8Array, off: number, n: number): IdxData;
}

function bigEndian<T extends Int16Array | Int32Array | Float32Array | Float64Array>(
  make: (n: number) => T,
  size: number,
  get: (v: DataView, at: number) => number,
): (bytes: Uint8Array, off: number, n: number) => T {
  return (bytes, off, n) => {
    const out = make(n);
    const view = new DataView(bytes.buffer, bytes.byteOffset + off, n * size);
    for (let i = 0; i < n; i++) out[i] = get(view, i * size);
    return out;
  };
}

const TYPES: ReadonlyMap<number, IdxType> = new Map<number, IdxType>([
  [0x08, { name: 'ubyte', size: 1, decode: (b, off, n) => new Uint8Array(b.subarray(off, off + n)) }],
  [0x09, { name: 'byte', size: 1, decode: (b, off, n) => new Int8Array(new Uint8Array(b.subarray(off, off + n)).buffer) }],
  [0x0b, { name: 'short', size: 2, decode: bigEndian((n) => new Int16Array(n), 2, (v, at) => v.getInt16(at, false)) }],
  [0x0c, { name: 'int', size: 4, decode: bigEndian((n) => new Int32Array(n), 4, (v, at) => v.getInt32(at, false)) }],
  [0x0d, { name: 'float', size: 4, decode: bigEndian((n) => new Float32Array(n), 4, (v, at) => v.getFloat32(at, false)) }],
  [0x0e, { name: 'double', size: 8, decode: bigEndian((n) => new Float64Array(n), 8, (v, at) => v.getFloat64(at, false)) }],
]);

const hex = (b: number): string => b.toString(16).padStart(2, '0');

export function parseIdx(bytes: Uint8Array, fileName: string): IdxArray {
  const fail = (msg: string): never => {
    throw new UserError(`${fileName}: ${msg}`);
  };
  if (bytes.length < 4) fail(`truncated IDX file: the header needs 4 bytes at offset 0, file has ${bytes.length}`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
    const hint = gzip ? 'is it still gzip-compressed? gunzip it first' : 'an IDX file starts with two zero bytes';
    fail(`bad magic bytes 0x${hex(bytes[0]!)}${hex(bytes[1]!)} at offset 0 (${hint})`);
  }
  const typeByte = bytes[2]!;
  const type =
    TYPES.get(typeByte) ??
    fail(
      `unknown IDX type byte 0x${hex(typeByte)} at offset 2 ` +
        '(expected 0x08 ubyte, 0x09 byte, 0x0b short, 0x0c int, 0x0d float or 0x0e double)',
    );
  const ndims = bytes[3]!;
  if (ndims === 0) fail('IDX header declares 0 dimensions (byte at offset 3)');
  const dataOffset = 4 + 4 * ndims;
  if (bytes.length < dataOffset) {
    fail(`truncated IDX file: header says ${ndims} dimensions (${4 * ndims} bytes at offset 4), file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  // BigInt so that absurd dims from a corrupt header still print an exact byte count.
  let dataBytes = BigInt(type.size);
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    dataBytes *= BigInt(d);
  }
  const available = BigInt(bytes.length - dataOffset);
  if (dataBytes > available) {
    fail(
      `truncated IDX file: header says ${dataBytes} data bytes at offset ${dataOffset} ` +
        `(dims [${dims.join(', ')}] of ${type.name}), file has ${bytes.length}`,
    );
  }
  if (dataBytes < available) {
    const end = dataOffset + Number(dataBytes);
    fail(
      `${bytes.length - end} trailing bytes at offset ${end}: header says ${dataBytes} data bytes ` +
        `(dims [${dims.join(', ')}] of ${type.name}) at offset ${dataOffset}`,
    );
  }
  return { dims, data: type.decode(bytes, dataOffset, Number(dataBytes) / type.size) };
}

export function readIdxFile(path: string): IdxArray {
  return parseIdx(readUserFile(path), path);
}

/**
 * The labels file that goes with an IDX images file: "images" becomes "labels" in the base name,
 * and MNIST's own naming (train-images-idx3-ubyte → train-labels-idx1-ubyte) is tried as well.
 */
export function findIdxLabels(imagesPath: string): string {
  const base = basename(imagesPath);
  const at = base.lastIndexOf('images');
  if (at < 0) {
    throw new UserError(
      `${imagesPath}: cannot find the labels file: an IDX images file's name must contain "images", ` +
        'and the labels file is the same name with "labels" instead',
    );
  }
  const swapped = base.slice(0, at) + 'labels' + base.slice(at + 'images'.length);
  const candidates = [swapped, swapped.replace(/idx3/i, 'idx1')]
    .filter((name, i, all) => all.indexOf(name) === i)
    .map((name) => join(dirname(imagesPath), name));
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) {
    throw new UserError(`no labels file for IDX images ${imagesPath}: ${candidates.join(' or ')} does not exist`);
  }
  return found;
}

/** Labels beyond this are almost surely a wrong file, and would size the model's output layer. */
export const MAX_CLASSES = 65536;

/** Examples read from an IDX images file and its labels file. */
export interface IdxExamples {
  /** Row-major [count, height, width]; ubyte pixels scaled to [0, 1], other types as stored. */
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly maxLabel: number;
}

export function readIdxExamples(imagesPath: string, labelsPath: string): IdxExamples {
  const images = readIdxFile(imagesPath);
  const labels = readIdxFile(labelsPath);
  if (images.dims.length !== 3) {
    throw new UserError(
      `${imagesPath}: an IDX images file must have 3 dimensions (count, height, width), header says [${images.dims.join(', ')}]`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new UserError(
      `${labelsPath}: an IDX labels file must have 1 dimension (count), header says [${labels.dims.join(', ')}]`,
    );
  }
  if (labels.data instanceof Float32Array || labels.data instanceof Float64Array) {
    throw new UserError(`${labelsPath}: labels must be integers (ubyte, byte, short or int), the file holds floats`);
  }
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new UserError(`${imagesPath} has ${count} images but ${labelsPath} has ${labels.dims[0]} labels`);
  }
  let maxLabel = 0;
  for (let i = 0; i < count; i++) {
    const l = labels.data[i]!;
    if (l < 0 || l >= MAX_CLASSES) {
      throw new UserError(`${labelsPath}: label ${l} at index ${i} is not a class index (0 to ${MAX_CLASSES - 1})`);
    }
    if (l > maxLabel) maxLabel = l;
  }
  const x = new Float32Array(images.data.length);
  if (images.data instanceof Uint8Array) {
    for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / 255;
  } else {
    x.set(images.data);
    const bad = x.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new UserError(`${imagesPath}: element ${bad} is ${images.data[bad]}, not a finite number`);
  }
  return { x, y: Int32Array.from(labels.data), count, height, width, maxLabel };
}
