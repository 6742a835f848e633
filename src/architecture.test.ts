/**
 * The layers depend one way, the graph-building layers stay free of Node (so the same graphs can
 * run on onnxruntime-web in a browser), and no file grows past the line budget.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const RANK: Record<string, number> = { '': 0, graph: 1, model: 2, optim: 2, data: 2, compile: 3, engine: 4, bench: 5, store: 5, fit: 5, noise: 5, adaptive: 5, sweep: 6, recommend: 6, report: 7, lab: 7, queue: 7, serve: 8, cli: 9, testing: 10 };
const BROWSER_SAFE = new Set(['graph', 'model', 'optim', 'compile']);
const LINE_BUDGET = 350;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}
const layerOf = (file: string) => {
  const rel = relative(src, file);
  return rel.includes('/') ? rel.split('/')[0]! : '';
};
const imports = (text: string) => [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
const files = sources(src).filter((f) => !f.endsWith('.test.ts') && !f.endsWith('index.ts'));

test('every source file sits in a known layer', () => {
  for (const f of files) assert.ok(layerOf(f) in RANK, `${relative(src, f)}: unknown layer`);
});

test('imports go down the layers only: graph → model/optim/data → compile → engine → bench/store/fit/noise → sweep/recommend → report/lab/queue → serve → cli', () => {
  for (const f of files) {
    const from = layerOf(f);
    for (const spec of imports(readFileSync(f, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const to = layerOf(join(dirname(f), spec));
      assert.ok(RANK[to]! <= RANK[from]!, `${relative(src, f)} (${from || 'base'}) imports ${spec} (${to}), a higher layer`);
    }
  }
});

test('graph, model, optim and compile do not depend on Node or onnxruntime-node', () => {
  for (const f of files.filter((f) => BROWSER_SAFE.has(layerOf(f)))) {
    for (const spec of imports(readFileSync(f, 'utf8'))) {
      assert.ok(!spec.startsWith('node:') && spec !== 'onnxruntime-node', `${relative(src, f)} imports ${spec}`);
      if (spec.startsWith('.')) assert.ok(BROWSER_SAFE.has(layerOf(join(dirname(f), spec))) || layerOf(join(dirname(f), spec)) === '' || spec.endsWith('data/dataset.js'), `${relative(src, f)} imports ${spec}`);
    }
  }
});

test(`no source file is longer than ${LINE_BUDGET} lines`, () => {
  for (const f of files) {
    const lines = readFileSync(f, 'utf8').split('\n').length;
    assert.ok(lines <= LINE_BUDGET, `${relative(src, f)} has ${lines} lines`);
  }
});
