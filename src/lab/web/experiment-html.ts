/**
 * The page of one lab experiment (rprop, direction, escape, accuracy): its controls drawn from
 * the experiment's declaration, and one script that reads the view from the URL, runs the
 * experiment in the page, draws its plots with vega, fills its table and verdict, and writes
 * every control change back into the URL. A change while a run is under way makes that run stop
 * at its next unit of work; the newest view is drawn.
 */
import { vegaScripts } from '../../report/render.js';
import type { Control } from './controls.js';
import { labDocument, ORT_SETUP, type LabPageFile } from './shell.js';

export interface ExperimentPageSpec {
  readonly file: Exclude<LabPageFile, ''>;
  /** dist-relative module exporting `experiment` (a PageExperiment) under `exportName`. */
  readonly module: string;
  readonly exportName: string;
  readonly controls: readonly Control[];
  readonly title: string;
  /** HTML: what the page shows and what to look for. */
  readonly lead: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function control(c: Control): string {
  if (c.kind === 'select') return `<label><span>${esc(c.label)}</span><select id="${c.key}" name="${c.param}">${c.options.map((o) => `<option value="${esc(o.value)}">${esc(o.label)}</option>`).join('')}</select></label>`;
  return `<label><span>${esc(c.label)}: <output id="${c.key}-value"></output></span><input type="range" id="${c.key}" name="${c.param}" min="${c.min}" max="${c.max}" step="${c.step}"></label>`;
}

const script = (spec: ExperimentPageSpec) => `${ORT_SETUP}
import { ${spec.exportName} as experiment } from './js/${spec.module}';
import { queryOf, viewOf } from './js/lab/web/controls.js';
import { decodeMnist } from './js/lab/web/mnist-page.js';

const status = document.getElementById('status');
const verdict = document.getElementById('verdict');
let view = viewOf(experiment.controls, location.search);
let generation = 0;
let draws = 0;
let data = null;
const mnist = () => (data ??= (async () => {
  const bytes = async (name) => new Uint8Array(await (await fetch('./data/' + name)).arrayBuffer());
  return { train: decodeMnist(await bytes('mnist-train.bin')), test: decodeMnist(await bytes('mnist-test.bin')) };
})());

function show(v) {
  for (const c of experiment.controls) {
    document.getElementById(c.key).value = String(v[c.key]);
    const out = document.getElementById(c.key + '-value');
    if (out) out.textContent = String(v[c.key]);
  }
}
function cells(tr, tag, texts) {
  tr.replaceChildren(...texts.map((t) => { const td = document.createElement(tag); td.textContent = t; return td; }));
}
async function drawResult(r) {
  const plots = document.getElementById('plots');
  for (const plot of r.plots) {
    let fig = document.getElementById('plot-' + plot.name);
    if (!fig) {
      fig = document.createElement('figure');
      fig.id = 'plot-' + plot.name;
      fig.append(document.createElement('div'), document.createElement('figcaption'));
      fig.firstChild.className = 'chart';
      plots.append(fig);
    }
    await vegaEmbed(fig.querySelector('.chart'), plot.spec, { actions: false, renderer: 'svg' });
    fig.querySelector('figcaption').textContent = plot.caption;
  }
  const head = document.createElement('tr');
  cells(head, 'th', r.table.head);
  document.querySelector('#figures thead').replaceChildren(head);
  document.querySelector('#figures tbody').replaceChildren(...r.table.rows.map((row) => { const tr = document.createElement('tr'); cells(tr, 'td', row); return tr; }));
  verdict.textContent = r.verdict.sentence;
  verdict.className = r.verdict.holds ? 'holds' : /only in part/.test(r.verdict.sentence) ? 'partly' : 'fails';
  document.body.dataset.holds = String(r.verdict.holds);
}

let running = Promise.resolve();
function draw() {
  const mine = ++generation;
  // One run at a time: a newer view waits for the older run to notice it is stale and stop.
  running = running.then(async () => {
    if (mine !== generation) return;
    status.className = '';
    status.textContent = 'training in the page on onnxruntime-web…';
    const started = performance.now();
    try {
      const r = await experiment.run({ ort, sessionOptions, stale: () => mine !== generation, mnist }, view);
      if (!r || mine !== generation) return;
      await drawResult(r);
      status.textContent = r.summary + ' in ' + Math.round(performance.now() - started) + ' ms on onnxruntime-web (wasm, ' + threads + (threads === 1 ? ' thread' : ' threads') + ')';
      document.body.dataset.draws = String(++draws);
    } catch (e) {
      status.className = 'error';
      status.textContent = 'training failed: ' + (e && e.message ? e.message : String(e));
      console.error(e);
    }
  });
}

let timer = 0;
document.getElementById('controls').addEventListener('input', () => {
  const q = new URLSearchParams();
  for (const c of experiment.controls) q.set(c.param, document.getElementById(c.key).value);
  view = viewOf(experiment.controls, q.toString());
  show(view);
  history.replaceState(null, '', '?' + queryOf(experiment.controls, view));
  clearTimeout(timer);
  timer = setTimeout(draw, 250);
});
show(view);
draw();
`;

export function experimentPage(spec: ExperimentPageSpec): string {
  const main = `<h1>${spec.title}</h1>
<p class="lead">${spec.lead} The address bar keeps the settings: share it to share the view.</p>
<form id="controls">${spec.controls.map(control).join('')}</form>
<p id="status"></p>
<p id="verdict"></p>
<table id="figures"><thead></thead><tbody></tbody></table>
<div id="plots" class="row"></div>`;
  return labDocument(spec.file, `batchwise lab: ${spec.title.replace(/<[^>]+>/g, '')}`, main, `${vegaScripts()}\n<script type="module">${script(spec)}</script>`);
}
