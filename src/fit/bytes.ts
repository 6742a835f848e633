/** Byte sizes as users write them (`2GiB`, `512MiB`, `1.5GB`, `1e9`) and as reports print them. */
import { UserError } from '../errors.js';

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

export const BYTES_FORMS = 'a number of bytes (1e9) or a number with a unit: B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g. 2GiB';

/** Whole bytes ≥ 1. `what` names the value in the error (a flag such as `--memory`). */
export function parseBytes(text: string, what = 'memory size'): number {
  const m = /^\s*(\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.round(Number(m[1]) * unit) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1) throw new UserError(`${what} must be ${BYTES_FORMS}; got "${text}"`);
  return bytes;
}

/** Binary units with one decimal (`2.0 GiB`, `37.5 MiB`), plain bytes below 1 KiB; keeps the sign. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = abs / 1024;
  while (Number(v.toFixed(1)) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${bytes < 0 ? '-' : ''}${v.toFixed(1)} ${units[i]}`;
}
