/**
 * `batchwise lab NAME`: run one of the seed's claims as an experiment that trains for real, print
 * its figures and whether they bear the claim out, write its plots, keep it in the store.
 */
import { UserError } from '../errors.js';
import { LAB_EXPERIMENTS, LAB_NAMES } from '../lab/registry.js';
import { storeLabResult, writeLabPlots } from '../lab/save.js';
import { writeLabSite } from '../lab/web/site.js';
import type { LabCommandOptions } from './lab-options.js';
import { EXIT } from './parse.js';
import { formatTable } from './table.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

export async function labCommand(name: string | undefined, o: LabCommandOptions): Promise<number> {
  if (o.web) return labWeb(name, o);
  const list = LAB_NAMES.map((n) => `${n} (${LAB_EXPERIMENTS[n]!.claims.join(', ')})`).join(', ');
  if (name === undefined) throw new UserError(`lab: name an experiment: ${list}`);
  const experiment = LAB_EXPERIMENTS[name];
  if (!experiment) throw new UserError(`lab: unknown experiment ${JSON.stringify(name)}; the experiments are ${list}`);
  say(`lab ${name} (${experiment.claims.join(', ')}): ${experiment.summary}`);
  const { seed, batchSizes, epochs, lr, condition, examples, noise, batch, problems, mnistTrain, seeds } = o;
  const result = await experiment.run({ seed, batchSizes, epochs, lr, condition, examples, noise, batch, problems, mnistTrain, seeds }, say);
  const files = o.out !== undefined ? await writeLabPlots(result, o.out) : [];
  const run = o.db !== undefined ? storeLabResult(result, o.db) : null;
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ ...result, files, ...(run !== null ? { db: o.db, run } : {}) })}\n`);
    return EXIT.ok;
  }
  const lines = [...formatTable(result.table.head, result.table.rows, ['l']), '', result.verdict.sentence];
  if (files.length > 0) lines.push(`plots: ${files.filter((f) => f.endsWith('.png')).join(', ')} (and .svg)`);
  else lines.push('plots: pass --out DIR to write them as PNG and SVG');
  if (run !== null) lines.push(`kept in ${o.db} as run ${run}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

function labWeb(name: string | undefined, o: LabCommandOptions): number {
  if (name !== undefined) throw new UserError(`lab --web writes the browser lab, which has every experiment it offers; drop ${JSON.stringify(name)}`);
  if (o.out === undefined) throw new UserError('lab --web needs --out DIR: the folder to write the browser lab into');
  const files = writeLabSite(o.out);
  process.stdout.write(
    `wrote the browser lab to ${o.out} (${files.length} files, index.html first).\n` +
      `Serve the folder over HTTP (ES modules and wasm do not load from file://), e.g. python3 -m http.server -d ${o.out}; ` +
      `batchwise serve shows the same page at /lab/ with the headers that let it use several threads.\n`,
  );
  return EXIT.ok;
}
