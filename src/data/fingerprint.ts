/**
 * A fingerprint of a data set's examples: what a result trained on them is kept under (a sweep's
 * identity, a queued trial, recommend's kept pilots), so that a file changed in place is new data.
 */
import { createHash, type Hash } from 'node:crypto';
import type { DataSplits, Examples } from './dataset.js';

/** SHA-256 (first 16 hex digits) of every split's features and labels, and their shapes. */
export function dataFingerprint(data: DataSplits): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ numClasses: data.numClasses, featureShape: data.featureShape }));
  const add = (e: Examples, h: Hash) => {
    h.update(JSON.stringify({ count: e.count, featureShape: e.featureShape }));
    h.update(new Uint8Array(e.x.buffer, e.x.byteOffset, e.x.byteLength));
    h.update(new Uint8Array(e.y.buffer, e.y.byteOffset, e.y.byteLength));
  };
  for (const e of [data.train, data.validation, data.test]) add(e, h);
  return h.digest('hex').slice(0, 16);
}
