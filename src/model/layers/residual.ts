/**
 * A residual block: y = body(x) + x, or body(x) + P(x) where the body changes the shape, with P a
 * 1×1 convolution (images; its stride brings the height and width to the body's) or a dense layer
 * (flat inputs) — the projection shortcut of He et al. 2016.
 * Backward: dy flows back through the body and through the shortcut, and dx is the sum of both;
 * each body layer gets its own slice of the parameters, buffers and gradient sinks.
 */
import type { BackwardContext, ForwardContext, LayerKind, Shape } from '../layer.js';
import type { LayerOf, LayerSpec } from '../spec.js';
import { layerKind } from './registry.js';

type Residual = LayerOf<'residual'>;

interface Part {
  readonly key: string;
  readonly spec: LayerSpec;
  readonly kind: LayerKind<LayerSpec>;
  readonly inShape: Shape;
  readonly params: number;
  readonly buffers: number;
}

interface Plan {
  /** The body's layers, then the projection if any; all read their input from the chain except the projection. */
  readonly body: readonly Part[];
  readonly projection: Part | null;
  readonly outShape: Shape;
}

const fmt = (s: Shape) => `[${s.join(', ')}]`;
const same = (a: Shape, b: Shape) => a.length === b.length && a.every((v, i) => v === b[i]);

function part(key: string, spec: LayerSpec, inShape: Shape): Part {
  const kind = layerKind(spec);
  return { key, spec, kind, inShape, params: kind.params(spec, inShape).length, buffers: kind.buffers?.(spec, inShape).length ?? 0 };
}

/** The shortcut that maps `inShape` onto `out`, or why there is none. */
function projectionSpec(inShape: Shape, out: Shape): LayerSpec | string {
  if (inShape.length === 1 && out.length === 1) return { type: 'dense', units: out[0]! };
  if (inShape.length === 3 && out.length === 3) {
    const stride: [number, number] = [Math.max(1, Math.round(inShape[1]! / out[1]!)), Math.max(1, Math.round(inShape[2]! / out[2]!))];
    const spec: LayerSpec = { type: 'conv2d', filters: out[0]!, kernel: 1, stride, padding: 0 };
    const projected = layerKind(spec).outShape(spec, inShape);
    if (typeof projected !== 'string' && same(projected, out)) return spec;
  }
  return `body maps ${fmt(inShape)} to ${fmt(out)}, which a 1×1 convolution or dense shortcut cannot match; make the body keep the input's rank and shrink height and width by a whole stride`;
}

function plan(s: Residual, inShape: Shape): Plan | string {
  const body: Part[] = [];
  let shape = inShape;
  for (const [j, spec] of s.layers.entries()) {
    const p = part(`b${j}`, spec, shape);
    const out = p.kind.outShape(spec, shape);
    if (typeof out === 'string') return `body layer ${j} (${spec.type}) ${out}`;
    body.push(p);
    shape = out;
  }
  if (same(shape, inShape)) return { body, projection: null, outShape: shape };
  const proj = projectionSpec(inShape, shape);
  if (typeof proj === 'string') return proj;
  return { body, projection: part('proj', proj, inShape), outShape: shape };
}

function planOrThrow(s: Residual, inShape: Shape): Plan {
  const p = plan(s, inShape);
  if (typeof p === 'string') throw new Error(`residual: ${p}`);
  return p;
}

/** Each part's slice of a list laid out part after part (parameters, buffers, sinks, stats). */
function slices<T>(parts: readonly Part[], list: readonly T[] | undefined, count: (p: Part) => number): (readonly T[])[] {
  let at = 0;
  return parts.map((p) => {
    const n = count(p);
    const s = (list ?? []).slice(at, at + n);
    at += n;
    return s;
  });
}

const partsOf = (p: Plan) => (p.projection ? [...p.body, p.projection] : p.body);

function contextOf(c: ForwardContext<Residual>, part: Part, j: number, x: string, params: readonly string[], buffers: readonly string[]): ForwardContext<LayerSpec> {
  return { spec: part.spec, inShape: part.inShape, x, params, buffers, training: c.training, seed: c.seed * 64 + j + 1, normGroup: c.normGroup };
}

function prefixed(saved: Readonly<Record<string, string>>, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(saved).map(([k, v]) => [`${key}.${k}`, v]));
}

function unprefixed(saved: Readonly<Record<string, string>>, key: string): Record<string, string> {
  const head = `${key}.`;
  return Object.fromEntries(Object.entries(saved).flatMap(([k, v]) => (k.startsWith(head) ? [[k.slice(head.length), v]] : [])));
}

export const residual: LayerKind<Residual> = {
  outShape: (s, inShape) => {
    const p = plan(s, inShape);
    return typeof p === 'string' ? p : p.outShape;
  },
  params: (s, inShape) => partsOf(planOrThrow(s, inShape)).flatMap((p) => p.kind.params(p.spec, p.inShape).map((q) => ({ ...q, name: `${p.key}_${q.name}` }))),
  buffers: (s, inShape) => partsOf(planOrThrow(s, inShape)).flatMap((p) => (p.kind.buffers?.(p.spec, p.inShape) ?? []).map((q) => ({ ...q, name: `${p.key}_${q.name}` }))),
  forward: (g, c) => {
    const pl = planOrThrow(c.spec, c.inShape);
    const parts = partsOf(pl);
    const params = slices(parts, c.params, (p) => p.params);
    const buffers = slices(parts, c.buffers, (p) => p.buffers);
    const saved: Record<string, string> = {};
    const stats: string[] = [];
    let h = c.x;
    pl.body.forEach((p, j) => {
      const r = p.kind.forward(g, contextOf(c, p, j, h, params[j]!, buffers[j]!));
      Object.assign(saved, prefixed(r.saved, p.key), { [`${p.key}@x`]: h });
      stats.push(...(r.stats ?? []));
      h = r.y;
    });
    let shortcut = c.x;
    if (pl.projection) {
      const j = pl.body.length;
      const r = pl.projection.kind.forward(g, contextOf(c, pl.projection, j, c.x, params[j]!, buffers[j]!));
      Object.assign(saved, prefixed(r.saved, pl.projection.key));
      shortcut = r.y;
    }
    return { y: g.op('Add', [h, shortcut]), saved, ...(c.training ? { stats } : {}) };
  },
  backward: (g, c) => {
    const pl = planOrThrow(c.spec, c.inShape);
    const parts = partsOf(pl);
    const params = slices(parts, c.params, (p) => p.params);
    const buffers = slices(parts, c.buffers, (p) => p.buffers);
    const sinks = slices(parts, c.sinks, (p) => p.params);
    const grads: string[][] = parts.map(() => []);
    const back = (p: Part, j: number, x: string, dy: string, needInputGrad: boolean) => {
      const ctx: BackwardContext<LayerSpec> = {
        ...contextOf(c, p, j, x, params[j]!, buffers[j]!),
        dy,
        saved: unprefixed(c.saved, p.key),
        needInputGrad,
        sinks: sinks[j]!,
      };
      const r = p.kind.backward(g, ctx);
      grads[j] = [...r.grads];
      return r.dx;
    };
    let d = c.dy;
    for (let j = pl.body.length - 1; j >= 0; j--) {
      const p = pl.body[j]!;
      const dx = back(p, j, c.saved[`${p.key}@x`]!, d, j > 0 || c.needInputGrad);
      if (j > 0 || c.needInputGrad) d = dx!;
    }
    let dx: string | null = null;
    const shortcut = pl.projection ? back(pl.projection, pl.body.length, c.x, c.dy, c.needInputGrad) : c.dy;
    if (c.needInputGrad) dx = g.op('Add', [d, shortcut!]);
    return { dx, grads: grads.flat() };
  },
  macs: (s, inShape) => partsOf(planOrThrow(s, inShape)).reduce((a, p) => a + p.kind.macs(p.spec, p.inShape), 0),
};
