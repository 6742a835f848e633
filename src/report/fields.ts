/**
 * Reading a run's stored `config`, `summary` and `detail` JSON, which the store keeps as
 * `unknown`: each figure is looked up by path and checked, so a run written by an older (or a
 * still running) command shows what it has instead of throwing.
 */
export type Json = unknown;

/** The value at `path` (dotted keys), or undefined where any step is missing. */
export function at(value: Json, path: string): Json {
  let v: Json = value;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, Json>)[key];
  }
  return v;
}

export function numAt(value: Json, path: string): number | null {
  const v = at(value, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function strAt(value: Json, path: string): string | null {
  const v = at(value, path);
  return typeof v === 'string' ? v : null;
}

export function arrayAt(value: Json, path: string): Json[] {
  const v = at(value, path);
  return Array.isArray(v) ? v : [];
}

/** Short figures for cards and captions: whole numbers with thousands separators, others to 4 significant digits. */
export function figure(v: number | null | undefined, unit = ''): string {
  if (v === null || v === undefined) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : String(v);
  const text = Number.isInteger(v) ? v.toLocaleString('en-US') : Number(v.toPrecision(4)).toLocaleString('en-US', { maximumSignificantDigits: 4 });
  return unit === '' ? text : `${text} ${unit}`;
}

export const percent = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(2)}%`);

export function mebibytes(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? '–' : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** `n` values from lo to hi evenly spaced in log B (both ends included). */
export function logGrid(lo: number, hi: number, n: number): number[] {
  if (!(lo > 0) || !(hi > lo)) return lo > 0 ? [lo] : [];
  const a = Math.log(lo);
  const b = Math.log(hi);
  // The ends exactly, so the curve is evaluated at the swept sizes themselves.
  return Array.from({ length: n }, (_, i) => (i === 0 ? lo : i === n - 1 ? hi : Math.exp(a + ((b - a) * i) / (n - 1))));
}
