/**
 * One self-contained HTML file for one or more runs: vega, vega-lite and vega-embed inlined, the
 * specs as inline JSON, no request leaves the file. Each plot has vega-embed's tooltips, a
 * log/linear switch where it has a log axis, and legends that filter (in the specs).
 */
import type { Card } from './cards.js';
import { escapeHtml, scriptJson, vegaScripts, type Plot, type VegaLiteSpec } from './render.js';
import type { RunView } from './run-plots.js';

/**
 * The spec with every log scale made linear, or null when it has none (no switch is offered then).
 * The page does the same in the browser (LINEAR_TWIN below), so the file carries each spec once.
 */
export function linearTwin(spec: VegaLiteSpec): VegaLiteSpec | null {
  let found = false;
  const walk = (v: unknown, key: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, ''));
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (key === 'scale' && (o['type'] === 'log' || o['type'] === 'symlog')) {
      found = true;
      const { type: _t, nice: _n, ...rest } = o;
      return { ...rest, type: 'linear' };
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x, k)]));
  };
  const twin = walk(spec, '') as VegaLiteSpec;
  return found ? twin : null;
}

/** The same walk as linearTwin, as the page runs it. */
const LINEAR_TWIN = `function linearTwin(v, key) {
    if (Array.isArray(v)) return v.map(function (x) { return linearTwin(x, ''); });
    if (v === null || typeof v !== 'object') return v;
    var out = {};
    if (key === 'scale' && (v.type === 'log' || v.type === 'symlog')) {
      for (var k in v) if (k !== 'type' && k !== 'nice') out[k] = v[k];
      out.type = 'linear';
      return out;
    }
    for (var j in v) out[j] = linearTwin(v[j], j);
    return out;
  }`;

/** Data rows above which a plot is drawn on canvas: SVG with tens of thousands of elements is slow to lay out. */
const CANVAS_ROWS = 3000;

function dataRows(spec: unknown): number {
  if (Array.isArray(spec)) return spec.reduce((n: number, x) => n + dataRows(x), 0);
  if (spec === null || typeof spec !== 'object') return 0;
  const o = spec as Record<string, unknown>;
  const values = (o['data'] as { values?: unknown[] } | undefined)?.values;
  return (Array.isArray(values) ? values.length : 0) + ['layer', 'vconcat', 'hconcat', 'concat'].reduce((n, k) => n + dataRows(o[k]), 0);
}

/** The DOM id of a plot: stable, from the run id and the plot's name. */
export const plotId = (runId: number, plot: Plot): string => `run-${runId}-${plot.name}`;

function cardHtml(c: Card): string {
  const fields = c.fields.map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd>`).join('');
  const notes = c.notes.length === 0 ? '' : `<ul class="notes">${c.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
  const code = c.code.map((k) => `<details><summary>${escapeHtml(k.label)}</summary><pre>${escapeHtml(k.text)}</pre></details>`).join('');
  return `<div class="card"><h3>${escapeHtml(c.title)}</h3><dl>${fields}</dl>${code}${notes}</div>`;
}

function plotHtml(runId: number, p: Plot, hasLinear: boolean): string {
  const id = plotId(runId, p);
  const toggle = hasLinear ? `<button type="button" class="scale" data-plot="${id}" aria-pressed="false">linear axes</button>` : '';
  return `<figure class="plot" id="${id}"><h3>${escapeHtml(p.title)}</h3>${toggle}<div class="chart"></div><figcaption>${escapeHtml(p.caption)}</figcaption></figure>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#fff;border-bottom:1px solid #ddd;padding:12px 24px}
header h1{margin:0;font-size:20px}header p{margin:4px 0;color:#555}
nav a{margin-right:14px;color:#0b57d0;text-decoration:none}
section.run{padding:8px 24px 24px;border-bottom:1px solid #e4e4e4}
section.run>h2{font-size:18px;margin:16px 0 8px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:280px;max-width:640px}
.card h3{margin:0 0 6px;font-size:15px}
.card dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
.card dt{color:#555}.card dd{margin:0;font-variant-numeric:tabular-nums}
.card pre{background:#f4f4f4;padding:6px;overflow:auto;max-height:240px;font-size:12px;white-space:pre-wrap;word-break:break-all}
.card .notes{margin:6px 0 0;padding-left:18px;color:#555;font-size:12px}
.plots{display:flex;flex-wrap:wrap;gap:16px;margin-top:12px}
figure.plot{background:#fff;border:1px solid #ddd;border-radius:6px;margin:0;padding:10px 14px;max-width:880px;position:relative}
figure.plot h3{margin:0 0 6px;font-size:15px;padding-right:110px}
figure.plot button.scale{position:absolute;top:8px;right:12px;font-size:12px}
figcaption{color:#444;font-size:13px;max-width:820px;margin-top:6px}
.empty{color:#777;font-style:italic}
`;

export interface ReportMeta {
  /** Where the runs came from, shown in the header. */
  readonly source: string;
  /** ISO time the file was made. */
  readonly generatedAt: string;
}

/** The whole report as one HTML document. */
export function reportHtml(views: readonly RunView[], meta: ReportMeta): string {
  const entries: { id: string; spec: VegaLiteSpec; renderer: 'svg' | 'canvas' }[] = [];
  const sections = views.map(({ run, cards, plots }) => {
    const figs = plots.map((p) => {
      entries.push({ id: plotId(run.id, p), spec: p.spec, renderer: dataRows(p.spec) > CANVAS_ROWS ? 'canvas' : 'svg' });
      return plotHtml(run.id, p, linearTwin(p.spec) !== null);
    });
    const body = figs.length > 0 ? `<div class="plots">${figs.join('')}</div>` : `<p class="empty">No plots for this run yet: it has stored no trials, probes or noise measurements.</p>`;
    return `<section class="run" id="run-${run.id}"><h2>Run ${run.id} · ${escapeHtml(run.kind)} · ${escapeHtml(run.label)}</h2><div class="cards">${cards.map(cardHtml).join('')}</div>${body}</section>`;
  });
  const nav = views.map(({ run }) => `<a href="#run-${run.id}">run ${run.id} (${escapeHtml(run.kind)})</a>`).join('');
  const title = views.length === 1 ? `batchwise report: run ${views[0]!.run.id} (${views[0]!.run.kind})` : `batchwise report: ${views.length} runs`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style>
${vegaScripts()}
</head><body>
<header><h1>${escapeHtml(title)}</h1><p>From ${escapeHtml(meta.source)}, made ${escapeHtml(meta.generatedAt)} by <code>batchwise report</code>. Hover a mark for its figures; click a legend entry to filter (shift-click for several, double-click to clear).</p><nav>${nav}</nav></header>
${sections.join('\n')}
<script id="plots" type="application/json">${scriptJson(entries)}</script>
<script>
(function () {
  var entries = JSON.parse(document.getElementById('plots').textContent);
  var views = (window.batchwiseViews = {});
  // When each plot was drawn (ms since navigation), for a person or a test timing a large report.
  var drawnAt = (window.batchwiseDrawnAt = {});
  ${LINEAR_TWIN}
  function embed(e, linear) {
    var el = document.querySelector('#' + e.id + ' .chart');
    if (views[e.id]) views[e.id].finalize();
    return vegaEmbed(el, linear ? linearTwin(e.spec, '') : e.spec, { actions: false, renderer: e.renderer }).then(function (r) { views[e.id] = r; drawnAt[e.id] = Math.round(performance.now()); });
  }
  var done = entries.map(function (e) { return embed(e, false); });
  document.querySelectorAll('button.scale').forEach(function (b) {
    b.addEventListener('click', function () {
      var e = entries.find(function (x) { return x.id === b.dataset.plot; });
      var linear = b.getAttribute('aria-pressed') !== 'true';
      b.setAttribute('aria-pressed', String(linear));
      b.textContent = linear ? 'log axes' : 'linear axes';
      embed(e, linear);
    });
  });
  Promise.all(done).then(
    function () { document.body.dataset.rendered = String(entries.length); },
    function (err) { document.body.dataset.rendered = 'error'; console.error(err); }
  );
})();
</script>
</body></html>
`;
}
