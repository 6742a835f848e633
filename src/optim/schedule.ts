/**
 * Learning-rate schedules, computed in JS for each update index i = 0, 1, 2, … (the trainer
 * passes the resulting per-step learning rates into the graph). With base rate η and W warm-up
 * updates:
 *
 *   warm-up:   lr(i) = η·(i + 1)/W                          for i < W
 *   after it:  lr(i) = inner(i − W), where inner(j) is
 *     constant:  η
 *     step:      η·γ^⌊j / every⌋
 *     cosine:    η_min + (η − η_min)·(1 + cos(π·j/T))/2    for j < T,  η_min for j ≥ T
 *
 * so the inner schedule's clock starts when warm-up ends and starts at η. For cosine, T
 * (`totalSteps`) is not part of the user's text: the trainer fills it in with `completeSchedule`
 * from the run's number of updates (T = updates − W).
 *
 * A cosine `restart` {step s, lr r} re-plans the decay when a resumed run changes its length: from
 * update s on, lr(i) = η_min + (r − η_min)·(1 + cos(π·(i − s)/(W + T − s)))/2, so the run goes on
 * from the rate r it had reached (not the rate a plan over the new length would have had at s) and
 * still ends at η_min. Before s it gives the first plan's curve over the new length, which the run
 * never used.
 */
import { UserError } from '../errors.js';

/** A schedule as the user writes it (`--schedule`): cosine's length is not known yet. */
export type ParsedSchedule =
  | { readonly kind: 'constant' }
  | { readonly kind: 'step'; readonly everySteps: number; readonly gamma: number }
  | { readonly kind: 'cosine'; readonly minLr: number };

/** Where a resumed run re-planned its cosine: from update `step` on, it decays from rate `lr`. */
export interface CosineRestart {
  readonly step: number;
  readonly lr: number;
}

/** A complete schedule: cosine's `totalSteps` filled in by the trainer, plus the warm-up. */
export type ScheduleSpec = (
  | { readonly kind: 'constant' }
  | { readonly kind: 'step'; readonly everySteps: number; readonly gamma: number }
  | { readonly kind: 'cosine'; readonly totalSteps: number; readonly minLr: number; readonly restart?: CosineRestart }
) & { readonly warmupSteps: number };

export const SCHEDULE_FORMS = 'constant, step:EVERY:GAMMA (e.g. step:1000:0.5), cosine, cosine:MINLR (e.g. cosine:1e-5)';

/** Parse `--schedule` text. Throws UserError naming the value and the accepted forms. */
export function parseSchedule(text: string): ParsedSchedule {
  const parts = text.trim().split(':');
  const fail = (why: string): never => {
    throw new UserError(`--schedule ${JSON.stringify(text)}: ${why}; accepted forms: ${SCHEDULE_FORMS}`);
  };
  const num = (s: string, what: string): number => {
    const v = s.trim() === '' ? NaN : Number(s);
    if (!Number.isFinite(v)) fail(`${what} ${JSON.stringify(s)} is not a number`);
    return v;
  };
  switch (parts[0]) {
    case 'constant':
      if (parts.length !== 1) fail('constant takes no arguments');
      return { kind: 'constant' };
    case 'step': {
      if (parts.length !== 3) fail('step needs EVERY and GAMMA');
      const everySteps = num(parts[1]!, 'EVERY');
      if (!Number.isInteger(everySteps) || everySteps < 1) fail(`EVERY must be an integer >= 1, got ${parts[1]}`);
      const gamma = num(parts[2]!, 'GAMMA');
      if (gamma <= 0) fail(`GAMMA must be > 0, got ${parts[2]}`);
      return { kind: 'step', everySteps, gamma };
    }
    case 'cosine': {
      if (parts.length > 2) fail('cosine takes at most MINLR');
      const minLr = parts.length === 2 ? num(parts[1]!, 'MINLR') : 0;
      if (minLr < 0) fail(`MINLR must be >= 0, got ${parts[1]}`);
      return { kind: 'cosine', minLr };
    }
    default:
      return fail(`unknown schedule ${JSON.stringify(parts[0])}`);
  }
}

/** A parsed schedule as `--schedule` takes it: parseSchedule(scheduleFlag(s)) is s. */
export function scheduleFlag(s: ParsedSchedule): string {
  switch (s.kind) {
    case 'constant':
      return 'constant';
    case 'step':
      return `step:${s.everySteps}:${s.gamma}`;
    case 'cosine':
      return s.minLr === 0 ? 'cosine' : `cosine:${s.minLr}`;
  }
}

/**
 * Complete a parsed schedule for a run of `totalUpdates` updates with `warmupSteps` of warm-up;
 * cosine decays over the updates after the warm-up (at least one), from its `restart` if any.
 */
export function completeSchedule(parsed: ParsedSchedule, run: { totalUpdates: number; warmupSteps: number; restart?: CosineRestart | undefined }): ScheduleSpec {
  const { totalUpdates, warmupSteps, restart } = run;
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) {
    throw new UserError(`--warmup-steps must be an integer >= 0, got ${warmupSteps}`);
  }
  if (!Number.isInteger(totalUpdates) || totalUpdates < 0) {
    throw new Error(`internal error: totalUpdates ${totalUpdates} is not a count`);
  }
  if (parsed.kind === 'cosine') {
    const spec = { kind: 'cosine', minLr: parsed.minLr, totalSteps: Math.max(1, totalUpdates - warmupSteps), warmupSteps } as const;
    if (restart === undefined) return spec;
    if (!(Number.isInteger(restart.step) && restart.step >= warmupSteps && Number.isFinite(restart.lr) && restart.lr >= 0)) {
      throw new Error(`internal error: cosine restart ${JSON.stringify(restart)} is not a step after the warm-up and a rate`);
    }
    return { ...spec, restart };
  }
  return { ...parsed, warmupSteps };
}

/** The learning rate of update `stepIndex` (0-based). */
export function lrAt(spec: ScheduleSpec, baseLr: number, stepIndex: number): number {
  const w = spec.warmupSteps;
  if (stepIndex < w) return (baseLr * (stepIndex + 1)) / w;
  const j = stepIndex - w;
  switch (spec.kind) {
    case 'constant':
      return baseLr;
    case 'step':
      return baseLr * Math.pow(spec.gamma, Math.floor(j / spec.everySteps));
    case 'cosine': {
      // Without a restart this is the first plan: from η at update W over T updates, as written.
      const from = spec.restart !== undefined && stepIndex >= spec.restart.step ? spec.restart : null;
      const k = from === null ? j : stepIndex - from.step;
      const span = from === null ? spec.totalSteps : w + spec.totalSteps - from.step;
      const top = from === null ? baseLr : from.lr;
      if (k >= span) return spec.minLr;
      return spec.minLr + ((top - spec.minLr) * (1 + Math.cos((Math.PI * k) / span))) / 2;
    }
  }
}

/** Learning rates of updates `from`, …, `from + count − 1`, ready to feed as a float tensor. */
export function lrRange(spec: ScheduleSpec, baseLr: number, from: number, count: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => lrAt(spec, baseLr, from + i));
}
