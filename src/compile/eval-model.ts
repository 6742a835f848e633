/**
 * Evaluation graph: inputs x [n, …], y [n], the parameters and the buffers (batch norm's running
 * statistics, which evaluation normalises with; n may vary between runs);
 * outputs the summed loss and, for a classifier, the number of correct predictions.
 */
import { DType, GraphBuilder, encodeModel } from '../graph/builder.js';
import { lossKind } from '../model/loss.js';
import type { ResolvedModel } from '../model/model.js';
import { emitForward, targetInput } from './forward-backward.js';

export function buildEvalModel(model: ResolvedModel): Uint8Array {
  const g = new GraphBuilder('eval');
  const x = g.input('x', DType.float, ['n', ...model.inputShape]);
  const y = targetInput(g, model, 'y', 'n');
  const params = model.params.map((p) => g.input(p.id, DType.float, [...p.shape]));
  const buffers = model.buffers.map((b) => g.input(b.id, DType.float, [...b.shape]));
  const { logits } = emitForward(g, model, x, params, false, 0, { buffers });
  const { lossSum, correct } = lossKind(model.loss).emitEvalSums(g, logits, y, model.numClasses);
  g.identity(lossSum, 'loss_sum');
  g.output('loss_sum', DType.float, []);
  if (correct !== null) {
    g.identity(correct, 'correct');
    g.output('correct', DType.float, []);
  }
  return encodeModel(g.build());
}
