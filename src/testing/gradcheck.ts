/**
 * Finite-difference gradient checks, shared by the layer and loss tests.
 *
 * A layer is wrapped as L(x, θ) = Σ y ⊙ R for a fixed random R, so that dL/dy = R and the layer's
 * own backward gives dL/dx and dL/dθ. Each analytic gradient is compared with the central
 * difference of L along random directions v: (L(θ + εv) − L(θ − εv)) / 2ε ≈ ⟨∇L, v⟩.
 */
import { DType, GraphBuilder, encodeModel } from '../graph/builder.js';
import { createSession, floatTensor, runFloat, type Feeds } from '../engine/ort.js';
import { Rng } from '../rng.js';
import { size, type Shape } from '../model/layer.js';
import { layerKind } from '../model/layers/registry.js';
import type { LayerSpec } from '../model/spec.js';

export interface GradCheckResult {
  /** For "x" and each parameter: analytic and numeric directional derivatives. */
  readonly checks: { name: string; analytic: number; numeric: number }[];
}

/** `normGroup`: examples per batch-norm group (ghost batch norm); absent: the whole batch. */
export async function checkLayerGradients(spec: LayerSpec, inShape: Shape, batch: number, seed = 1, normGroup?: number): Promise<GradCheckResult> {
  const kind = layerKind(spec);
  const outShape = kind.outShape(spec, inShape);
  if (typeof outShape === 'string') throw new Error(outShape);
  const paramSpecs = kind.params(spec, inShape);
  const g = new GraphBuilder('check');
  const x = g.input('x', DType.float, [batch, ...inShape]);
  const params = paramSpecs.map((p) => g.input(`p_${p.name}`, DType.float, [...p.shape]));
  const r = g.input('r', DType.float, [batch, ...outShape]);
  const fwd = kind.forward(g, { spec, inShape, x, params, training: true, seed: 1, batch, normGroup });
  const loss = g.op('ReduceSum', [g.op('Mul', [fwd.y, r])], { keepdims: 0 });
  const bwd = kind.backward(g, { spec, inShape, x, params, training: true, seed: 1, batch, normGroup, dy: r, saved: fwd.saved, needInputGrad: true });
  g.identity(loss, 'loss');
  g.output('loss', DType.float, []);
  g.identity(bwd.dx!, 'grad_x');
  g.output('grad_x', DType.float, [batch, ...inShape]);
  paramSpecs.forEach((p, i) => {
    g.identity(bwd.grads[i]!, `grad_p_${p.name}`);
    g.output(`grad_p_${p.name}`, DType.float, [...p.shape]);
  });
  const session = await createSession(encodeModel(g.build()), { threads: 1 });

  const rng = new Rng(seed);
  const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const values: Record<string, { data: Float32Array; dims: number[] }> = {
    x: { data: randn(batch * size(inShape)), dims: [batch, ...inShape] },
    r: { data: randn(batch * size(outShape)), dims: [batch, ...outShape] },
  };
  for (const p of paramSpecs) values[`p_${p.name}`] = { data: randn(size(p.shape)), dims: [...p.shape] };
  const feeds = (): Feeds => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, floatTensor(v.data, v.dims)]));
  const base = await runFloat(session, feeds());

  const checks: GradCheckResult['checks'] = [];
  for (const name of ['x', ...paramSpecs.map((p) => `p_${p.name}`)]) {
    const grad = base[`grad_${name}`]!;
    for (let trial = 0; trial < 2; trial++) {
      const v = randn(grad.length);
      const norm = Math.hypot(...v);
      const original = values[name]!.data;
      const eps = 1e-2;
      const at = async (sign: number) => {
        values[name] = { ...values[name]!, data: original.map((o, i) => o + (sign * eps * v[i]!) / norm) };
        return (await runFloat(session, feeds()))['loss']![0]!;
      };
      const numeric = ((await at(1)) - (await at(-1))) / (2 * eps);
      values[name] = { ...values[name]!, data: original };
      const analytic = grad.reduce((a, gi, i) => a + (gi * v[i]!) / norm, 0);
      checks.push({ name: name.replace(/^p_/, ''), analytic, numeric });
    }
  }
  return { checks };
}
