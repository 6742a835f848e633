import assert from 'node:assert/strict';
import test from 'node:test';
import { LAB_CSP, labRoute } from './lab-routes.js';

test('/lab redirects to /lab/ keeping the query; the page is cross-origin isolated under a CSP that still loads nothing from elsewhere', () => {
  const r = labRoute('GET', '/lab?B=4&seed=2')!;
  assert.deepEqual([r.status, r.headers['Location']], [308, '/lab/?B=4&seed=2']);
  const page = labRoute('GET', '/lab/?B=4')!;
  assert.deepEqual([page.status, page.type], [200, 'html']);
  assert.equal(page.headers['Cross-Origin-Opener-Policy'], 'same-origin');
  assert.equal(page.headers['Cross-Origin-Embedder-Policy'], 'require-corp');
  assert.equal(page.headers['Content-Security-Policy'], LAB_CSP);
  assert.match(LAB_CSP, /default-src 'none'/);
  assert.match(LAB_CSP, /script-src 'self' [^;]*'wasm-unsafe-eval'/);
  assert.doesNotMatch(LAB_CSP, /https?:|\*/, 'no other origin anywhere');
});

test('lab files come with their own types; anything outside the closed map is a 404 and other paths and methods fall through', () => {
  const wasm = labRoute('GET', '/lab/ort/ort-wasm-simd-threaded.wasm')!;
  assert.equal(wasm.type, 'wasm');
  assert.deepEqual([...(wasm.body as Uint8Array).subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
  assert.equal(labRoute('GET', '/lab/js/compile/train-model.js')!.type, 'js');
  for (const p of ['/lab/../package.json', '/lab/js/../../package.json', '/lab/js/store/store.js', '/lab/js/model/spec.js', '/lab/ort/ort.node.min.mjs', '/lab/index.html']) {
    assert.equal(labRoute('GET', p)!.status, 404, p);
  }
  assert.equal(labRoute('POST', '/lab/'), null, 'the dashboard refuses other methods');
  assert.equal(labRoute('GET', '/laboratory'), null);
  assert.equal(labRoute('GET', '/'), null);
});

test('lab files but the pages are revalidated by content hash: the browser that holds one gets 304 and no body', () => {
  const first = labRoute('GET', '/lab/ort/ort-wasm-simd-threaded.wasm')!;
  const etag = first.headers['ETag']!;
  assert.match(etag, /^"[A-Za-z0-9_-]{27}"$/);
  assert.equal(first.headers['Cache-Control'], 'no-cache');
  assert.ok((first.body as Uint8Array).length > 1_000_000, 'the wasm itself on a first request');
  const again = labRoute('GET', '/lab/ort/ort-wasm-simd-threaded.wasm', `"other", ${etag}`)!;
  assert.deepEqual([again.status, (again.body as Uint8Array).length, again.headers['ETag']], [304, 0, etag]);
  assert.equal(labRoute('GET', '/lab/ort/ort-wasm-simd-threaded.wasm', '"stale"')!.status, 200);
  const js = labRoute('GET', '/lab/js/compile/train-model.js')!;
  assert.notEqual(js.headers['ETag'], etag, 'each file its own tag');
  const page = labRoute('GET', '/lab/', '*')!;
  assert.deepEqual([page.status, page.headers['ETag']], [200, undefined], 'pages are always sent whole');
});
