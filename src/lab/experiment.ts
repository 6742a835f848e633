/**
 * What every lab experiment gives back: its measured figures as a small table, one sentence on
 * whether they bear out the seed's claim (or how they do not), its plots as Vega-Lite specs, and
 * the numbers behind all of it as plain JSON. Nothing here prints or writes files: the CLI shows
 * the result and `saveLabResult` keeps it, so a page can drive the same experiment and draw the
 * same specs.
 */
import type { Plot } from '../report/render.js';

export interface LabTable {
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface Verdict {
  /** Whether the measured figures bear the claim out. */
  readonly holds: boolean;
  /** One sentence, with the numbers, saying so, or saying how they do not. */
  readonly sentence: string;
}

export interface LabResult {
  readonly experiment: string;
  /** The seed's claims this experiment shows (C5, C6c, …). */
  readonly claims: readonly string[];
  /** Every setting the result depends on (seed included), as JSON. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly table: LabTable;
  readonly verdict: Verdict;
  readonly plots: readonly Plot[];
  /** The measured numbers, including each plot's data, as JSON. */
  readonly figures: Readonly<Record<string, unknown>>;
}

/** Progress lines for a person watching (the CLI writes them to stderr). */
export type LabLog = (line: string) => void;

/** Significant digits for a table cell; keeps small and large figures readable. */
export const sig = (v: number, digits = 3): string => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : String(v));
