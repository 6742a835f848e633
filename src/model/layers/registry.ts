/** The one place that maps a layer's `type` to its implementation. */
import type { LayerKind } from '../layer.js';
import type { LayerOf, LayerSpec, LayerType } from '../spec.js';
import { avgpool2d } from './avgpool2d.js';
import { conv2d } from './conv2d.js';
import { dense } from './dense.js';
import { dropout } from './dropout.js';
import { flatten } from './flatten.js';
import { gelu } from './gelu.js';
import { globalavgpool } from './globalavgpool.js';
import { layernorm } from './layernorm.js';
import { leakyrelu } from './leakyrelu.js';
import { maxpool2d } from './maxpool2d.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';
import { tanh } from './tanh.js';
import { batchnorm } from './batchnorm.js';
import { residual } from './residual.js';

type Table = { [T in LayerType]: LayerKind<LayerOf<T>> };
// Built on first use: residual imports this module back, so the table cannot be built while
// modules are still loading.
let LAYERS: Table | undefined;

export function layerKind(spec: LayerSpec): LayerKind<LayerSpec> {
  LAYERS ??= {
    dense,
    conv2d,
    maxpool2d,
    avgpool2d,
    globalavgpool,
    relu,
    leakyrelu,
    tanh,
    sigmoid,
    gelu,
    layernorm,
    flatten,
    dropout,
    batchnorm,
    residual,
  };
  return LAYERS[spec.type] as LayerKind<LayerSpec>;
}
