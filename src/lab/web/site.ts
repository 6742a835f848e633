/**
 * `batchwise lab --web --out DIR`: the browser lab as a static folder, the same files serve
 * answers under /lab/ (the page as index.html). ES modules and wasm do not load from file://, so
 * the folder is for any static HTTP server; without serve's isolation headers the page runs
 * onnxruntime-web on one thread.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { labAssets } from './assets.js';

/** Writes every file of the lab under `dir`; returns their paths relative to it. */
export function writeLabSite(dir: string): string[] {
  const written: string[] = [];
  for (const [rel, asset] of labAssets()) {
    const name = rel === '' ? 'index.html' : rel;
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, asset.read());
    written.push(name);
  }
  return written;
}
