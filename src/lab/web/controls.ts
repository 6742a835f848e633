/**
 * The browser lab's experiment pages as data: each page declares its controls (sliders and
 * selectors, each with the query parameter that carries it), how to read its view from a query
 * string and write it back, and how to run in the page. One page script (experiment-html.ts)
 * drives them all, so the URL round trip and the drawing are written once. Browser-safe.
 */
import type { Plot } from '../../report/render.js';
import type { LabTable, Verdict } from '../experiment.js';
import type { OrtModule, PageSplit } from './page-trainer.js';

export interface RangeControl {
  readonly kind: 'range';
  readonly key: string;
  readonly param: string;
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly default: number;
}

export interface SelectControl {
  readonly kind: 'select';
  readonly key: string;
  readonly param: string;
  readonly label: string;
  readonly options: readonly { readonly value: string; readonly label: string }[];
  readonly default: string;
}

export type Control = RangeControl | SelectControl;

export type View = Readonly<Record<string, number | string>>;

/**
 * The view a query string names: a number outside its slider is clamped, a malformed one or an
 * unknown choice replaced by the default, so any shared URL opens some valid view.
 */
export function viewOf(controls: readonly Control[], query: string): View {
  const q = new URLSearchParams(query);
  const view: Record<string, number | string> = {};
  for (const c of controls) {
    const raw = q.get(c.param);
    if (c.kind === 'select') {
      view[c.key] = c.options.some((o) => o.value === raw) ? raw! : c.default;
      continue;
    }
    const v = raw === null || raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(v)) {
      view[c.key] = c.default;
      continue;
    }
    const clamped = Math.min(c.max, Math.max(c.min, v));
    // Snap to the slider's grid, so the URL and the slider always agree.
    const snapped = c.min + Math.round((clamped - c.min) / c.step) * c.step;
    view[c.key] = Number(Math.min(c.max, snapped).toPrecision(12));
  }
  return view;
}

export function queryOf(controls: readonly Control[], view: View): string {
  return new URLSearchParams(controls.map((c) => [c.param, String(view[c.key])])).toString();
}

/** What a run gives the page to show: the lab's own plots, a table, and the verdict on the claim. */
export interface PageResult {
  readonly plots: readonly Plot[];
  readonly table: LabTable;
  readonly verdict: Verdict;
  /** One line for the status bar: what was trained. */
  readonly summary: string;
}

/** What a run is given: the runtime, and the lab's MNIST files decoded (see mnist-page.ts). */
export interface RunContext {
  readonly ort: OrtModule;
  readonly sessionOptions: Record<string, unknown>;
  /** Called between units of work; true when the view has changed and the result is no longer wanted. */
  readonly stale: () => boolean;
  readonly mnist: () => Promise<{ readonly train: PageSplit; readonly test: PageSplit }>;
}

export interface PageExperiment {
  readonly controls: readonly Control[];
  /** Runs the view in the page; null when `stale()` turned true before the end. */
  run(ctx: RunContext, view: View): Promise<PageResult | null>;
}

/** A view's numeric value (a control declared as a range). */
export function num(view: View, key: string): number {
  const v = view[key];
  if (typeof v !== 'number') throw new Error(`view.${key} is ${JSON.stringify(v)}, not a number`);
  return v;
}
