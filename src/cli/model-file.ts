/** `--model`: a preset name, or a JSON model file checked against the model schema. */
import { readUserFile } from '../data/files.js';
import { UserError } from '../errors.js';
import { PRESETS } from '../model/presets.js';
import { modelSpecSchema, type ModelSpec } from '../model/spec.js';

export function loadModelSpec(nameOrPath: string): ModelSpec {
  const preset = PRESETS[nameOrPath];
  if (preset) return preset;
  if (!nameOrPath.endsWith('.json')) {
    throw new UserError(`--model must be ${Object.keys(PRESETS).join(', ')} or a .json model file, got "${nameOrPath}"`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readUserFile(nameOrPath).toString('utf8'));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${nameOrPath}: not valid JSON (${(e as Error).message})`);
  }
  const r = modelSpecSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'top level';
    throw new UserError(`${nameOrPath}: ${where}: ${issue.message}`);
  }
  const base = nameOrPath.split('/').pop()!.replace(/\.json$/, '');
  return { ...r.data, name: (json as { name?: string }).name ?? base };
}
