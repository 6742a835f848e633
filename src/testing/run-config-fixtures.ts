/** The run configuration the sweep and advisor tests train on: a small ReLU net on the blobs data. */
import type { RunConfig } from '../engine/run-config.js';
import { modelSpecSchema } from '../model/spec.js';

/** Dense 12 → ReLU → dense 3, momentum at lr 0.05, constant rate, no held-out splits, 1 thread. */
export function blobsRunConfig(over: Partial<RunConfig> = {}): RunConfig {
  return {
    modelName: 'tiny',
    model: modelSpecSchema.parse({ layers: [{ type: 'dense', units: 12 }, { type: 'relu' }, { type: 'dense', units: 3 }] }),
    dataset: 'blobs',
    validationFraction: 0,
    testFraction: 0,
    batchSize: 1,
    iterSize: 1,
    optimizer: 'momentum',
    hyper: { lr: 0.05 },
    schedule: { kind: 'constant' },
    warmupSteps: 0,
    epochs: 1,
    seed: 1,
    threads: 1,
    ...over,
  };
}

/** Two hidden layers of 16: deep enough for a too-large rate to leave it dead at chance. */
export const DEEP_BLOBS_MODEL = modelSpecSchema.parse({ layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dense', units: 3 }] });
