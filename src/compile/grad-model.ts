/**
 * A graph computing the mean loss and every parameter's gradient on one batch: inputs x, y and
 * the parameters; outputs `loss` and `grad_<param>`. Used by gradient checks and by anything that
 * needs raw gradients (noise-scale measurement). With weight decay λ > 0 each gradient is
 * g + λθ, the one the trainer's update steps on (optim/weight-decay.ts); `loss` stays the data
 * loss, without the penalty, as the trainer reports it.
 */
import { DType, GraphBuilder, encodeModel } from '../graph/builder.js';
import type { ResolvedModel } from '../model/model.js';
import { emitGradWithDecay } from '../optim/weight-decay.js';
import { emitForwardBackward, targetInput } from './forward-backward.js';

export function buildGradModel(model: ResolvedModel, batch: number, weightDecay = 0): Uint8Array {
  const g = new GraphBuilder('grad');
  const x = g.input('x', DType.float, [batch, ...model.inputShape]);
  const y = targetInput(g, model, 'y', batch);
  const params = model.params.map((p) => g.input(p.id, DType.float, [...p.shape]));
  const { loss, grads } = emitForwardBackward(g, model, x, y, params, batch);
  g.identity(loss, 'loss');
  g.output('loss', DType.float, []);
  model.params.forEach((p, i) => {
    g.identity(emitGradWithDecay(g, grads[i]!, params[i]!, weightDecay), `grad_${p.id}`);
    g.output(`grad_${p.id}`, DType.float, [...p.shape]);
  });
  return encodeModel(g.build());
}
