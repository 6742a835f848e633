/**
 * Where a training update's time goes: the same updates `bench` times, run once more with ONNX
 * Runtime's profiler on, and its trace summarized by op type and by layer (profile-table.ts).
 * Profiling records every kernel, so the profiled run is slower than the bench's; the table is
 * for shares, the bench for rates.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSplits } from '../data/dataset.js';
import type { RunConfig } from '../engine/run-config.js';
import { prepareTrainer } from '../engine/run.js';
import { summarizeProfile, type ProfileEvent, type StepProfile } from './profile-table.js';

export interface ProfileOptions {
  /** Profiled updates take about this long (before profiling's own cost), within the bounds below. */
  readonly seconds: number;
  /** Bounds on the profiled updates: each writes a trace event per kernel (about 1 kB). */
  readonly minUpdates?: number;
  readonly maxUpdates?: number;
}

export interface ProfiledStep extends StepProfile {
  readonly effectiveBatch: number;
  /** samples/s of the profiled run itself, profiler included. */
  readonly profiledSamplesPerSec: number;
}

/** Profile `config`'s training updates on `data`; the trace file is read and deleted. */
export async function profileTraining(config: RunConfig, data: DataSplits, opts: ProfileOptions): Promise<ProfiledStep> {
  const dir = mkdtempSync(join(tmpdir(), 'batchwise-profile-'));
  try {
    const trainer = await prepareTrainer(config, data, { profileFilePrefix: join(dir, 'train') });
    let measured: { updates: number; seconds: number };
    try {
      // Warm-up, left out of the summary: the first run allocates; the second brings the
      // allocator to its steady state and gives the time per update that sizes the profiled run.
      await trainer.runUpdates(1);
      const warm = await trainer.runUpdates(Math.min(trainer.stepsLeftInEpoch, 10));
      const perUpdate = warm.seconds / warm.losses.length;
      const count = Math.round(opts.seconds / perUpdate);
      const bounded = Math.min(trainer.stepsLeftInEpoch, Math.max(opts.minUpdates ?? 5, Math.min(opts.maxUpdates ?? 200, count)));
      const r = await trainer.runUpdates(bounded);
      measured = { updates: r.losses.length, seconds: r.seconds };
      trainer.endProfiling();
    } finally {
      await trainer.release();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (file === undefined) throw new Error(`ONNX Runtime wrote no profile into ${dir}`);
    const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[];
    const summary = summarizeProfile(events, { updates: measured.updates, skipRuns: 2, layers: trainer.model.layers.map((l) => ({ index: l.index, type: l.spec.type })) });
    return { ...summary, effectiveBatch: trainer.effectiveBatch, profiledSamplesPerSec: (measured.updates * trainer.effectiveBatch) / measured.seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
