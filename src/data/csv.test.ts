import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, readCsvFile } from './csv.js';
import { throwsUser } from '../testing/data-fixtures.js';

test('headerless numeric CSV: last column is the integer label', () => {
  const t = parseCsv('1,2,0\n3.5,-4e-1,2\n  .5 , 6 ,1\n', 'a.csv');
  assert.equal(t.count, 3);
  assert.equal(t.featureCount, 2);
  assert.deepEqual(Array.from(t.features), [1, 2, 3.5, Math.fround(-0.4), 0.5, 6]);
  assert.deepEqual(Array.from(t.labels), [0, 2, 1]);
  assert.equal(t.numClasses, 3);
  assert.deepEqual(t.classNames, ['0', '1', '2']);
  assert.equal(t.featureNames, null);
});

test('integer labels are used as is: numClasses is max + 1', () => {
  const t = parseCsv('1,3\n2,7\n', 'a.csv');
  assert.deepEqual(Array.from(t.labels), [3, 7]);
  assert.equal(t.numClasses, 8);
});

test('header detected from a non-numeric feature cell; string labels map in sorted order', () => {
  const text = 'sepal,petal,species\r\n5.1,1.4,setosa\r\n7.0,4.7,versicolor\r\n6.3,6.0,virginica\r\n4.9,1.4,setosa\r\n\r\n\n';
  const t = parseCsv(text, 'iris.csv');
  assert.deepEqual(t.featureNames, ['sepal', 'petal']);
  assert.equal(t.count, 4);
  assert.deepEqual(t.classNames, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(Array.from(t.labels), [0, 1, 2, 0]);
  assert.deepEqual(Array.from(t.features), [5.1, 1.4, 7.0, 4.7, 6.3, 6.0, 4.9, 1.4].map(Math.fround));
  // String labels on a headerless file: only the label column is non-numeric, so no header.
  const u = parseCsv('1,b\n2,a\n3,b\n', 'u.csv');
  assert.equal(u.count, 3);
  assert.deepEqual(u.classNames, ['a', 'b']);
  assert.deepEqual(Array.from(u.labels), [1, 0, 1]);
});

test('quoted cells, "" escapes, quoted newlines and a BOM', () => {
  const text = '\ufeff"x, one","y",label\n"1.5" , 2,"say ""hi"""\n3,"4","multi\nline"\n5,6,"say ""hi"""\n';
  const t = parseCsv(text, 'q.csv');
  assert.deepEqual(t.featureNames, ['x, one', 'y']);
  assert.deepEqual(Array.from(t.features), [1.5, 2, 3, 4, 5, 6]);
  assert.deepEqual(t.classNames, ['multi\nline', 'say "hi"']);
  assert.deepEqual(Array.from(t.labels), [1, 0, 1]);
  // Line numbers stay right after a quoted newline.
  throwsUser(() => parseCsv('a,b\n1,"x\ny"\nz,1\n', 'q.csv'), /^q\.csv line 4, column 1 \("a"\): "z" is not a number$/);
});

test('labelColumn by name, by index and by negative index', () => {
  const text = 'label,f1,f2\ncat,1,2\ndog,3,4\n';
  const byName = parseCsv(text, 'a.csv', { labelColumn: 'label' });
  assert.deepEqual(byName.featureNames, ['f1', 'f2']);
  assert.deepEqual(Array.from(byName.features), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(byName.labels), [0, 1]);
  assert.deepEqual(Array.from(parseCsv(text, 'a.csv', { labelColumn: 0 }).labels), [0, 1]);
  const neg = parseCsv('1,0,5\n2,1,6\n', 'b.csv', { labelColumn: -2 });
  assert.deepEqual(Array.from(neg.features), [1, 5, 2, 6]);
  assert.deepEqual(Array.from(neg.labels), [0, 1]);
  assert.deepEqual(Array.from(parseCsv('1,0,5\n2,1,6\n', 'b.csv', { labelColumn: '1' }).labels), [0, 1]);
  // A header whose only non-numeric cell is the named label column is still a header.
  const h = parseCsv('1,2,y\n3,4,0\n5,6,1\n', 'h.csv', { labelColumn: 'y' });
  assert.equal(h.count, 2);
});

test('classNames option fixes the mapping, as for a test file', () => {
  const t = parseCsv('1,b\n2,c\n', 't.csv', { classNames: ['a', 'b', 'c'] });
  assert.deepEqual(Array.from(t.labels), [1, 2]);
  assert.equal(t.numClasses, 3);
  const ints = parseCsv('1,02\n2,0\n', 't.csv', { classNames: ['0', '1', '2'] });
  assert.deepEqual(Array.from(ints.labels), [2, 0]);
  throwsUser(() => parseCsv('x,label\n1,d\n', 't.csv', { classNames: ['a', 'b'] }), /^t\.csv line 2, column 2 \("label"\): label "d" is not one of the training classes \("a", "b"\)$/);
});

test('every malformed input is a one-line UserError with file, line and column', () => {
  throwsUser(
    () => parseCsv('pixel1,pixel2,label\n1,2,0\n1,2,1\n1,2,0\n1,2,1\n1,2,0\n1,abc,1\n', 'data.csv'),
    /^data\.csv line 7, column 2 \("pixel2"\): "abc" is not a number$/,
  );
  throwsUser(() => parseCsv('1,2,0\n1,,1\n', 'e.csv'), /^e\.csv line 2, column 2: empty cell is not a number$/);
  throwsUser(() => parseCsv('1,0x10,0\n', 'h.csv'), /^h\.csv: .*/);
  throwsUser(() => parseCsv('1,2,0\n3,0x10,1\n', 'h.csv'), /^h\.csv line 2, column 2: "0x10" is not a number$/);
  throwsUser(() => parseCsv('1,2,0\n3,1e39,1\n', 'big.csv'), /^big\.csv line 2, column 2: 1e39 is too large for a float32$/);
  throwsUser(() => parseCsv('a,b,c\n1,2,0\n1,2\n', 'w.csv'), /^w\.csv line 3: 2 cells, expected 3 like the header$/);
  throwsUser(() => parseCsv('1,2,0\n1,2,3,4\n', 'w.csv'), /^w\.csv line 2: 4 cells, expected 3 like the first line$/);
  throwsUser(() => parseCsv('', 'empty.csv'), /^empty\.csv: empty file$/);
  throwsUser(() => parseCsv('\n\r\n  \n', 'empty.csv'), /^empty\.csv: empty file$/);
  throwsUser(() => parseCsv('a,b,label\n', 'h.csv'), /^h\.csv: no data rows after the header line$/);
  throwsUser(() => parseCsv('1\n2\n', 'one.csv'), /^one\.csv line 1: 1 column; need at least one feature column and a label column$/);
  throwsUser(() => parseCsv('a,label\n1,x\n2,x\n', 'c.csv'), /^c\.csv: the label column 2 \("label"\) has only one class \("x"\); a classifier needs at least 2$/);
  throwsUser(() => parseCsv('1,3\n2,3\n', 'c.csv'), /has only one class \("3"\)/);
  throwsUser(() => parseCsv('1,0\n2,-1\n', 'n.csv'), /^n\.csv line 2, column 2: integer label -1 is not a class index \(0 to 65535\)$/);
  throwsUser(() => parseCsv('a,label\n1,x\n2,\n', 'n.csv'), /^n\.csv line 3, column 2 \("label"\): empty label$/);
  throwsUser(() => parseCsv('a,b\n1,"oops\n', 'q.csv'), /^q\.csv line 2, column 2: quoted cell is never closed$/);
  throwsUser(() => parseCsv('a,b\n"1"x,2\n', 'q.csv'), /^q\.csv line 2, column 1: unexpected text after the closing quote$/);
  throwsUser(() => parseCsv('a,b\n1,2\n', 'l.csv', { labelColumn: 'nope' }), /^l\.csv: no column named "nope" for the label; the first line is: "a", "b"$/);
  throwsUser(() => parseCsv('1,2\n', 'l.csv', { labelColumn: 2 }), /^l\.csv: label column index 2 is out of range: line 1 has 2 columns/);
});

test('readCsvFile reads from disk and names a missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-'));
  writeFileSync(join(dir, 'd.csv'), 'f,label\n1,a\n2,b\n');
  assert.equal(readCsvFile(join(dir, 'd.csv')).count, 2);
  throwsUser(() => readCsvFile(join(dir, 'missing.csv')), /^no such file: .*missing\.csv$/);
});
