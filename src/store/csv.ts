/**
 * A CSV writer after RFC 4180: a header row, CRLF line ends, and a field in double quotes (its
 * quotes doubled) exactly when it holds a quote, a comma, a CR or an LF. Leading and trailing
 * spaces are kept as they are (RFC 4180 makes them part of the field).
 */

/**
 * What a cell may hold: numbers as JS prints them (`0.1`, `1e-7`, `NaN`), null as an empty field,
 * and the empty string as `""` so that it stays distinct from null.
 */
export type CsvCell = string | number | boolean | null;

export function csvField(v: CsvCell): string {
  if (v === null) return '';
  const s = typeof v === 'string' ? v : String(v);
  if (s === '') return '""';
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The whole table, header first, each line ended by CRLF. */
export function toCsv(columns: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const line = (cells: readonly CsvCell[]) => cells.map(csvField).join(',') + '\r\n';
  return line(columns) + rows.map(line).join('');
}
