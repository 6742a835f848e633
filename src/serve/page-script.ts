/**
 * The pages' browser scripts, as text inlined into the HTML. They poll the JSON routes with a
 * cursor ("trials after N") so that nothing is read twice and the writer is never waited on, and
 * they put every store value into the page with textContent, never innerHTML.
 *
 * Polling is a chain of timeouts, not an interval: a slow answer delays the next poll instead of
 * stacking requests. While a run is running the page asks every second; otherwise every five
 * (a finished run can still be resumed by its command).
 */

/** Helpers for both pages. */
export const SHARED_SCRIPT = String.raw`
function el(tag, attrs, children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children || []) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function num(v, digits) {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return String(Number(v.toPrecision(digits || 4)));
}
function pct(v) { return typeof v === 'number' ? (100 * v).toFixed(2) + '%' : '–'; }
function when(iso) { return typeof iso === 'string' ? iso.slice(0, 19).replace('T', ' ') : '–'; }
function statusBadge(status) { return el('span', { class: 'status ' + status }, [status]); }
async function getJson(url) {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
  return r.json();
}
/** The trial in progress in a few words, whatever fields its writer set. */
function progressText(p) {
  if (p === null || typeof p !== 'object') return '';
  const parts = [];
  if (typeof p.index === 'number' && typeof p.total === 'number') parts.push('trial ' + (p.index + 1) + '/' + p.total);
  if (p.trialKey !== undefined) parts.push(String(p.trialKey));
  if (p.batchSize !== undefined) parts.push('B ' + num(p.batchSize) + (p.iterSize > 1 ? '×' + p.iterSize : ''));
  if (p.lr !== undefined) parts.push('lr ' + num(p.lr));
  if (p.step !== undefined) parts.push('step ' + num(p.step));
  if (p.examples !== undefined) parts.push(num(p.examples) + ' examples');
  if (p.valAccuracy !== undefined) parts.push('val acc ' + pct(p.valAccuracy));
  if (typeof p.elapsedSeconds === 'number') parts.push(p.elapsedSeconds.toFixed(1) + ' s');
  return parts.join(' · ');
}
function schedule(fn, ms) { setTimeout(() => fn().catch((e) => console.warn(e)).finally(() => schedule(fn, nextMs)), ms); }
let nextMs = 1000;
`;

/** The runs list: redrawn from /api/runs at each poll (a store holds tens of runs, not thousands). */
export const INDEX_SCRIPT = String.raw`
function drawRuns(runs) {
  const body = document.querySelector('#runs tbody');
  body.replaceChildren(...runs.map((r) => el('tr', { 'data-run': r.id }, [
    el('td', { class: 'num' }, [el('a', { href: '/runs/' + r.id }, [r.id])]),
    el('td', {}, [r.kind]),
    el('td', {}, [r.label]),
    el('td', {}, [when(r.createdAt)]),
    el('td', {}, [statusBadge(r.status)]),
    el('td', { class: 'num' }, [num(r.trials)]),
    el('td', { class: 'progress' }, [progressText(r.progress)]),
  ])));
  document.getElementById('empty').hidden = runs.length > 0;
  nextMs = runs.some((r) => r.status === 'running') ? 1000 : 5000;
}
drawRuns(INITIAL);
schedule(async () => drawRuns((await getJson('/api/runs')).runs), nextMs);
`;

/**
 * A run's page: cards and plots from /api/runs/ID (re-read only when a trial arrives or the status
 * changes), trials appended from /api/runs/ID/trials?after=CURSOR, and the trial in progress.
 */
export const RUN_SCRIPT = String.raw`
let cursor = 0;
let lastStatus = null;
const keys = new Set();
const views = new Map();

function drawCards(cards) {
  // Cards are the report's plain data: { title, fields: [{ label, value }], notes, code: [{ label, text }] }.
  document.getElementById('cards').replaceChildren(...cards.map((c) => {
    const dl = el('dl', {}, c.fields.flatMap((f) => [el('dt', {}, [f.label]), el('dd', {}, [f.value])]));
    const notes = c.notes.map((n) => el('p', { class: 'note' }, [n]));
    const code = c.code.map((k) => el('details', {}, [el('summary', {}, [k.label]), el('pre', {}, [k.text])]));
    return el('div', { class: 'card' }, [el('h2', {}, [c.title]), dl, ...notes, ...code]);
  }));
}

async function drawPlots(plots) {
  const host = document.getElementById('plots');
  document.getElementById('no-plots').hidden = plots.length > 0;
  for (const p of plots) {
    let fig = document.getElementById('plot-' + p.name);
    if (fig === null) {
      fig = el('figure', { id: 'plot-' + p.name }, [el('h2', {}, [p.title]), el('div', { class: 'chart' }), el('figcaption', {}, [p.caption])]);
      host.append(fig);
    }
    views.get(p.name)?.finalize();
    const result = await vegaEmbed(fig.querySelector('.chart'), p.spec, { actions: false, renderer: 'svg' });
    views.set(p.name, result);
  }
}

async function drawView() {
  const v = await getJson('/api/runs/' + RUN_ID);
  drawCards(v.cards);
  await drawPlots(v.plots);
}

function trialRow(t) {
  keys.add(t.key);
  return el('tr', { class: cursor === 0 ? '' : 'new', 'data-trial': t.key }, [
    el('td', { class: 'num' }, [t.id]),
    el('td', {}, [t.key]),
    el('td', { class: 'num' }, [num(t.batchSize)]),
    el('td', { class: 'num' }, [num(t.iterSize)]),
    el('td', { class: 'num' }, [num(t.lr)]),
    el('td', { class: 'num' }, [num(t.seed)]),
    el('td', {}, [t.status]),
    el('td', { class: 'num' }, [num(t.stepsToTarget)]),
    el('td', { class: 'num' }, [num(t.secondsToTarget, 3)]),
    el('td', { class: 'num' }, [num(Math.round(t.samplesPerSec))]),
    el('td', { class: 'num' }, [pct(t.bestValAccuracy)]),
    el('td', { class: 'num' }, [pct(t.finalValAccuracy)]),
  ]);
}

async function poll() {
  const r = await getJson('/api/runs/' + RUN_ID + '/trials?after=' + cursor);
  if (r.trials.length > 0) document.querySelector('#trials tbody').append(...r.trials.map(trialRow));
  const changed = r.trials.length > 0 || r.status !== lastStatus;
  cursor = r.cursor;
  lastStatus = r.status;
  document.getElementById('no-trials').hidden = keys.size > 0;
  document.getElementById('status').replaceWith(Object.assign(statusBadge(r.status), { id: 'status' }));
  const box = document.getElementById('progress');
  const live = r.progress !== null && !keys.has(r.progress.trialKey) ? progressText(r.progress) : '';
  box.textContent = live === '' ? '' : 'In progress: ' + live;
  box.hidden = live === '';
  nextMs = r.status === 'running' ? 1000 : 5000;
  if (changed) await drawView();
  document.body.dataset.cursor = String(cursor);
}

poll().catch((e) => console.error(e)).finally(() => schedule(poll, nextMs));
`;
