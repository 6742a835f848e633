/**
 * Keeping a lab result: its plots as PNG and SVG in a folder, and the whole result as a run of
 * kind 'lab' in the store, found again by its experiment and settings, so rerunning the same
 * command replaces its figures rather than piling up copies.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPng, renderSvg } from '../report/render.js';
import { Store } from '../store/store.js';
import type { LabResult } from './experiment.js';

/** Writes `<name>.png` and `<name>.svg` for every plot; returns the paths written. */
export async function writeLabPlots(result: LabResult, outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const plot of result.plots) {
    const png = join(outDir, `${plot.name}.png`);
    const svg = join(outDir, `${plot.name}.svg`);
    writeFileSync(svg, await renderSvg(plot.spec));
    writeFileSync(png, await renderPng(plot.spec));
    written.push(png, svg);
  }
  return written;
}

export const labRunKey = (result: LabResult): string => `${result.experiment}:${JSON.stringify(result.config)}`;

/** Stores the result (table, verdict, figures and every plot spec with its data); returns the run id. */
export function storeLabResult(result: LabResult, dbPath: string): number {
  const store = Store.open(dbPath);
  try {
    const { run } = store.openRun('lab', labRunKey(result), `lab ${result.experiment} (${result.claims.join(', ')})`, result.config);
    // The verdict first: `batchwise runs` shows a summary's leading fields.
    store.finishRun(run.id, 'finished', {
      verdict: result.verdict,
      experiment: result.experiment,
      claims: result.claims,
      table: result.table,
      figures: result.figures,
      plots: result.plots,
    });
    return run.id;
  } finally {
    store.close();
  }
}
