/**
 * The trained network as a self-contained ONNX inference model: raw features in (the data's
 * normalisation is applied inside), class probabilities out. Weights and batch norm's running
 * statistics are initializers, so any ONNX runtime can load the file on its own.
 */
import { assert } from '../errors.js';
import { DType, GraphBuilder, encodeModel, floatTensor } from '../graph/builder.js';
import type { Normalization } from '../data/dataset.js';
import type { ResolvedModel } from '../model/model.js';
import { emitForward } from './forward-backward.js';

export function buildInferenceModel(model: ResolvedModel, weights: readonly Float32Array[], norm: Normalization, buffers: readonly Float32Array[] = []): Uint8Array {
  assert(buffers.length === model.buffers.length, `the model has ${model.buffers.length} buffers, ${buffers.length} given`);
  const g = new GraphBuilder(`batchwise_${model.spec.name}`);
  const raw = g.input('input', DType.float, ['batch', ...model.inputShape]);
  const meanDims = norm.mean.length === 1 ? [] : [...model.inputShape];
  const mean = g.initializer(floatTensor('norm_mean', norm.mean, meanDims));
  const std = g.initializer(floatTensor('norm_std', norm.std, meanDims));
  const x = g.op('Div', [g.op('Sub', [raw, mean]), std]);
  const params = model.params.map((p, i) => g.initializer(floatTensor(p.id, weights[i]!, [...p.shape])));
  const running = model.buffers.map((b, i) => g.initializer(floatTensor(b.id, buffers[i]!, [...b.shape])));
  const { logits } = emitForward(g, model, x, params, false, 0, { buffers: running });
  g.op('Softmax', [logits], { axis: 1 }, 'probabilities');
  g.output('probabilities', DType.float, ['batch', model.numClasses]);
  return encodeModel(g.build(), `batchwise ${model.spec.name}: input raw features, output class probabilities`);
}
