/**
 * The dashboard's two pages. They carry no data of their own beyond the first paint: the page's
 * script reads the JSON routes and polls them, writing every store value with textContent (never
 * as HTML), and the little that is put into the HTML here goes through escapeHtml or scriptJson.
 */
import { escapeHtml, scriptJson, vegaScripts } from '../report/render.js';
import type { RunRow } from '../store/store.js';
import { INDEX_SCRIPT, RUN_SCRIPT, SHARED_SCRIPT } from './page-script.js';
import type { RunListItem } from './routes.js';

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
header { background: #1d2430; color: #fff; padding: 10px 24px; display: flex; gap: 16px; align-items: baseline; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
header .where { color: #aab3c0; font-size: 13px; }
main { padding: 16px 24px; max-width: 1200px; }
h1 { font-size: 20px; margin: 4px 0 12px; }
h2 { font-size: 16px; margin: 0 0 6px; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { padding: 5px 10px; border-bottom: 1px solid #e3e6ea; text-align: left; white-space: nowrap; }
th { background: #eef0f3; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.new td { background: #fff7d6; }
.status { display: inline-block; padding: 0 8px; border-radius: 9px; font-size: 12px; background: #e3e6ea; }
.status.running { background: #d7ecff; color: #0b4f8a; }
.status.finished { background: #dcf3e2; color: #1e6b35; }
.status.interrupted, .status.failed { background: #fde2dd; color: #8a2615; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 16px; }
.card { background: #fff; border: 1px solid #e3e6ea; border-radius: 6px; padding: 10px 14px; min-width: 220px; }
.card dl { display: grid; grid-template-columns: auto auto; gap: 2px 14px; margin: 0; }
.card dt { color: #5b6573; } .card dd { margin: 0; font-variant-numeric: tabular-nums; }
.card .note { color: #5b6573; max-width: 60ch; margin: 6px 0 0; } .card pre { white-space: pre-wrap; max-width: 80ch; font-size: 12px; }
#progress { background: #fff; border: 1px solid #b9d8f5; border-left: 4px solid #2b7bd0; border-radius: 6px; padding: 8px 14px; margin-bottom: 16px; }
#progress[hidden] { display: none; }
figure { background: #fff; border: 1px solid #e3e6ea; border-radius: 6px; margin: 0 0 16px; padding: 12px 14px; }
figcaption { color: #5b6573; margin-top: 6px; max-width: 900px; }
.muted { color: #5b6573; }
`;

function page(title: string, body: string, scripts: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body><header><a href="/">batchwise</a><span class="where">${escapeHtml(title)}</span></header>
<main>${body}</main>
${scripts}
</body></html>`;
}

export function indexPage(runs: readonly RunListItem[]): string {
  const body = `<h1>Runs</h1>
<table id="runs"><thead><tr><th>id</th><th>kind</th><th>label</th><th>created (UTC)</th><th>status</th><th>trials</th><th>in progress</th></tr></thead><tbody></tbody></table>
<p class="muted" id="empty" hidden>No runs in this store yet: run a sweep, recommend, fit, noise or train with this --db.</p>`;
  return page('runs', body, `<script>const INITIAL = ${scriptJson(runs)};\n${SHARED_SCRIPT}\n${INDEX_SCRIPT}</script>`);
}

export function runPage(run: RunRow): string {
  const title = `${run.kind} run ${run.id}`;
  const body = `<h1>${escapeHtml(title)}: ${escapeHtml(run.label)} <span id="status" class="status"></span></h1>
<div class="cards" id="cards"></div>
<div id="progress" hidden></div>
<div id="plots"><p class="muted" id="no-plots" hidden>No plots for this run yet.</p></div>
<h2>Trials</h2>
<table id="trials"><thead><tr><th>#</th><th>trial</th><th>batch</th><th>iter</th><th>lr</th><th>seed</th><th>status</th><th>steps to target</th><th>s to target</th><th>samples/s</th><th>best val acc</th><th>final val acc</th></tr></thead><tbody></tbody></table>
<p class="muted" id="no-trials" hidden>No trials stored yet.</p>`;
  return page(title, body, `${vegaScripts()}\n<script>const RUN_ID = ${scriptJson(run.id)};\n${SHARED_SCRIPT}\n${RUN_SCRIPT}</script>`);
}
