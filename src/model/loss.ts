/**
 * Softmax cross-entropy, mean over the batch: L = −(1/B) Σ_i log softmax(z_i)[y_i].
 * Gradient: dL/dz = (softmax(z) − onehot(y)) / B.
 */
import type { GraphBuilder } from '../graph/builder.js';

export function emitSoftmaxCrossEntropy(
  g: GraphBuilder,
  logits: string,
  labels: string,
  numClasses: number,
  batch: number,
): { loss: string; dLogits: string } {
  const logp = g.op('LogSoftmax', [logits], { axis: 1 });
  const onehot = g.op('OneHot', [labels, g.constInt64([numClasses], []), g.constFloat([0, 1])], { axis: -1 });
  const picked = g.op('ReduceSum', [g.op('Mul', [onehot, logp]), g.constInt64([0, 1])], { keepdims: 0 });
  const loss = g.op('Mul', [picked, g.scalarFloat(-1 / batch)]);
  const diff = g.op('Sub', [g.op('Exp', [logp]), onehot]);
  return { loss, dLogits: g.op('Mul', [diff, g.scalarFloat(1 / batch)]) };
}

/** Summed loss and number of correct predictions, for evaluation in chunks of any size. */
export function emitEvalSums(g: GraphBuilder, logits: string, labels: string, numClasses: number): { lossSum: string; correct: string } {
  const logp = g.op('LogSoftmax', [logits], { axis: 1 });
  const onehot = g.op('OneHot', [labels, g.constInt64([numClasses], []), g.constFloat([0, 1])], { axis: -1 });
  const lossSum = g.op('Neg', [g.op('ReduceSum', [g.op('Mul', [onehot, logp]), g.constInt64([0, 1])], { keepdims: 0 })]);
  const predicted = g.op('ArgMax', [logits], { axis: 1, keepdims: 0 });
  const hits = g.op('Cast', [g.op('Equal', [predicted, labels])], { to: 1 });
  const correct = g.op('ReduceSum', [hits, g.constInt64([0])], { keepdims: 0 });
  return { lossSum, correct };
}
