/**
 * The browser lab's page. Every URL in it is relative, so the same page works at /lab/ under
 * `batchwise serve` and from a static folder. The import map sends the compiled modules' two bare
 * imports to files of the lab's own (onnx-proto's ES wrapper, onnxruntime-web's wasm build);
 * vega is inlined as the report inlines it. The state lives in the query string: opening the
 * same URL redraws the same view.
 */
import { scriptJson, vegaScripts } from '../../report/render.js';
import { MNIST_PAGE_DATA } from './assets-data.js';
import { MNIST_PAGE } from './mnist-page.js';
import { VIEW_BOUNDS, ZIGZAG_PAGE } from './zigzag-page.js';

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
header { background: #1d2430; color: #fff; padding: 10px 24px; display: flex; gap: 16px; align-items: baseline; }
header b { font-weight: 600; } header .where { color: #aab3c0; font-size: 13px; }
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

type Key = keyof typeof VIEW_BOUNDS;
const CONTROLS: readonly { key: Key; param: string; label: string }[] = [
  { key: 'batch', param: 'B', label: 'mini-batch B (drawn between B = 1 and the full batch)' },
  { key: 'lr', param: 'lr', label: 'learning rate η' },
  { key: 'condition', param: 'kappa', label: 'condition number κ of the surface' },
  { key: 'seed', param: 'seed', label: 'seed (data and shuffles)' },
];

function slider(c: (typeof CONTROLS)[number]): string {
  const b = VIEW_BOUNDS[c.key];
  return `<label><span>${c.label}: <output id="${c.key}-value"></output></span><input type="range" id="${c.key}" name="${c.param}" min="${b.min}" max="${b.max}" step="${b.step}"></label>`;
}

/** The page's own script: reads the URL, trains on onnxruntime-web, draws, and writes the URL back. */
const SCRIPT = `
import * as ort from 'onnxruntime-web';
import { queryOfView, runZigzagInPage, viewFromQuery } from './js/lab/web/zigzag-page.js';
import { decodeMnist, MNIST_PAGE, mnistRate, runMnistInPage } from './js/lab/web/mnist-page.js';

ort.env.wasm.wasmPaths = new URL('./ort/', location.href).href;
// Threads need cross-origin isolation (batchwise serve sends COOP/COEP); without it, one thread.
const threads = self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
ort.env.wasm.numThreads = threads;
const sessionOptions = { executionMode: 'sequential', graphOptimizationLevel: 'all' };

const keys = CONTROLS.map((c) => c.key);
const input = (k) => document.getElementById(k);
const status = document.getElementById('status');
let view = viewFromQuery(location.search);
let generation = 0;
let draws = 0;

function show(v) {
  for (const k of keys) {
    input(k).value = String(v[k]);
    document.getElementById(k + '-value').textContent = String(v[k]);
  }
}
function read() {
  const params = new URLSearchParams();
  for (const c of CONTROLS) params.set(c.param, input(c.key).value);
  return viewFromQuery(params.toString());
}
const sig = (x) => (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : Number(x.toPrecision(3)).toString());

function fillTable(paths) {
  const body = document.querySelector('#figures tbody');
  body.replaceChildren();
  for (const p of paths) {
    const tr = document.createElement('tr');
    const cells = [p.batch === EXAMPLES ? p.batch + ' (full)' : String(p.batch), String(p.updates), sig(p.lengthOverDisplacement), sig(p.reversalsPerEpoch), sig(p.finalDistance)];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
  }
}

async function draw() {
  const mine = ++generation;
  status.className = '';
  status.textContent = 'training in the page on onnxruntime-web…';
  const started = performance.now();
  try {
    const r = await runZigzagInPage(ort, view, sessionOptions);
    if (mine !== generation) return;
    for (const plot of r.plots) {
      const fig = document.getElementById('plot-' + plot.name);
      await vegaEmbed(fig.querySelector('.chart'), plot.spec, { actions: false, renderer: 'svg' });
      fig.querySelector('figcaption').textContent = plot.caption;
    }
    fillTable(r.paths);
    const ms = performance.now() - started;
    status.textContent = 'trained ' + r.paths.map((p) => p.updates).reduce((a, b) => a + b, 0) + ' updates in ' + Math.round(ms) + ' ms on onnxruntime-web (wasm, ' + threads + (threads === 1 ? ' thread' : ' threads') + ')';
    document.body.dataset.draws = String(++draws);
  } catch (e) {
    status.className = 'error';
    status.textContent = 'training failed: ' + (e && e.message ? e.message : String(e));
    throw e;
  }
}

const MNIST_SPEC = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  data: { name: 'points' },
  config: { legend: { orient: 'top' } },
  hconcat: [
    { title: 'held-out loss', width: 360, height: 220, mark: { type: 'line', point: true }, encoding: {
      x: { field: 'examples', type: 'quantitative', title: 'training examples seen' },
      y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'cross-entropy' },
      color: { field: 'batch', type: 'nominal', scale: { range: ['#1f1f1f', '#1f77b4', '#2ca02c', '#9467bd', '#8c564b'] }, title: 'batch' } } },
    { title: 'held-out accuracy', width: 360, height: 220, mark: { type: 'line', point: true }, encoding: {
      x: { field: 'examples', type: 'quantitative', title: 'training examples seen' },
      y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%' }, title: 'accuracy' },
      color: { field: 'batch', type: 'nominal', scale: { range: ['#1f1f1f', '#1f77b4', '#2ca02c', '#9467bd', '#8c564b'] }, title: 'batch' } } },
  ],
};

async function mnist() {
  const button = document.getElementById('mnist-start');
  button.disabled = true;
  const mstatus = document.getElementById('mnist-status');
  mstatus.textContent = 'loading MNIST…';
  const bytes = async (name) => new Uint8Array(await (await fetch('./data/' + name)).arrayBuffer());
  const [train, test] = [decodeMnist(await bytes('mnist-train.bin')), decodeMnist(await bytes('mnist-test.bin'))];
  const chart = await vegaEmbed('#mnist-chart', MNIST_SPEC, { actions: false, renderer: 'svg' });
  const rows = new Map();
  const body = document.querySelector('#mnist-table tbody');
  mstatus.textContent = 'training on ' + train.count + ' images, held-out ' + test.count + '…';
  await runMnistInPage(ort, train, test, MNIST_PAGE, (p) => {
    chart.view.insert('points', [p]).runAsync();
    let row = rows.get(p.batch);
    if (!row) {
      row = { tr: document.createElement('tr'), first: p.loss };
      body.append(row.tr);
      rows.set(p.batch, row);
    }
    const cells = [String(p.batch), String(mnistRate(p.batch).toPrecision(2)), String(p.examples), sig(row.first), sig(p.loss), (100 * p.accuracy).toFixed(1) + '%'];
    row.tr.replaceChildren(...cells.map((t) => { const td = document.createElement('td'); td.textContent = t; return td; }));
  }, () => false, sessionOptions);
  mstatus.textContent = 'done: ' + MNIST_PAGE.epochs + ' epochs of ' + train.count + ' images at each batch size';
  document.body.dataset.mnist = 'done';
}
document.getElementById('mnist-start').addEventListener('click', () => {
  const q = new URLSearchParams(location.search);
  q.set('mnist', '1');
  history.replaceState(null, '', '?' + q.toString());
  mnist();
});

let timer = 0;
document.getElementById('controls').addEventListener('input', () => {
  view = read();
  show(view);
  history.replaceState(null, '', '?' + queryOfView(view) + (new URLSearchParams(location.search).get('mnist') === '1' ? '&mnist=1' : ''));
  clearTimeout(timer);
  timer = setTimeout(draw, 150);
});
show(view);
draw().then(() => {
  if (new URLSearchParams(location.search).get('mnist') === '1') mnist();
});
`;

export function labPage(): string {
  const consts = `const CONTROLS = ${scriptJson(CONTROLS)};\nconst EXAMPLES = ${scriptJson(ZIGZAG_PAGE.examples)};`;
  const importMap = scriptJson({ imports: { 'onnx-proto': './vendor/onnx-proto.js', 'onnxruntime-web': './ort/ort.wasm.min.mjs' } });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>batchwise lab</title><link rel="icon" href="data:,"><style>${STYLE}</style>
<script type="importmap">${importMap}</script></head>
<body><header><b>batchwise lab</b><span class="where">trains in this page on onnxruntime-web, with the graphs batchwise compiles</span></header>
<main>
<h1>Zig-zag: SGD on an elongated elliptic paraboloid (claims C5, C6c)</h1>
<p class="lead">A linear neuron y = w·x with squared error on ${ZIGZAG_PAGE.examples} examples: its loss is an elliptic paraboloid whose ellipses the condition number κ stretches.
From one start, B = 1 (online learning), the mini-batch B and the full batch each see ${ZIGZAG_PAGE.epochs} epochs of examples at the same learning rate.
The smaller the batch, the more each step follows its own examples and the path zig-zags; the full batch walks straight but makes one update per epoch.
The same figures come from <code>batchwise lab zigzag</code>. The address bar keeps the settings: share it to share the view.</p>
<form id="controls">${CONTROLS.map(slider).join('')}</form>
<p id="status"></p>
<div class="row">
<figure id="plot-zigzag-paths"><div class="chart"></div><figcaption></figcaption></figure>
<table id="figures"><thead><tr><th>batch</th><th>updates</th><th>path / displacement</th><th>reversals / epoch</th><th>distance to optimum</th></tr></thead><tbody></tbody></table>
</div>
<figure id="plot-zigzag-distance"><div class="chart"></div><figcaption></figcaption></figure>
<h1>MNIST in the page: several batch sizes side by side</h1>
<p class="lead">A 784-32-10 MLP trained here with SGD on the first ${MNIST_PAGE_DATA.train} MNIST training images for ${MNIST_PAGE.epochs} epochs at B = ${MNIST_PAGE.batchSizes.join(', ')}
(the rate by the square-root rule, 0.05·√(B/32)), taking turns of ${MNIST_PAGE.evalEvery} examples; the loss and accuracy on the first ${MNIST_PAGE_DATA.test} test images after each turn.
Per example seen, the small batch learns fastest; the large batch makes few updates (C7b, C8c).</p>
<p><button id="mnist-start" type="button">train MNIST in the page</button> <span id="mnist-status" class="muted"></span></p>
<figure><div id="mnist-chart"></div></figure>
<table id="mnist-table"><thead><tr><th>batch</th><th>rate</th><th>examples seen</th><th>held-out loss at start</th><th>held-out loss now</th><th>accuracy now</th></tr></thead><tbody></tbody></table>
</main>
${vegaScripts()}
<script>${consts}</script>
<script type="module">${SCRIPT}</script>
</body></html>`;
}
