/** The CSV writer against RFC 4180: exact quoting, and a round trip of nasty strings through an independent parser. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { csvField, toCsv, type CsvCell } from './csv.js';

test('fields are quoted exactly when they hold a quote, a comma, CR or LF', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField(' spaced '), ' spaced ');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('"'), '""""');
  assert.equal(csvField('line\nbreak'), '"line\nbreak"');
  assert.equal(csvField('cr\rlf\r\n'), '"cr\rlf\r\n"');
  assert.equal(csvField(''), '""', 'the empty string, distinct from null');
  assert.equal(csvField(null), '');
  assert.equal(csvField(0.1 + 0.2), '0.30000000000000004');
  assert.equal(csvField(1e-7), '1e-7');
  assert.equal(csvField(-0), '0');
  assert.equal(csvField(NaN), 'NaN');
  assert.equal(csvField(-Infinity), '-Infinity');
  assert.equal(csvField(true), 'true');
});

test('a table is a header and rows, each line ended by CRLF', () => {
  assert.equal(toCsv(['a', 'b,c'], [[1, 'x'], [null, 'y"z']]), 'a,"b,c"\r\n1,x\r\n,"y""z"\r\n');
  assert.equal(toCsv(['only'], []), 'only\r\n');
});

/** An RFC 4180 reader written from the grammar, independent of the writer: null for an unquoted empty field. */
function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let i = 0;
  while (i < text.length) {
    const row: (string | null)[] = [];
    for (;;) {
      let field: string | null;
      if (text[i] === '"') {
        field = '';
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          assert.ok(q >= 0, 'unterminated quoted field');
          field += text.slice(i, q);
          i = q + 1;
          if (text[i] === '"') {
            field += '"';
            i++;
          } else break;
        }
      } else {
        let j = i;
        while (j < text.length && text[j] !== ',' && text[j] !== '\r' && text[j] !== '\n') j++;
        assert.ok(!text.slice(i, j).includes('"'), 'a quote inside an unquoted field');
        field = j === i ? null : text.slice(i, j);
        i = j;
      }
      row.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      assert.equal(text.slice(i, i + 2), '\r\n', `a record ends with CRLF at ${i}`);
      i += 2;
      break;
    }
    rows.push(row);
  }
  return rows;
}

test('nasty strings survive a round trip through an independent RFC 4180 parser', () => {
  const nasty = ['', ' ', ',', '"', '""', '\n', '\r', '\r\n', 'a,"b",c', '"quoted"', 'trailing,', ',leading', 'multi\nline\n"and" ,commas,', 'ünïcødé 🚀', 'tab\there', "'single'", '=1+1', 'null', 'NaN'];
  const rows: CsvCell[][] = nasty.map((s, i) => [i, s, null, s.length]);
  const parsed = parseCsv(toCsv(['i', 'text', 'nothing', 'len'], rows));
  assert.deepEqual(parsed[0], ['i', 'text', 'nothing', 'len']);
  assert.equal(parsed.length, nasty.length + 1);
  nasty.forEach((s, i) => assert.deepEqual(parsed[i + 1], [String(i), s, null, String(s.length)], JSON.stringify(s)));
});
