/**
 * Peak training memory as a line in the micro-batch B: peak ≈ fixed + perSample·B, fitted by
 * least squares to the probes, read back for any budget, and split by component. The
 * components other than activations and workspace are counted, not measured: float32 parameters,
 * one gradient per parameter, and one tensor per parameter per optimizer slot.
 */
import { assert } from '../errors.js';
import { size } from '../model/layer.js';
import { paramCount, type ResolvedModel } from '../model/model.js';

export interface MemoryModel {
  readonly fixedBytes: number;
  readonly perSampleBytes: number;
  /** Coefficient of determination of the fit; null with fewer than two distinct batch sizes. */
  readonly r2: number | null;
}

export interface MemoryComponents {
  readonly parametersBytes: number;
  readonly gradientsBytes: number;
  readonly optimizerStateBytes: number;
  /** The fitted slope: what one more example per micro-batch costs. */
  readonly activationsBytesPerSample: number;
  /** float32 input and layer outputs of one example: what the forward pass keeps for the backward. */
  readonly analyticActivationsBytesPerSample: number;
  /** fixed − parameters − gradients − optimizer state: ORT's sessions, arena and thread pools, measured as a remainder. */
  readonly workspaceBytes: number;
}

export interface PeakPoint {
  readonly batchSize: number;
  readonly peakBytes: number;
}

const FLOAT_BYTES = 4;

/** A micro-batch fits when its peak is at most (1 − margin)·budget. */
export const DEFAULT_MARGIN = 0.1;

/**
 * Least squares over the points. With a single batch size the slope cannot be measured; it is
 * then `fallbackPerSampleBytes` (the analytic activations) and the line goes through the point.
 */
export function fitMemoryModel(points: readonly PeakPoint[], fallbackPerSampleBytes: number): MemoryModel {
  assert(points.length >= 1, 'a memory fit needs at least one measured peak');
  const n = points.length;
  const meanB = points.reduce((a, p) => a + p.batchSize, 0) / n;
  const meanPeak = points.reduce((a, p) => a + p.peakBytes, 0) / n;
  let sBB = 0;
  let sBP = 0;
  let sPP = 0;
  for (const p of points) {
    sBB += (p.batchSize - meanB) ** 2;
    sBP += (p.batchSize - meanB) * (p.peakBytes - meanPeak);
    sPP += (p.peakBytes - meanPeak) ** 2;
  }
  if (sBB === 0) return { fixedBytes: meanPeak - fallbackPerSampleBytes * meanB, perSampleBytes: fallbackPerSampleBytes, r2: null };
  // Peaks that fall as B grows are RSS noise larger than what the examples cost (tiny data and
  // models): an example cannot free memory, so the line is flat through the mean and explains
  // none of the scatter.
  if (sBP < 0) return { fixedBytes: meanPeak, perSampleBytes: 0, r2: 0 };
  const perSampleBytes = sBP / sBB;
  const fixedBytes = meanPeak - perSampleBytes * meanB;
  // sPP = 0: every peak equal, and the flat line explains them exactly.
  const r2 = sPP === 0 ? 1 : (sBP * sBP) / (sBB * sPP);
  return { fixedBytes, perSampleBytes, r2 };
}

export function predictPeakBytes(model: MemoryModel, batchSize: number): number {
  return model.fixedBytes + model.perSampleBytes * batchSize;
}

/** The largest batch in [0, maxBatch] whose predicted peak is within (1 − margin)·budget; 0 when not even 1 is. */
export function largestBatchFor(model: MemoryModel, budgetBytes: number, margin: number, maxBatch: number): number {
  const limit = (1 - margin) * budgetBytes;
  if (model.perSampleBytes <= 0) return predictPeakBytes(model, 1) <= limit ? maxBatch : 0;
  const b = Math.floor((limit - model.fixedBytes) / model.perSampleBytes);
  return Math.max(0, Math.min(maxBatch, b));
}

export function analyticActivationBytesPerSample(model: ResolvedModel): number {
  return FLOAT_BYTES * model.layers.reduce((a, l) => a + size(l.outShape), size(model.inputShape));
}

export function memoryComponents(model: ResolvedModel, optimizerSlots: number, fitted: MemoryModel): MemoryComponents {
  const p = FLOAT_BYTES * paramCount(model);
  const state = p + p + p * optimizerSlots;
  return {
    parametersBytes: p,
    gradientsBytes: p,
    optimizerStateBytes: p * optimizerSlots,
    activationsBytesPerSample: fitted.perSampleBytes,
    analyticActivationsBytesPerSample: analyticActivationBytesPerSample(model),
    workspaceBytes: fitted.fixedBytes - state,
  };
}
