/**
 * The browser lab's first page: the zig-zag and the MNIST training side by side. Vega is inlined
 * as the report inlines it. The state lives in the query string: opening the same URL redraws the
 * same view (the MNIST run starts by itself when the URL says mnist=1).
 */
import { scriptJson, vegaScripts } from '../../report/render.js';
import { MNIST_PAGE_DATA } from './assets-data.js';
import { MNIST_PAGE } from './mnist-page.js';
import { PAGE_OPTIMIZERS } from './optimizer-choice.js';
import { labDocument, ORT_SETUP } from './shell.js';
import { VIEW_BOUNDS, ZIGZAG_PAGE } from './zigzag-page.js';

type Key = keyof typeof VIEW_BOUNDS | 'optimizer';
const CONTROLS: readonly { key: Key; param: string; label: string }[] = [
  { key: 'batch', param: 'B', label: 'mini-batch B (drawn between B = 1 and the full batch)' },
  { key: 'lr', param: 'lr', label: 'learning rate η (Rprop: initial step Δ₀)' },
  { key: 'condition', param: 'kappa', label: 'condition number κ of the surface' },
  { key: 'seed', param: 'seed', label: 'seed (data and shuffles)' },
  { key: 'optimizer', param: 'opt', label: 'optimizer' },
];

const options = () => PAGE_OPTIMIZERS.map((o) => `<option value="${o.value}">${o.label}</option>`).join('');

function slider(c: (typeof CONTROLS)[number]): string {
  if (c.key === 'optimizer') return `<label><span>${c.label}</span><select id="${c.key}" name="${c.param}">${options()}</select></label>`;
  const b = VIEW_BOUNDS[c.key];
  return `<label><span>${c.label}: <output id="${c.key}-value"></output></span><input type="range" id="${c.key}" name="${c.param}" min="${b.min}" max="${b.max}" step="${b.step}"></label>`;
}

/** The page's own script: reads the URL, trains on onnxruntime-web, draws, and writes the URL back. */
const SCRIPT = `${ORT_SETUP}
import { queryOfView, runZigzagInPage, viewFromQuery } from './js/lab/web/zigzag-page.js';
import { decodeMnist, MNIST_PAGE, runMnistInPage } from './js/lab/web/mnist-page.js';
import { mnistRateFor, pageOptimizerOf } from './js/lab/web/optimizer-choice.js';

const keys = CONTROLS.map((c) => c.key);
const input = (k) => document.getElementById(k);
const status = document.getElementById('status');
let view = viewFromQuery(location.search);
let generation = 0;
let draws = 0;

function show(v) {
  for (const k of keys) {
    input(k).value = String(v[k]);
    const out = document.getElementById(k + '-value');
    if (out) out.textContent = String(v[k]);
  }
}
function read() {
  const params = new URLSearchParams();
  for (const c of CONTROLS) params.set(c.param, input(c.key).value);
  return viewFromQuery(params.toString());
}

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

const mopt = document.getElementById('mnist-opt');
mopt.value = pageOptimizerOf(new URLSearchParams(location.search).get('mopt'));
/** The query with the zig-zag's view and the MNIST part (mnist=1 once started, its optimizer). */
function writeUrl() {
  const q = new URLSearchParams(queryOfView(view));
  const now = new URLSearchParams(location.search);
  if (now.get('mnist') === '1') q.set('mnist', '1');
  q.set('mopt', mopt.value);
  history.replaceState(null, '', '?' + q.toString());
}
mopt.addEventListener('change', writeUrl);

async function mnist() {
  const button = document.getElementById('mnist-start');
  button.disabled = true;
  mopt.disabled = true;
  const optimizer = pageOptimizerOf(mopt.value);
  delete document.body.dataset.mnist;
  const mstatus = document.getElementById('mnist-status');
  mstatus.textContent = 'loading MNIST…';
  const bytes = async (name) => new Uint8Array(await (await fetch('./data/' + name)).arrayBuffer());
  const [train, test] = [decodeMnist(await bytes('mnist-train.bin')), decodeMnist(await bytes('mnist-test.bin'))];
  const chart = await vegaEmbed('#mnist-chart', MNIST_SPEC, { actions: false, renderer: 'svg' });
  const rows = new Map();
  const body = document.querySelector('#mnist-table tbody');
  body.replaceChildren();
  mstatus.textContent = 'training on ' + train.count + ' images, held-out ' + test.count + '…';
  await runMnistInPage(ort, train, test, { ...MNIST_PAGE, optimizer }, (p) => {
    chart.view.insert('points', [p]).runAsync();
    let row = rows.get(p.batch);
    if (!row) {
      row = { tr: document.createElement('tr'), first: p.loss };
      body.append(row.tr);
      rows.set(p.batch, row);
    }
    const cells = [String(p.batch), String(mnistRateFor(optimizer, p.batch).toPrecision(2)), String(p.examples), sig(row.first), sig(p.loss), (100 * p.accuracy).toFixed(1) + '%'];
    row.tr.replaceChildren(...cells.map((t) => { const td = document.createElement('td'); td.textContent = t; return td; }));
  }, () => false, sessionOptions);
  mstatus.textContent = 'done: ' + MNIST_PAGE.epochs + ' epochs of ' + train.count + ' images at each batch size with ' + mopt.selectedOptions[0].textContent;
  button.disabled = false;
  mopt.disabled = false;
  document.body.dataset.mnist = 'done';
}
document.getElementById('mnist-start').addEventListener('click', () => {
  const q = new URLSearchParams(location.search);
  q.set('mnist', '1');
  history.replaceState(null, '', '?' + q.toString());
  writeUrl();
  mnist();
});

let timer = 0;
document.getElementById('controls').addEventListener('input', () => {
  view = read();
  show(view);
  writeUrl();
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
  return labDocument(
    '',
    'batchwise lab',
    `<h1>Zig-zag: descent on an elongated elliptic paraboloid (claims C5, C6c)</h1>
<p class="lead">A linear neuron y = w·x with squared error on ${ZIGZAG_PAGE.examples} examples: its loss is an elliptic paraboloid whose ellipses the condition number κ stretches.
From one start, B = 1 (online learning), the mini-batch B and the full batch each see ${ZIGZAG_PAGE.epochs} epochs of examples at the same learning rate, with the same optimizer.
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
<p class="lead">A 784-32-10 MLP trained here on the first ${MNIST_PAGE_DATA.train} MNIST training images for ${MNIST_PAGE.epochs} epochs at B = ${MNIST_PAGE.batchSizes.join(', ')}
(the rate by the square-root rule from the optimizer's rate at B = 32, e.g. SGD 0.05·√(B/32); Rprop keeps its initial step), taking turns of ${MNIST_PAGE.evalEvery} examples; the loss and accuracy on the first ${MNIST_PAGE_DATA.test} test images after each turn.
Per example seen, the small batch learns fastest; the large batch makes few updates (C7b, C8c). With iRprop− the mini-batches' noisy signs hold it back (C4).</p>
<p><label style="display:inline-flex"><span>optimizer</span><select id="mnist-opt" name="mopt">${options()}</select></label> <button id="mnist-start" type="button">train MNIST in the page</button> <span id="mnist-status" class="muted"></span></p>
<figure><div id="mnist-chart"></div></figure>
<table id="mnist-table"><thead><tr><th>batch</th><th>rate</th><th>examples seen</th><th>held-out loss at start</th><th>held-out loss now</th><th>accuracy now</th></tr></thead><tbody></tbody></table>`,
    `${vegaScripts()}
<script>${consts}</script>
<script type="module">${SCRIPT}</script>`,
  );
}
