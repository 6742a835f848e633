/**
 * Plain-text tables for terminal reports: a header, a rule, and the rows, columns two spaces
 * apart; right-aligned unless `align` says 'l' for a column. Widths count code points.
 */
export type Align = 'l' | 'r';

export function formatTable(head: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string[] {
  const all = [head, ...rows];
  const width = (s: string) => [...s].length;
  const widths = head.map((_, i) => Math.max(...all.map((c) => width(c[i] ?? ''))));
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(widths[i]! - width(s));
    return align[i] === 'l' ? s + fill : fill + s;
  };
  const line = (c: readonly string[]) => c.map(pad).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export const fmt = (v: number, digits = 0): string => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const pct = (x: number | null | undefined, digits = 2): string => (x === undefined || x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(digits)}%`);
