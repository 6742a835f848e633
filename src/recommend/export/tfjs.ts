/**
 * TensorFlow.js: a JavaScript snippet that compiles the model and calls model.fit. Checked against
 * tfjs-core's src/optimizers (optimizer_constructors.ts and each optimizer's applyGradients):
 * - tf.train.sgd(lr); tf.train.momentum(lr, momentum, useNesterov): a ← μ·a + g,
 *   θ ← θ − lr·a (Nesterov: θ ← θ − lr·(g + μ·a)), as batchwise's;
 * - tf.train.adam(lr, beta1, beta2, epsilon): ε added to √v̂, as batchwise's;
 * - tf.train.rmsprop(lr, decay, momentum, epsilon): θ −= lr·g/√(s + epsilon) (inside the root);
 * - tf.train.adagrad(lr, initialAccumulatorValue): θ −= lr·g/√(s + backend.epsilon()), s₀ given
 *   (documented as positive); epsilon() is 1e-7 on float32 backends and cannot be set.
 * SGD and Momentum hold the rate in a tensor set by setLearningRate(); Adam, RMSProp and Adagrad
 * read this.learningRate at every applyGradients, so a callback can drive a schedule.
 * tfjs-layers' fit has no gradient accumulation and no data parallelism: the whole effective
 * batch is one batch, and it keeps each epoch's last partial batch.
 */
import { batchFactors, rejectRprop, scheduleText, targetComment, type ExportedConfig, type ResolvedPlan } from './plan.js';

/** tfjs-core's EPSILON_FLOAT32, what KernelBackend.epsilon() returns on float32 backends (CPU, WebGL with float32 textures). */
const TFJS_FLOAT32_EPS = 1e-7;

/** ε² and friends without float noise in the printed text (1e-10·1e-10 prints as 1.0000000000000001e-20). */
const tidy = (x: number): number => +x.toPrecision(12);

export function exportTfjs(r: ResolvedPlan): ExportedConfig {
  rejectRprop('tfjs', r, 'TensorFlow.js');
  const { plan, hyper } = r;
  const notes: string[] = [];
  if (plan.iterSize > 1 || plan.worldSize > 1) {
    notes.push(
      `tfjs has no gradient accumulation${plan.worldSize > 1 ? ' or data parallelism' : ''}: batchSize ${r.effectiveBatch} = ${batchFactors(r, 'micro-batch', 'iterSize', 'devices')} in one batch, so one device's memory must hold the whole effective batch`,
    );
  }
  const [optimizer, setsLr] = optimizerCall(r, notes);
  const lines = [
    `// TensorFlow.js training for ${plan.modelName}: batchSize ${r.effectiveBatch}${targetComment(r)}.`,
    `// sparseCategoricalCrossentropy takes integer labels and a softmax output layer.`,
    `const optimizer = ${optimizer};`,
    `model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });`,
  ];
  const schedule = lrFunction(r);
  if (schedule) {
    lines.push(
      `// batchwise's learning-rate schedule (${scheduleText(r)}), set before each update.`,
      `const lrAt = ${schedule};`,
      `let update = 0;`,
    );
  }
  if (hyper.weightDecay > 0) {
    lines.push(`// Weight decay ${hyper.weightDecay}: tfjs optimizers have none; give every layer kernelRegularizer and biasRegularizer tf.regularizers.l2({ l2: ${hyper.weightDecay / 2} }).`);
    notes.push(`weight decay is a layer setting in tfjs: l2 = ${hyper.weightDecay / 2} on every kernel and bias adds ${hyper.weightDecay}·θ to the gradient, as batchwise's`);
  }
  lines.push(`await model.fit(xs, ys, {`, `  batchSize: ${r.effectiveBatch},`, `  epochs: ${plan.epochs},`, `  shuffle: true,`);
  if (schedule) {
    const set = setsLr === 'setter' ? 'optimizer.setLearningRate(lrAt(update++));' : 'optimizer.learningRate = lrAt(update++);';
    lines.push(`  callbacks: { onBatchBegin: async () => { ${set} } },`);
    if (setsLr === 'field') notes.push(`the schedule assigns optimizer.learningRate, a protected field in tfjs's typings (cast in TypeScript), read at every update`);
  }
  lines.push(`});`);
  notes.push(`tfjs's fit keeps each epoch's last partial batch: ⌈${plan.trainExamples} / ${r.effectiveBatch}⌉ = ${Math.ceil(plan.trainExamples / r.effectiveBatch)} updates per epoch where batchwise runs ${r.updatesPerEpoch}`);
  return { format: 'tfjs', fileName: 'train-tfjs.js', text: lines.join('\n') + '\n', notes };
}

function optimizerCall(r: ResolvedPlan, notes: string[]): [string, 'setter' | 'field'] {
  const h = r.hyper;
  switch (r.plan.optimizer) {
    case 'sgd':
      return [`tf.train.sgd(${h.lr})`, 'setter'];
    case 'momentum':
    case 'nesterov':
      return [`tf.train.momentum(${h.lr}, ${h.momentum}, ${r.plan.optimizer === 'nesterov'})`, 'setter'];
    case 'adam':
      return [`tf.train.adam(${h.lr}, ${h.beta1}, ${h.beta2}, ${h.eps})`, 'field'];
    case 'rmsprop': {
      // tfjs adds epsilon inside the root; ε² there keeps batchwise's floor ε: √s + ε ≥ √(s + ε²) ≥ (√s + ε)/√2.
      const eps2 = tidy(h.eps * h.eps);
      notes.push(`tfjs's RMSProp adds epsilon inside the square root, so it gets ε² = ${eps2}: its √(s + ${eps2}) is within a factor √2 of batchwise's √s + ${h.eps} (equal where s ≫ ε² or s ≪ ε²), each step at most √2 times batchwise's`);
      return [`tf.train.rmsprop(${h.lr}, ${h.rho}, 0, ${eps2})`, 'field'];
    }
    case 'adagrad': {
      // tfjs wants s₀ > 0; ε² is as close to batchwise's s₀ = 0 as matters, below the backend's ε.
      const s0 = tidy(h.eps * h.eps);
      notes.push(
        `tfjs's Adagrad divides by √(s + ${TFJS_FLOAT32_EPS}), its float32 backends' fixed epsilon (1e-4 on a float16 WebGL device), from s₀ = ${s0}; batchwise by √s + ${h.eps} from 0: the same once s ≫ ${TFJS_FLOAT32_EPS} (accumulated |g| ≫ ${+Math.sqrt(TFJS_FLOAT32_EPS).toPrecision(2)}), smaller steps before`,
      );
      return [`tf.train.adagrad(${h.lr}, ${s0})`, 'field'];
    }
    case 'rprop':
    case 'irprop+':
      throw new Error('internal error: Rprop reached the tfjs exporter');
  }
}

/** batchwise's lrAt (src/optim/schedule.ts) as a JavaScript arrow function, or null when constant. */
function lrFunction(r: ResolvedPlan): string | null {
  const s = r.schedule;
  const lr = r.hyper.lr;
  const w = s.warmupSteps;
  let after: string;
  switch (s.kind) {
    case 'constant':
      if (w === 0) return null;
      after = `${lr}`;
      break;
    case 'step':
      after = `${lr} * Math.pow(${s.gamma}, Math.floor(${w > 0 ? `(i - ${w})` : 'i'} / ${s.everySteps}))`;
      break;
    case 'cosine': {
      const j = w > 0 ? `(i - ${w})` : 'i';
      after = `${j} >= ${s.totalSteps} ? ${s.minLr} : ${s.minLr} + ${lr - s.minLr} * (1 + Math.cos(Math.PI * ${j} / ${s.totalSteps})) / 2`;
      break;
    }
  }
  return w > 0 ? `(i) => (i < ${w} ? (${lr} * (i + 1)) / ${w} : ${after})` : `(i) => ${after}`;
}
