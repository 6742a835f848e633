/**
 * CSV of numeric features and one label column. No CSV package is installed, so this is a small
 * RFC 4180 reader (quotes, "" escapes, quoted newlines, \r\n) plus the checks that make a bad
 * file fail with the file, line and column instead of NaNs in training.
 */
import { UserError } from '../errors.js';
import { readUserFile } from './files.js';
import { MAX_CLASSES } from './idx.js';

export interface CsvOptions {
  /**
   * A header name, or a 0-based column index (negative counts from the end; a string of digits
   * that is not a header name is an index too). Default: the last column.
   */
  labelColumn?: string | number;
  /**
   * Fixes the label → class mapping (a test file must use the training file's classes); a label
   * outside it is an error. Default: derived from this file's labels.
   */
  classNames?: readonly string[];
}

export interface CsvTable {
  /** Row-major [count, featureCount], columns in file order without the label column. */
  readonly features: Float32Array;
  readonly labels: Int32Array;
  readonly featureCount: number;
  readonly count: number;
  readonly numClasses: number;
  /** classNames[k] is the label text of class k ("0".."max" for integer labels). */
  readonly classNames: string[];
  /** The header's feature names, or null when the file has no header row. */
  readonly featureNames: string[] | null;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const FLOAT32_MAX = 3.4028234663852886e38;

/** Calls `onRecord` with each record's trimmed cells and the line it starts on; blank lines are skipped. */
function forEachRecord(text: string, fileName: string, onRecord: (cells: string[], line: number) => void): void {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // BOM from spreadsheet exports
  let line = 1;
  while (i < n) {
    const startLine = line;
    const cells: string[] = [];
    let blank = true;
    for (;;) {
      let c = text.charCodeAt(i);
      while (c === 32 || c === 9) c = text.charCodeAt(++i);
      if (c === 34) {
        blank = false;
        const column = cells.length + 1;
        const openLine = line;
        let value = '';
        for (i++; ; ) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new UserError(`${fileName} line ${openLine}, column ${column}: quoted cell is never closed`);
          const chunk = text.slice(i, q);
          value += chunk;
          for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
          if (text.charCodeAt(q + 1) === 34) {
            value += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        cells.push(value);
        c = text.charCodeAt(i);
        while (c === 32 || c === 9 || c === 13) c = text.charCodeAt(++i);
        if (i >= n) break;
        i++;
        if (c === 44) continue;
        if (c === 10) {
          line++;
          break;
        }
        throw new UserError(`${fileName} line ${line}, column ${column}: unexpected text after the closing quote`);
      }
      let j = i;
      while (j < n && c !== 44 && c !== 10) c = text.charCodeAt(++j);
      const cell = text.slice(i, j).trim();
      if (cell !== '') blank = false;
      cells.push(cell);
      i = j + 1;
      if (j >= n) break;
      if (c === 10) {
        line++;
        break;
      }
    }
    if (!(blank && cells.length === 1)) onRecord(cells, startLine);
  }
}

function resolveLabelColumn(spec: string | number | undefined, first: string[], fileName: string): {
  index: number;
  byName: boolean;
} {
  const width = first.length;
  if (spec === undefined) return { index: width - 1, byName: false };
  if (typeof spec === 'string') {
    const numeric = INTEGER.test(spec.trim());
    // "3" names a header cell only when line 1 is a header; in a data line it is a value.
    const named = numeric && first.every((c) => NUMBER.test(c)) ? -1 : first.indexOf(spec.trim());
    if (named >= 0) return { index: named, byName: true };
    if (!numeric) {
      throw new UserError(
        `${fileName}: no column named "${spec}" for the label; the first line is: ${first.map((c) => `"${c}"`).join(', ')}`,
      );
    }
  }
  const k = Number(spec);
  if (!Number.isInteger(k) || k >= width || k < -width) {
    throw new UserError(
      `${fileName}: label column index ${spec} is out of range: line 1 has ${width} columns ` +
        `(indices 0 to ${width - 1}, or -${width} to -1 from the end)`,
    );
  }
  return { index: k < 0 ? width + k : k, byName: false };
}

export function parseCsv(text: string, fileName: string, opts: CsvOptions = {}): CsvTable {
  let width = -1;
  let labelIndex = -1;
  // Assigned inside the record callback, so declared wide to stop null-narrowing after it.
  let header = null as string[] | null;
  let features = new Float32Array(0);
  let used = 0;
  const labelCells: string[] = [];
  const labelLines: number[] = [];
  const where = (line: number, col: number): string =>
    `${fileName} line ${line}, column ${col + 1}` + (header ? ` ("${header[col]}")` : '');

  forEachRecord(text, fileName, (cells, line) => {
    if (width < 0) {
      width = cells.length;
      if (width < 2) {
        throw new UserError(`${fileName} line ${line}: 1 column; need at least one feature column and a label column`);
      }
      const label = resolveLabelColumn(opts.labelColumn, cells, fileName);
      labelIndex = label.index;
      if (label.byName || cells.some((c, k) => k !== labelIndex && !NUMBER.test(c))) {
        header = cells;
        return;
      }
    }
    if (cells.length !== width) {
      throw new UserError(
        `${fileName} line ${line}: ${cells.length} cells, expected ${width} like the ${header ? 'header' : 'first line'}`,
      );
    }
    if (used + width > features.length) {
      const grown = new Float32Array(Math.max(1024 * width, features.length * 2));
      grown.set(features.subarray(0, used));
      features = grown;
    }
    for (let k = 0; k < width; k++) {
      if (k === labelIndex) continue;
      const cell = cells[k]!;
      const v = NUMBER.test(cell) ? Number(cell) : NaN;
      if (Number.isNaN(v)) throw new UserError(`${where(line, k)}: ${cell === '' ? 'empty cell' : `"${cell}"`} is not a number`);
      if (!(Math.abs(v) <= FLOAT32_MAX)) throw new UserError(`${where(line, k)}: ${cell} is too large for a float32`);
      features[used++] = v;
    }
    labelCells.push(cells[labelIndex]!);
    labelLines.push(line);
  });

  if (width < 0) throw new UserError(`${fileName}: empty file`);
  const count = labelCells.length;
  if (count === 0) throw new UserError(`${fileName}: no data rows after the header line`);

  const labels = new Int32Array(count);
  let classNames: string[];
  if (opts.classNames) {
    classNames = [...opts.classNames];
    const index = new Map(classNames.map((name, k) => [name, k]));
    for (let r = 0; r < count; r++) {
      const cell = labelCells[r]!;
      const k = index.get(cell) ?? (INTEGER.test(cell) ? index.get(String(Number(cell))) : undefined);
      if (k === undefined) {
        throw new UserError(
          `${where(labelLines[r]!, labelIndex)}: label "${cell}" is not one of the training classes (${describe(classNames)})`,
        );
      }
      labels[r] = k;
    }
  } else if (labelCells.every((c) => INTEGER.test(c))) {
    let max = 0;
    for (let r = 0; r < count; r++) {
      const v = Number(labelCells[r]);
      if (v < 0 || v >= MAX_CLASSES) {
        throw new UserError(`${where(labelLines[r]!, labelIndex)}: integer label ${v} is not a class index (0 to ${MAX_CLASSES - 1})`);
      }
      labels[r] = v;
      if (v > max) max = v;
    }
    classNames = Array.from({ length: max + 1 }, (_, k) => String(k));
  } else {
    const empty = labelCells.indexOf('');
    if (empty >= 0) throw new UserError(`${where(labelLines[empty]!, labelIndex)}: empty label`);
    // Code-unit order, not locale order, so the class indices do not depend on the machine.
    classNames = [...new Set(labelCells)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const index = new Map(classNames.map((name, k) => [name, k]));
    for (let r = 0; r < count; r++) labels[r] = index.get(labelCells[r]!)!;
  }

  if (!opts.classNames) {
    const distinct = [...new Set(labels)];
    if (distinct.length < 2) {
      const labelName = header ? ` ("${header[labelIndex]}")` : '';
      throw new UserError(
        `${fileName}: the label column ${labelIndex + 1}${labelName} has only one class ("${classNames[distinct[0]!]}"); ` +
          'a classifier needs at least 2',
      );
    }
  }

  const featureNames = header ? header.filter((_, k) => k !== labelIndex) : null;
  return {
    features: features.slice(0, used),
    labels,
    featureCount: width - 1,
    count,
    numClasses: classNames.length,
    classNames,
    featureNames,
  };
}

function describe(names: readonly string[]): string {
  const shown = names.slice(0, 10).map((n) => `"${n}"`).join(', ');
  return names.length > 10 ? `${shown}, ... ${names.length} in all` : shown;
}

export function readCsvFile(path: string, opts: CsvOptions = {}): CsvTable {
  return parseCsv(readUserFile(path).toString('utf8'), path, opts);
}
