/** Plain-text tables for terminal reports: right-aligned columns under a header and a rule. */
export function formatTable(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]) => c.map((s, i) => s.padStart(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export const fmt = (v: number, digits = 0): string => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const pct = (x: number | null | undefined, digits = 2): string => (x === undefined || x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(digits)}%`);
