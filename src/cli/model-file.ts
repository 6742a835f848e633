/** `--model`: a preset name, or a JSON model file checked against the model schema. */
import { readUserFile } from '../data/files.js';
import { UserError } from '../errors.js';
import { checkModelSpec } from '../model/check-spec.js';
import { PRESETS } from '../model/presets.js';
import type { ModelSpec } from '../model/spec.js';

export function loadModelSpec(nameOrPath: string): ModelSpec {
  const preset = PRESETS[nameOrPath];
  if (preset) return preset;
  if (!nameOrPath.endsWith('.json')) {
    throw new UserError(`--model must be ${Object.keys(PRESETS).join(', ')} or a .json model file, got "${nameOrPath}"`);
  }
  const text = readUserFile(nameOrPath).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${nameOrPath}: not valid JSON${jsonWhere(text, (e as Error).message)} (${(e as Error).message}); fix the syntax there`);
  }
  const r = checkModelSpec(json);
  if (!r.ok) throw new UserError(`${nameOrPath}: ${r.message}`);
  const base = nameOrPath.split('/').pop()!.replace(/\.json$/, '');
  return { ...r.spec, name: (json as { name?: string }).name ?? base };
}

/** " at line L, column C" from V8's "... at position N", so an editor can go there; "" without one. */
function jsonWhere(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  const position = m ? Number(m[1]) : /end of JSON input/.test(message) ? text.length : -1;
  if (position < 0) return '';
  const before = text.slice(0, position).split('\n');
  return ` at line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}
