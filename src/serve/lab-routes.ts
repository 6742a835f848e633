/**
 * The browser lab under /lab/: a closed map of files (src/lab/web/assets.ts) matched by exact
 * relative path, so nothing outside it can be named. Anything else, and any method but GET and
 * HEAD, falls through to the dashboard's routes, which refuse it as they refuse everything else.
 */
import { createHash } from 'node:crypto';
import { labAssets, type AssetType } from '../lab/web/assets.js';

export interface FileReply {
  readonly status: number;
  readonly type: AssetType | 'text';
  readonly body: string | Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Cross-origin isolation lets onnxruntime-web's wasm use threads (the page runs one without it);
 * every lab file is same-origin, so require-corp blocks nothing. The lab's CSP adds to the
 * dashboard's its own module files ('self'), compiling wasm ('wasm-unsafe-eval') and the wasm's
 * worker threads; nothing may still load from elsewhere.
 */
export const LAB_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline' 'unsafe-eval' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };

/**
 * Lab files other than pages are revalidated, not re-sent: onnxruntime-web's wasm alone is 14 MB.
 * The tag is the content's hash, so a new batchwise version changes it and no stale file is used.
 */
const etags = new Map<string, string>();
/** The tag of a file, hashed from its bytes the first time it is asked for (`read` is not called again). */
function etagOf(path: string, read: () => Uint8Array): string {
  let tag = etags.get(path);
  if (tag === undefined) {
    tag = `"${createHash('sha256').update(read()).digest('base64url').slice(0, 27)}"`;
    etags.set(path, tag);
  }
  return tag;
}

/** `ifNoneMatch`: the request's If-None-Match header; a file the browser holds gets 304 and no body. */
export function labRoute(method: string, rawUrl: string, ifNoneMatch?: string): FileReply | null {
  if (method !== 'GET' && method !== 'HEAD') return null;
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  if (path === '/lab') return { status: 308, type: 'text', body: 'the lab is at /lab/\n', headers: { Location: `/lab/${q < 0 ? '' : rawUrl.slice(q)}` } };
  if (!path.startsWith('/lab/')) return null;
  const asset = labAssets().get(path.slice('/lab/'.length));
  if (!asset) return { status: 404, type: 'text', body: 'not found\n', headers: {} };
  if (asset.type === 'html') return { status: 200, type: asset.type, body: asset.read(), headers: { ...ISOLATION, 'Content-Security-Policy': LAB_CSP } };
  // A file the browser holds is answered from its tag alone, without reading the file again.
  const etag = etagOf(path, () => asset.read());
  const cache = { ...ISOLATION, ETag: etag, 'Cache-Control': 'no-cache' };
  const held = (ifNoneMatch ?? '').split(',').some((t) => t.trim() === etag || t.trim() === '*');
  return held ? { status: 304, type: asset.type, body: new Uint8Array(0), headers: cache } : { status: 200, type: asset.type, body: asset.read(), headers: cache };
}
