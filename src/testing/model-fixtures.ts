/** Model files shared by tests (not a test file itself). */

/** An image model through the newer layers (layernorm, gelu, avgpool2d, leakyrelu), ending in global average pooling as a ResNet does. */
export const NEWER_LAYERS_IMAGE_MODEL = {
  input: 'image',
  layers: [
    { type: 'conv2d', filters: 4, kernel: 3, padding: 1 },
    { type: 'layernorm' },
    { type: 'gelu' },
    { type: 'avgpool2d', size: 3, stride: 2, padding: 1 },
    { type: 'conv2d', filters: 6, kernel: 3, padding: 1 },
    { type: 'leakyrelu' },
    { type: 'globalavgpool' },
    { type: 'dense', units: 3 },
  ],
};
