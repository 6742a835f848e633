/**
 * An optimizer, in the init/update style of optax, emitted into an ONNX graph.
 *
 * `slots` are per-parameter state tensors with the parameter's shape, created with `slotInit`.
 * `globals` are scalar state shared by all parameters (only iRprop+ needs one: the last loss).
 * `update` emits the ops of one step for one parameter and returns the new parameter and slots;
 * `updateGlobals` (if any) emits the new global values once per step.
 */
import type { GraphBuilder } from '../graph/builder.js';

export interface Hyper {
  /** Learning rate (or, for Rprop, the initial step size Δ0). */
  readonly lr: number;
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  /** RMSProp's decay ρ of the squared-gradient average. */
  readonly rho: number;
  readonly eps: number;
  /** L2 penalty added to the gradient (coupled weight decay): g ← g + λ·θ. */
  readonly weightDecay: number;
  readonly etaPlus: number;
  readonly etaMinus: number;
  readonly stepMin: number;
  readonly stepMax: number;
}

export interface UpdateInputs {
  readonly param: string;
  /** Mean gradient over the update's B·K examples, weight decay already added. */
  readonly grad: string;
  /** Current slot values, in the order of `Optimizer.slots`. */
  readonly slots: readonly string[];
  /** Current global values, in the order of `Optimizer.globals`. */
  readonly globals: readonly string[];
  /** Learning rate of this step (scalar float), after the schedule. */
  readonly lr: string;
  /** 1-based index of this update (scalar float), for bias corrections. */
  readonly t: string;
  /** Mean loss of this step's batch at the current weights (scalar float). */
  readonly loss: string;
}

export interface UpdateOutputs {
  readonly param: string;
  /** New slot values, in the order of `Optimizer.slots`. */
  readonly slots: readonly string[];
}

/**
 * An update whose first stage is `target ← β·target + α·g` (target: the parameter or one slot; β
 * a constant; α = −η, η or 1). The compiler may have the layer produce that value directly from
 * its backward product (see GradSink) and then calls `finish` with it. It must give exactly what
 * `update` gives; it is used only without weight decay and without accumulation.
 */
export interface FusedStage {
  readonly target: 'param' | { readonly slot: number };
  readonly beta: number;
  readonly alpha: 'lr' | 'negLr' | 'one';
  finish(g: GraphBuilder, u: { readonly param: string; readonly fused: string; readonly slots: readonly string[]; readonly lr: string }): UpdateOutputs;
}

export interface Optimizer {
  readonly name: string;
  readonly hyper: Hyper;
  readonly slots: readonly string[];
  /** Initial value of each slot (all elements equal). */
  slotInit(slot: string): number;
  readonly globals: readonly string[];
  globalInit(name: string): number;
  update(g: GraphBuilder, u: UpdateInputs): UpdateOutputs;
  /** New values of the globals after this step; absent when there are none. */
  updateGlobals?(g: GraphBuilder, u: { globals: readonly string[]; loss: string }): string[];
  /** Present when the update can start inside the backward pass (SGD, heavy-ball momentum). */
  readonly fused?: FusedStage;
  /** Full-batch-only methods say so; the trainer refuses other batch sizes. */
  readonly fullBatchOnly: boolean;
  /** Whether the schedule's learning rate drives the step (false for Rprop). */
  readonly usesLearningRate: boolean;
}
