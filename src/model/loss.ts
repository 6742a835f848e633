/**
 * The losses a model can be trained with, each its forward and its hand-written gradient side by
 * side, and its sums for evaluation in chunks of any size.
 *
 * - `softmax-cross-entropy` (classification; targets are class indices, int64 [n]):
 *   L = −(1/B) Σ_i log softmax(z_i)[y_i];  dL/dz = (softmax(z) − onehot(y)) / B.
 * - `squared-error` (regression; targets are vectors, float [n, outputs]):
 *   L = (1/B) Σ_i ½‖z_i − t_i‖²;  dL/dz = (z − t) / B.
 *   The ½ is Widrow–Hoff's, so a linear neuron's gradient is the plain residual times the input.
 */
import type { GraphBuilder } from '../graph/builder.js';

export const LOSS_NAMES = ['softmax-cross-entropy', 'squared-error'] as const;
export type LossName = (typeof LOSS_NAMES)[number];

export interface LossKind {
  /** What a target is: a class index (int64, one per example) or a float vector of the output's size. */
  readonly targets: 'class' | 'vector';
  /** Mean loss over the batch and its gradient with respect to the outputs. */
  emit(g: GraphBuilder, outputs: string, targets: string, outputSize: number, batch: number): { loss: string; dOutputs: string };
  /** Summed loss over the examples, and the number classified correctly (null: a regression has no accuracy). */
  emitEvalSums(g: GraphBuilder, outputs: string, targets: string, outputSize: number): { lossSum: string; correct: string | null };
}

const oneHot = (g: GraphBuilder, labels: string, numClasses: number) =>
  g.op('OneHot', [labels, g.constInt64([numClasses], []), g.constFloat([0, 1])], { axis: -1 });

const softmaxCrossEntropy: LossKind = {
  targets: 'class',
  emit(g, logits, labels, numClasses, batch) {
    const logp = g.op('LogSoftmax', [logits], { axis: 1 });
    const onehot = oneHot(g, labels, numClasses);
    const picked = g.op('ReduceSum', [g.op('Mul', [onehot, logp]), g.constInt64([0, 1])], { keepdims: 0 });
    const loss = g.op('Mul', [picked, g.scalarFloat(-1 / batch)]);
    const diff = g.op('Sub', [g.op('Exp', [logp]), onehot]);
    return { loss, dOutputs: g.op('Mul', [diff, g.scalarFloat(1 / batch)]) };
  },
  emitEvalSums(g, logits, labels, numClasses) {
    const logp = g.op('LogSoftmax', [logits], { axis: 1 });
    const lossSum = g.op('Neg', [g.op('ReduceSum', [g.op('Mul', [oneHot(g, labels, numClasses), logp]), g.constInt64([0, 1])], { keepdims: 0 })]);
    const predicted = g.op('ArgMax', [logits], { axis: 1, keepdims: 0 });
    const hits = g.op('Cast', [g.op('Equal', [predicted, labels])], { to: 1 });
    const correct = g.op('ReduceSum', [hits, g.constInt64([0])], { keepdims: 0 });
    return { lossSum, correct };
  },
};

const halfSumOfSquares = (g: GraphBuilder, residual: string) =>
  g.op('Mul', [g.op('ReduceSum', [g.op('Mul', [residual, residual]), g.constInt64([0, 1])], { keepdims: 0 }), g.scalarFloat(0.5)]);

const squaredError: LossKind = {
  targets: 'vector',
  emit(g, outputs, targets, _size, batch) {
    const residual = g.op('Sub', [outputs, targets]);
    return {
      loss: g.op('Mul', [halfSumOfSquares(g, residual), g.scalarFloat(1 / batch)]),
      dOutputs: g.op('Mul', [residual, g.scalarFloat(1 / batch)]),
    };
  },
  emitEvalSums(g, outputs, targets) {
    return { lossSum: halfSumOfSquares(g, g.op('Sub', [outputs, targets])), correct: null };
  },
};

const LOSSES: Record<LossName, LossKind> = { 'softmax-cross-entropy': softmaxCrossEntropy, 'squared-error': squaredError };

export const lossKind = (name: LossName): LossKind => LOSSES[name];
