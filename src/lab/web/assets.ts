/**
 * The browser lab's files, as a closed map from a relative path to its bytes: the page, the
 * browser-safe compiled modules from this package's dist (ES modules whose relative imports
 * resolve among themselves), onnx-proto made an ES module, and onnxruntime-web's wasm build from
 * its own package. `batchwise serve` answers /lab/<path> from it; `batchwise lab --web` writes it
 * to a folder. Nothing comes from a CDN.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../../data/mnist.js';
import { encodeMnist } from './mnist-page.js';
import { MNIST_PAGE_DATA } from './assets-data.js';
import { experimentPage } from './experiment-html.js';
import { EXPERIMENT_PAGES } from './experiment-pages.js';
import { labPage } from './page.js';

export type AssetType = 'html' | 'js' | 'wasm' | 'bin';

export interface Asset {
  readonly type: AssetType;
  read(): Uint8Array;
}

const require = createRequire(import.meta.url);
const DIST = fileURLToPath(new URL('../../', import.meta.url));

/** The page's entry modules in dist; the lab serves them and every module they import, relative to each other. */
const ENTRIES = ['lab/web/zigzag-page.js', 'lab/web/mnist-page.js', 'lab/web/controls.js', ...EXPERIMENT_PAGES.map((p) => p.module)];

/** onnxruntime-web's wasm-only build: the entry module and the wasm runtime it loads beside it. */
const ORT_FILES = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];

/** Import specifiers of a compiled ES module (tsc has dropped every `import type`). */
export const importSpecifiers = (js: string): string[] => [...js.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

/** dist-relative paths of the entries and of every module they reach by relative imports. */
function moduleClosure(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (rel: string) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const spec of importSpecifiers(readFileSync(join(DIST, rel), 'utf8'))) {
      if (spec.startsWith('.')) visit(relative(DIST, resolve(DIST, dirname(rel), spec)).split(sep).join('/'));
    }
  };
  entries.forEach(visit);
  return [...seen].sort();
}

/**
 * onnx-proto ships CommonJS only, over protobufjs: both wrapped in function scopes with their own
 * `module`, and the result exported as the default export the graph builder imports.
 */
export function onnxProtoModule(): string {
  const onnxPath = require.resolve('onnx-proto');
  const protobufPath = createRequire(onnxPath).resolve('protobufjs/dist/minimal/protobuf.js');
  const cjs = (source: string, requireBody: string) =>
    `(() => { const module = { exports: {} }; const exports = module.exports; const define = undefined; const require = (name) => { ${requireBody} };\n${source}\nreturn module.exports; })()`;
  return [
    '// onnx-proto and protobufjs (minimal), from this package’s node_modules, as one ES module.',
    `const protobuf = ${cjs(readFileSync(protobufPath, 'utf8'), 'throw new Error(`no module ${name} in the page`);')};`,
    `const onnxRoot = ${cjs(readFileSync(onnxPath, 'utf8'), "if (name === 'protobufjs/minimal') return protobuf; throw new Error(`no module ${name} in the page`);")};`,
    'export default onnxRoot;',
    '',
  ].join('\n');
}

const fileAsset = (type: AssetType, path: string): Asset => ({ type, read: () => readFileSync(path) });
const textAsset = (type: AssetType, make: () => string): Asset => ({ type, read: () => new TextEncoder().encode(make()) });

let cached: ReadonlyMap<string, Asset> | null = null;

/** Every file of the lab by its path relative to the page ('' is the page itself). */
export function labAssets(): ReadonlyMap<string, Asset> {
  if (cached) return cached;
  const m = new Map<string, Asset>();
  m.set('', textAsset('html', labPage));
  for (const spec of EXPERIMENT_PAGES) m.set(spec.file, textAsset('html', () => experimentPage(spec)));
  for (const rel of moduleClosure(ENTRIES)) m.set(`js/${rel}`, fileAsset('js', join(DIST, rel)));
  m.set('vendor/onnx-proto.js', textAsset('js', onnxProtoModule));
  // Read once, on the first request; only the two small encoded files are kept (not all of MNIST).
  let encoded: { train: Uint8Array; test: Uint8Array } | null = null;
  const part = (which: 'train' | 'test') => () => {
    if (!encoded) {
      const all = loadMnist();
      const enc = (w: 'train' | 'test') => encodeMnist(all[w].x, all[w].y, Math.min(MNIST_PAGE_DATA[w], all[w].count));
      encoded = { train: enc('train'), test: enc('test') };
    }
    return encoded[which];
  };
  m.set('data/mnist-train.bin', { type: 'bin', read: part('train') });
  m.set('data/mnist-test.bin', { type: 'bin', read: part('test') });
  const ortDist = dirname(require.resolve('onnxruntime-web'));
  for (const f of ORT_FILES) m.set(`ort/${f}`, fileAsset(f.endsWith('.wasm') ? 'wasm' : 'js', join(ortDist, f)));
  cached = m;
  return m;
}
