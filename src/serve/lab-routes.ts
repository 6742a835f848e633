/**
 * The browser lab under /lab/: a closed map of files (src/lab/web/assets.ts) matched by exact
 * relative path, so nothing outside it can be named. Anything else, and any method but GET and
 * HEAD, falls through to the dashboard's routes, which refuse it as they refuse everything else.
 */
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

export function labRoute(method: string, rawUrl: string): FileReply | null {
  if (method !== 'GET' && method !== 'HEAD') return null;
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  if (path === '/lab') return { status: 308, type: 'text', body: 'the lab is at /lab/\n', headers: { Location: `/lab/${q < 0 ? '' : rawUrl.slice(q)}` } };
  if (!path.startsWith('/lab/')) return null;
  const asset = labAssets().get(path.slice('/lab/'.length));
  if (!asset) return { status: 404, type: 'text', body: 'not found\n', headers: {} };
  return { status: 200, type: asset.type, body: asset.read(), headers: { ...ISOLATION, ...(asset.type === 'html' ? { 'Content-Security-Policy': LAB_CSP } : {}) } };
}
