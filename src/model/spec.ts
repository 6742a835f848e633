/**
 * The model description a user writes (JSON) or builds in TypeScript, checked with one schema.
 * Every layer option carries a `.describe()` saying what it accepts: the model-file check
 * (check-spec.ts) turns a bad value into "must be <that>", so a new layer kind's options get clear
 * messages by being declared here, and check-spec.test.ts fails on an option without one.
 */
import { z } from 'zod';

const positiveInt = z.number().int().min(1);
const count = positiveInt.describe('a whole number ≥ 1');
const pair = z.union([positiveInt, z.tuple([positiveInt, positiveInt])]);
const nonNegativeInt = z.number().int().min(0);
const padding = z.union([nonNegativeInt, z.tuple([nonNegativeInt, nonNegativeInt])]);
const PAIR = 'a whole number ≥ 1 or a pair [height, width] of them';
const PADDING = 'a whole number ≥ 0 or a pair [height, width] of them';

export const layerSpecSchema = z.discriminatedUnion('type', [
  /** `bias: false` drops b (a plain linear map, as the lab's linear neuron needs). */
  z.object({ type: z.literal('dense'), units: count, bias: z.boolean().optional().describe('true or false') }).strict(),
  z
    .object({
      type: z.literal('conv2d'),
      filters: count,
      kernel: pair.describe(PAIR),
      stride: pair.default(1).describe(PAIR),
      padding: padding.default(0).describe(PADDING),
    })
    .strict(),
  z.object({ type: z.literal('maxpool2d'), size: pair.default(2).describe(PAIR), stride: pair.optional().describe(PAIR) }).strict(),
  /** Options as maxpool2d's, plus zero padding that counts in the mean (PyTorch's default). */
  z
    .object({
      type: z.literal('avgpool2d'),
      size: pair.default(2).describe(PAIR),
      stride: pair.optional().describe(PAIR),
      padding: padding.default(0).describe(PADDING),
    })
    .strict(),
  z.object({ type: z.literal('globalavgpool') }).strict(),
  z.object({ type: z.literal('relu') }).strict(),
  z.object({ type: z.literal('leakyrelu'), alpha: z.number().min(0).default(0.01).describe('a number ≥ 0 (PyTorch\'s default is 0.01)') }).strict(),
  z.object({ type: z.literal('tanh') }).strict(),
  z.object({ type: z.literal('sigmoid') }).strict(),
  /** The exact erf form, as PyTorch's nn.GELU(). */
  z.object({ type: z.literal('gelu') }).strict(),
  z.object({ type: z.literal('layernorm'), eps: z.number().gt(0).default(1e-5).describe('a number > 0 (PyTorch\'s default is 1e-5)') }).strict(),
  z.object({ type: z.literal('flatten') }).strict(),
  z.object({ type: z.literal('dropout'), rate: z.number().min(0).lt(1).describe('a number in [0, 1)') }).strict(),
  /** PyTorch's defaults: running statistics move 10% per update; ε inside the square root. */
  z
    .object({
      type: z.literal('batchnorm'),
      momentum: z.number().gt(0).max(1).default(0.1).describe('a number in (0, 1] (PyTorch\'s default is 0.1)'),
      eps: z.number().gt(0).default(1e-5).describe('a number > 0 (PyTorch\'s default is 1e-5)'),
    })
    .strict(),
  z
    .object({
      type: z.literal('residual'),
      get layers() {
        return z.array(layerSpecSchema).min(1).describe('a non-empty list of layers (the block\'s body), e.g. [{"type": "conv2d", "filters": 16, "kernel": 3, "padding": 1}]');
      },
    })
    .strict(),
]);

export const modelSpecSchema = z
  .object({
    name: z.string().default('custom').describe('a string'),
    /** "flat" feeds examples as vectors; "image" as [channels, height, width]. */
    input: z.enum(['flat', 'image']).default('flat').describe('"flat" or "image"'),
    layers: z.array(layerSpecSchema).min(1).describe('a non-empty list of layers, e.g. [{"type": "dense", "units": 10}]'),
  })
  .strict();

export type LayerSpec = z.output<typeof layerSpecSchema>;
export type ModelSpec = z.output<typeof modelSpecSchema>;
export type LayerType = LayerSpec['type'];
export type LayerOf<T extends LayerType> = Extract<LayerSpec, { type: T }>;

export { pairOf } from './pair.js';
