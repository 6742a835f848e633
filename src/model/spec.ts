/**
 * The model description a user writes (JSON) or builds in TypeScript, checked with one schema.
 */
import { z } from 'zod';

const positiveInt = z.number().int().min(1);
const pair = z.union([positiveInt, z.tuple([positiveInt, positiveInt])]);

export const layerSpecSchema = z.discriminatedUnion('type', [
  /** `bias: false` drops b (a plain linear map, as the lab's linear neuron needs). */
  z.object({ type: z.literal('dense'), units: positiveInt, bias: z.boolean().optional() }).strict(),
  z
    .object({
      type: z.literal('conv2d'),
      filters: positiveInt,
      kernel: pair,
      stride: pair.default(1),
      padding: z.union([z.number().int().min(0), z.tuple([z.number().int().min(0), z.number().int().min(0)])]).default(0),
    })
    .strict(),
  z.object({ type: z.literal('maxpool2d'), size: pair.default(2), stride: pair.optional() }).strict(),
  z.object({ type: z.literal('relu') }).strict(),
  z.object({ type: z.literal('flatten') }).strict(),
  z.object({ type: z.literal('dropout'), rate: z.number().min(0).lt(1) }).strict(),
  /** PyTorch's defaults: running statistics move 10% per update; ε inside the square root. */
  z.object({ type: z.literal('batchnorm'), momentum: z.number().gt(0).max(1).default(0.1), epsilon: z.number().gt(0).default(1e-5) }).strict(),
  z
    .object({
      type: z.literal('residual'),
      get layers() {
        return z.array(layerSpecSchema).min(1);
      },
    })
    .strict(),
]);

export const modelSpecSchema = z
  .object({
    name: z.string().default('custom'),
    /** "flat" feeds examples as vectors; "image" as [channels, height, width]. */
    input: z.enum(['flat', 'image']).default('flat'),
    layers: z.array(layerSpecSchema).min(1),
  })
  .strict();

export type LayerSpec = z.output<typeof layerSpecSchema>;
export type ModelSpec = z.output<typeof modelSpecSchema>;
export type LayerType = LayerSpec['type'];
export type LayerOf<T extends LayerType> = Extract<LayerSpec, { type: T }>;

export { pairOf } from './pair.js';
