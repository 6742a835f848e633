/** Test helper: one layer's forward output on given inputs and parameters, to compare with a formula. */
import { DType, GraphBuilder, encodeModel } from '../graph/builder.js';
import { createSession, floatTensor, runFloat, type Feeds } from '../engine/ort.js';
import { size, type Shape } from '../model/layer.js';
import { layerKind } from '../model/layers/registry.js';
import type { LayerSpec } from '../model/spec.js';

export async function layerOutputs(spec: LayerSpec, inShape: Shape, x: readonly number[], params: readonly (readonly number[])[] = [], training = true): Promise<Float32Array> {
  const kind = layerKind(spec);
  const outShape = kind.outShape(spec, inShape);
  if (typeof outShape === 'string') throw new Error(outShape);
  const batch = x.length / size(inShape);
  const paramSpecs = kind.params(spec, inShape);
  const g = new GraphBuilder('forward');
  const xIn = g.input('x', DType.float, [batch, ...inShape]);
  const names = paramSpecs.map((p) => g.input(`p_${p.name}`, DType.float, [...p.shape]));
  const fwd = kind.forward(g, { spec, inShape, x: xIn, params: names, training, seed: 1 });
  g.identity(fwd.y, 'y');
  g.output('y', DType.float, [batch, ...outShape]);
  const session = await createSession(encodeModel(g.build()), { threads: 1 });
  const feeds: Feeds = { x: floatTensor(Float32Array.from(x), [batch, ...inShape]) };
  paramSpecs.forEach((p, i) => (feeds[`p_${p.name}`] = floatTensor(Float32Array.from(params[i]!), [...p.shape])));
  return (await runFloat(session, feeds))['y']!;
}
