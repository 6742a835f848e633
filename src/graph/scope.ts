/**
 * Node-name scopes that say which layer and which part of a training step emitted a node
 * ("forward:L3.conv2d/Conv_12"), so a profile by node name can be read back by layer and phase.
 */

export type Phase = 'forward' | 'backward' | 'update' | 'loss';

export interface Scope {
  readonly phase: Phase;
  /** The layer's index in the model and its type; null for the loss. */
  readonly layer: { readonly index: number; readonly type: string } | null;
}

export function layerScope(phase: Exclude<Phase, 'loss'>, index: number, type: string): string {
  return `${phase}:L${index}.${type}`;
}

export const LOSS_SCOPE = 'loss';

const SCOPED = /^(forward|backward|update):L(\d+)\.([A-Za-z0-9_]+)\//;

/** The scope a node name (or a name ORT derived from it) starts with; null for unscoped names. */
export function parseScope(nodeName: string): Scope | null {
  if (nodeName.startsWith(`${LOSS_SCOPE}/`)) return { phase: 'loss', layer: null };
  const m = SCOPED.exec(nodeName);
  if (!m) return null;
  return { phase: m[1] as Phase, layer: { index: Number(m[2]), type: m[3]! } };
}
