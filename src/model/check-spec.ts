/**
 * A model description checked against the schema, with a failure as one line that names the
 * layer (by index, nested ones as "layer 3 › layer 1"), the field, and what to write instead.
 * Everything it says comes from spec.ts: the layer types from the union, each kind's options from
 * its object's keys, what a value must be from the option's description.
 */
import type { z } from 'zod';
import { modelSpecSchema, layerSpecSchema, type ModelSpec } from './spec.js';

export type SpecCheck = { readonly ok: true; readonly spec: ModelSpec } | { readonly ok: false; readonly message: string };

type Issue = z.core.$ZodIssue;
type Shape = Record<string, z.ZodType>;

const layerTypes = (): string[] => layerSpecSchema.options.map((o) => o.shape.type.value);
const optionsOf = (type: unknown): Shape | undefined => layerSpecSchema.options.find((o) => o.shape.type.value === type)?.shape as Shape | undefined;
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));
const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

export function checkModelSpec(json: unknown): SpecCheck {
  const r = modelSpecSchema.safeParse(json);
  if (r.success) return { ok: true, spec: r.data };
  // A misspelt option also reports its real name as missing; the misspelling is the better lead.
  const issue = r.error.issues.find((i) => i.code === 'unrecognized_keys') ?? r.error.issues[0]!;
  return { ok: false, message: describeIssue(json, issue) };
}

function describeIssue(json: unknown, issue: Issue): string {
  // Walk the path down through "layers", i (and a residual's own "layers", j) to the field.
  let where = '';
  let node: unknown = json;
  let fields: Shape = modelSpecSchema.shape as unknown as Shape;
  let kind = 'a model file';
  let layer: unknown = undefined;
  let k = 0;
  const path = issue.path;
  while (path[k] === 'layers' && typeof path[k + 1] === 'number') {
    const i = path[k + 1] as number;
    layer = (node as { layers: unknown[] }).layers[i];
    const type = isObject(layer) ? layer['type'] : undefined;
    where += `${where ? ' › ' : ''}layer ${i}${typeof type === 'string' && optionsOf(type) ? ` (${type})` : ''}`;
    fields = optionsOf(type) ?? {};
    kind = typeof type === 'string' ? type : 'a layer';
    node = layer;
    k += 2;
  }
  const rest = path.slice(k);
  const prefix = where ? `${where}: ` : '';
  const inLayer = where !== '';

  if (rest.length === 0 && issue.code === 'invalid_type') {
    return inLayer ? `${where} must be an object like {"type": "relu"}, got ${show(layer)}` : `a model file must be an object like {"layers": [{"type": "dense", "units": 10}]}, got ${show(json)}`;
  }
  if (issue.code === 'unrecognized_keys') {
    const allowed = Object.keys(fields).filter((f) => f !== 'type');
    return issue.keys
      .map((key) => {
        const hint = nearest(key, Object.keys(fields));
        const takes = inLayer ? (allowed.length > 0 ? `${kind} takes ${quoted(allowed)}` : `${kind} takes no options`) : `a model file has ${quoted(allowed)}`;
        return `${prefix}unknown ${inLayer ? 'option' : 'field'} "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; ${takes}`;
      })
      .join('; ');
  }
  if (inLayer && rest.length === 1 && rest[0] === 'type') {
    const types = layerTypes();
    const got = isObject(layer) ? layer['type'] : undefined;
    if (got === undefined) return `${where}: "type" is missing; give one of ${types.join(', ')}`;
    const hint = typeof got === 'string' ? nearest(got, types) : undefined;
    return `${where}: unknown type ${show(got)}${hint ? ` (did you mean "${hint}"?)` : ''}; the layer types are ${types.join(', ')}`;
  }
  const field = String(rest[0] ?? '');
  const value = isObject(node) ? node[field] : undefined;
  const wants = fields[field]?.description;
  if (value === undefined && wants) return `${prefix}"${field}" is missing; give ${wants}`;
  if (wants) return `${prefix}"${field}" must be ${wants}, got ${show(value)}`;
  return `${prefix}${field ? `"${rest.map(String).join('.')}": ` : ''}${issue.message}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The closest name within two edits (or a prefix of it), for "did you mean"; undefined if none is close. */
function nearest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const n of names) {
    const d = n.startsWith(word) || word.startsWith(n) ? 1 : editDistance(word.toLowerCase(), n.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
