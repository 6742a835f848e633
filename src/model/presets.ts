/** Built-in models. `mlp` is the 784-512-512-10 net the engine notes were measured on. */
import type { ModelSpec } from './spec.js';

export const PRESETS: Readonly<Record<string, ModelSpec>> = {
  mlp: {
    name: 'mlp',
    input: 'flat',
    layers: [{ type: 'dense', units: 512 }, { type: 'relu' }, { type: 'dense', units: 512 }, { type: 'relu' }, { type: 'dense', units: 10 }],
  },
  /** A small LeNet-like conv net for 28×28 single-channel images. */
  cnn: {
    name: 'cnn',
    input: 'image',
    layers: [
      { type: 'conv2d', filters: 16, kernel: 5, stride: 1, padding: 2 },
      { type: 'relu' },
      { type: 'maxpool2d', size: 2 },
      { type: 'conv2d', filters: 32, kernel: 5, stride: 1, padding: 2 },
      { type: 'relu' },
      { type: 'maxpool2d', size: 2 },
      { type: 'flatten' },
      { type: 'dense', units: 128 },
      { type: 'relu' },
      { type: 'dense', units: 10 },
    ],
  },
  /**
   * A small residual net with batch norm for 28×28 single-channel images: a 24-channel stem, a
   * residual block at 14×14, a strided block to 48 channels at 7×7 (1×1 projection shortcut), then
   * a linear classifier. 3.9 M multiply-adds per example, 1.3× the cnn's. At 16 and
   * 32 channels (1.8 M) it reached 99.11% MNIST test accuracy with the defaults; this width
   * reaches 99.3% (README, Models).
   */
  resnet: {
    name: 'resnet',
    input: 'image',
    layers: [
      { type: 'conv2d', filters: 24, kernel: 3, stride: 1, padding: 1 },
      { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
      { type: 'relu' },
      { type: 'maxpool2d', size: 2 },
      {
        type: 'residual',
        layers: [
          { type: 'conv2d', filters: 24, kernel: 3, stride: 1, padding: 1 },
          { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
          { type: 'relu' },
          { type: 'conv2d', filters: 24, kernel: 3, stride: 1, padding: 1 },
          { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
        ],
      },
      { type: 'relu' },
      {
        type: 'residual',
        layers: [
          { type: 'conv2d', filters: 48, kernel: 3, stride: 2, padding: 1 },
          { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
          { type: 'relu' },
          { type: 'conv2d', filters: 48, kernel: 3, stride: 1, padding: 1 },
          { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
        ],
      },
      { type: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units: 10 },
    ],
  },
};
