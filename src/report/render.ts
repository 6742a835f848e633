/**
 * Rendering a Vega-Lite spec, apart from building it: SVG headless in Node with vega's own
 * `toSVG` (no canvas, no browser), PNG from that SVG with resvg, and a self-contained HTML page
 * with the vega, vega-lite and vega-embed builds inlined so it opens from disk with no network.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

export type VegaLiteSpec = TopLevelSpec;

/** A plot as the report, the dashboard and the lab show it: one question, one spec, a caption. */
export interface Plot {
  /** Stable file name stem, named for the question it answers (`steps-to-target-by-batch`). */
  readonly name: string;
  readonly title: string;
  /** What to look for, and which of the seed's claims it bears on. */
  readonly caption: string;
  readonly spec: VegaLiteSpec;
}

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG at `scale` × the spec's pixel size, text in the system's fonts. */
export async function renderPng(spec: VegaLiteSpec, scale = 2): Promise<Buffer> {
  const svg = await renderSvg(spec);
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  }).render();
  return png.asPng();
}

/** The directory of an installed package, found from its entry point (its exports hide package.json). */
function packageDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === name) return dir;
    } catch {
      // no package.json at this level: keep walking up
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot locate the installed package ${name}`);
    dir = up;
  }
}

let cachedScripts: string | undefined;
/** The three browser builds, as one inline script block each (read once per process). */
export function vegaScripts(): string {
  cachedScripts ??= [
    ['vega', 'build/vega.min.js'],
    ['vega-lite', 'build/vega-lite.min.js'],
    ['vega-embed', 'build/vega-embed.min.js'],
  ]
    .map(([pkg, file]) => `<script>${readFileSync(join(packageDir(pkg!), file!), 'utf8').replace(/<\/script/gi, '<\\/script')}</script>`)
    .join('\n');
  return cachedScripts;
}

/** Text for HTML element content or attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that is safe inside an inline <script>. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
