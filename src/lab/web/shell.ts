/**
 * What every page of the browser lab shares: the style, the header with its links between the
 * experiments, and the import map that sends the compiled modules' two bare imports to the lab's
 * own files (onnx-proto's ES wrapper, onnxruntime-web's wasm build). Every URL is relative, so
 * the pages work at /lab/ under `batchwise serve` and from a static folder.
 */
import { scriptJson } from '../../report/render.js';

export const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
header { background: #1d2430; color: #fff; padding: 10px 24px; display: flex; gap: 16px; align-items: baseline; }
header b { font-weight: 600; } header .where { color: #aab3c0; font-size: 13px; }
nav { display: flex; gap: 14px; margin-left: auto; } nav a { color: #cdd5df; text-decoration: none; } nav a[aria-current] { color: #fff; border-bottom: 2px solid #6ea8fe; }
select { font: inherit; padding: 2px 4px; }
#verdict { background: #fff; border-left: 4px solid #7f7f7f; padding: 8px 12px; max-width: 880px; } #verdict.holds { border-color: #2ca02c; } #verdict.partly { border-color: #ff7f0e; } #verdict.fails { border-color: #d62728; }
main { padding: 16px 24px; max-width: 1240px; }
h1 { font-size: 20px; margin: 4px 0 6px; }
p.lead { max-width: 880px; margin: 0 0 12px; }
#controls { display: grid; grid-template-columns: repeat(4, minmax(180px, 1fr)); gap: 10px 18px; background: #fff; border: 1px solid #e3e6ea; border-radius: 6px; padding: 10px 14px; margin-bottom: 12px; }
label { display: flex; flex-direction: column; gap: 2px; } label span { color: #5b6573; } output { font-variant-numeric: tabular-nums; font-weight: 600; color: #1d2430; }
input[type=range] { width: 100%; }
.vega-bindings { display: none; }
#status { color: #5b6573; min-height: 1.4em; } #status.error { color: #8a2615; }
.row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
figure { background: #fff; border: 1px solid #e3e6ea; border-radius: 6px; margin: 0 0 12px; padding: 12px 14px; }
figcaption { color: #5b6573; margin-top: 6px; max-width: 560px; }
table { border-collapse: collapse; background: #fff; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e3e6ea; text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
th { background: #eef0f3; font-weight: 600; white-space: normal; }
#figures { max-width: 460px; } #plot-zigzag-distance { display: inline-block; }
`;

/** The lab's pages by file ('' is the index: zig-zag and MNIST). */
export const LAB_PAGES = [
  { file: '', label: 'zig-zag · MNIST' },
  { file: 'rprop.html', label: 'Rprop' },
  { file: 'direction.html', label: 'direction' },
  { file: 'escape.html', label: 'escape' },
  { file: 'accuracy.html', label: 'accuracy' },
] as const;

export type LabPageFile = (typeof LAB_PAGES)[number]['file'];

/** The document around a page's main content; `scripts` go at the end of the body. */
export function labDocument(current: LabPageFile, title: string, main: string, scripts: string): string {
  const importMap = scriptJson({ imports: { 'onnx-proto': './vendor/onnx-proto.js', 'onnxruntime-web': './ort/ort.wasm.min.mjs' } });
  const nav = LAB_PAGES.map((p) => `<a href="./${p.file}"${p.file === current ? ' aria-current="page"' : ''}>${p.label}</a>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="icon" href="data:,"><style>${STYLE}</style>
<script type="importmap">${importMap}</script></head>
<body><header><b>batchwise lab</b><span class="where">trains in this page on onnxruntime-web, with the graphs batchwise compiles</span><nav>${nav}</nav></header>
<main>
${main}
</main>
${scripts}
</body></html>`;
}

/** The script lines every page starts with: onnxruntime-web from the lab's files, threads only when isolated. */
export const ORT_SETUP = `
import * as ort from 'onnxruntime-web';
ort.env.wasm.wasmPaths = new URL('./ort/', location.href).href;
// Threads need cross-origin isolation (batchwise serve sends COOP/COEP); without it, one thread.
const threads = self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
ort.env.wasm.numThreads = threads;
const sessionOptions = { executionMode: 'sequential', graphOptimizationLevel: 'all' };
const sig = (x) => (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : Number(x.toPrecision(3)).toString());
`;
