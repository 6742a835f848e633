/** Helpers shared by the data tests (not a test file itself, so `node --test` does not run it). */
import assert from 'node:assert/strict';
import { UserError } from '../errors.js';

/** Asserts a one-line UserError whose message matches `re`, showing the actual message on failure. */
export function throwsUser(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.match(e.message, re);
    assert.ok(!e.message.includes('\n'), 'message is one line');
    return true;
  });
}

const SIZES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** Builds an IDX file by hand, big-endian, independently of the parser. */
export function makeIdx(type: number, dims: number[], values: number[]): Uint8Array {
  const size = SIZES[type]!;
  const buf = new Uint8Array(4 + 4 * dims.length + size * values.length);
  const v = new DataView(buf.buffer);
  buf[2] = type;
  buf[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  const off = 4 + 4 * dims.length;
  values.forEach((x, i) => {
    const at = off + i * size;
    if (type === 0x08) v.setUint8(at, x);
    else if (type === 0x09) v.setInt8(at, x);
    else if (type === 0x0b) v.setInt16(at, x, false);
    else if (type === 0x0c) v.setInt32(at, x, false);
    else if (type === 0x0d) v.setFloat32(at, x, false);
    else v.setFloat64(at, x, false);
  });
  return buf;
}

