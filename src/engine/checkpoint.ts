/**
 * Checkpoints: a folder with
 * - `checkpoint.json`: the run's config, the step, the data normalisation and where each tensor
 *   lies in the state file;
 * - `state-<step>.bin`: parameters, optimizer slots, globals and buffers (batch norm's running
 *   statistics), float32, back to back;
 * - `model.onnx`: the network as a plain inference model (raw input → class probabilities).
 *
 * Writes never leave a broken checkpoint: the new state file is written whole first, then
 * `checkpoint.json` is replaced atomically (write + rename) to point at it, then the old state
 * file is removed. A crash at any moment leaves the previous or the new checkpoint, complete.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Normalization } from '../data/dataset.js';
import { UserError } from '../errors.js';
import type { RunConfig } from './run-config.js';
import type { TrainState } from './trainer.js';

const FORMAT = 'batchwise-checkpoint-1';

export interface CheckpointMeta {
  readonly format: typeof FORMAT;
  readonly config: RunConfig;
  readonly step: number;
  /** Seconds spent in training runs up to this step, over every session. */
  readonly trainSeconds: number;
  readonly stateFile: string;
  /** Lengths (floats) of params, then slots (param-major), then globals, then buffers (absent: none). */
  readonly layout: { readonly params: number[]; readonly slotsPerParam: number; readonly globals: number; readonly buffers?: number[] };
  readonly normalization: { readonly mean: number[]; readonly std: number[] };
  readonly savedAt: string;
  /** The adaptive batch's schedule state (src/adaptive), kept with the step it belongs to. */
  readonly adaptive?: unknown;
}

export interface Checkpoint {
  readonly meta: CheckpointMeta;
  readonly state: TrainState;
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function saveCheckpoint(dir: string, config: RunConfig, state: TrainState, norm: Normalization, inferenceModel: Uint8Array, adaptive?: unknown): void {
  mkdirSync(dir, { recursive: true });
  const tensors = [...state.params, ...state.slots.flat(), ...state.globals, ...state.buffers];
  const total = tensors.reduce((a, t) => a + t.length, 0);
  const bytes = new Float32Array(total);
  let offset = 0;
  for (const t of tensors) {
    bytes.set(t, offset);
    offset += t.length;
  }
  const previous = readMetaIfAny(dir)?.stateFile;
  const stateFile = `state-${state.step}.bin`;
  writeAtomic(join(dir, stateFile), new Uint8Array(bytes.buffer));
  const meta: CheckpointMeta = {
    format: FORMAT,
    config,
    step: state.step,
    trainSeconds: state.trainSeconds,
    stateFile,
    layout: {
      params: state.params.map((p) => p.length),
      slotsPerParam: state.slots[0]?.length ?? 0,
      globals: state.globals.length,
      // Only for models with batch norm: a checkpoint without it reads as before.
      ...(state.buffers.length > 0 ? { buffers: state.buffers.map((b) => b.length) } : {}),
    },
    normalization: { mean: [...norm.mean], std: [...norm.std] },
    savedAt: new Date().toISOString(),
    ...(adaptive !== undefined ? { adaptive } : {}),
  };
  writeAtomic(join(dir, 'checkpoint.json'), JSON.stringify(meta, null, 2) + '\n');
  writeAtomic(join(dir, 'model.onnx'), inferenceModel);
  if (previous && previous !== stateFile) rmSync(join(dir, previous), { force: true });
}

function readMetaIfAny(dir: string): CheckpointMeta | null {
  const path = join(dir, 'checkpoint.json');
  if (!existsSync(path)) return null;
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as CheckpointMeta;
  } catch {
    throw new UserError(`${path} is not valid JSON; the checkpoint is damaged (use another --save folder)`);
  }
  if (meta.format !== FORMAT) throw new UserError(`${path} is not a batchwise checkpoint (format ${JSON.stringify(meta.format)}, expected ${FORMAT})`);
  return meta;
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, 'checkpoint.json'));
}

export function loadCheckpoint(dir: string): Checkpoint {
  if (!existsSync(dir)) throw new UserError(`--resume ${dir}: no such folder`);
  const meta = readMetaIfAny(dir);
  if (!meta) throw new UserError(`--resume ${dir}: no checkpoint.json there (was it written with --save ${dir}?)`);
  const statePath = join(dir, meta.stateFile);
  if (!existsSync(statePath)) throw new UserError(`${statePath} is missing; the checkpoint is incomplete`);
  const raw = readFileSync(statePath);
  const { params, slotsPerParam, globals } = meta.layout;
  const buffers = meta.layout.buffers ?? [];
  const expected = params.reduce((a, n) => a + n * (1 + slotsPerParam), 0) + globals + buffers.reduce((a, n) => a + n, 0);
  if (raw.byteLength !== expected * 4) {
    throw new UserError(`${statePath}: ${raw.byteLength} bytes, expected ${expected * 4}; the checkpoint is damaged`);
  }
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let offset = 0;
  const take = (n: number) => all.slice(offset, (offset += n));
  const state: TrainState = {
    params: params.map(take),
    slots: params.map((n) => Array.from({ length: slotsPerParam }, () => take(n))),
    globals: Array.from({ length: globals }, () => take(1)),
    buffers: buffers.map(take),
    step: meta.step,
    trainSeconds: meta.trainSeconds ?? 0,
  };
  return { meta, state };
}
