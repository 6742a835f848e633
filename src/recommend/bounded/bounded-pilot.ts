/**
 * The pilot bounded to the first part of a run: it trains at the pilot batch for `boundEpochs`
 * (or to the target, if that comes first), measuring the noise scale more often than a full
 * pilot does, then extrapolates the rest (extrapolate.ts): the examples to the target from its
 * validation errors, the noise scale beyond its last measurement from their growth. The
 * prediction then runs on the measured segments plus the extrapolated ones, and says so. Each
 * rate's run is kept in the store and reused by a later recommend for which it is the same run
 * (`pilotServes`; rate-grid.ts).
 */
import type { DataSplits } from '../../data/dataset.js';
import type { RunConfig } from '../../engine/run-config.js';
import type { Provenance } from '../machine-memo.js';
import { noiseMeasured, noisePointsOf, runPilot, type PilotOptions, type PilotResult } from '../pilot.js';
import { examplesToTarget, extendSegments, MAX_STRETCH, noiseGrowth } from './extrapolate.js';

export interface BoundedPilotOptions extends Omit<PilotOptions, 'maxSteps'> {
  /** Epochs of the pilot batch after which it stops and extrapolates. */
  readonly boundEpochs: number;
}

export type Extrapolated = { readonly ok: true; readonly pilot: PilotResult } | { readonly ok: false; readonly problem: string; readonly pilot: PilotResult };

/** At least three validations, so that the error's power law has points to go through. */
export function boundSteps(trainExamples: number, batchSize: number, evalsPerEpoch: number, boundEpochs: number): number {
  const perEpoch = Math.max(1, Math.floor(trainExamples / batchSize));
  const evalEvery = Math.max(1, Math.round(perEpoch / evalsPerEpoch));
  return Math.max(3 * evalEvery, Math.ceil((boundEpochs * perEpoch) / evalEvery) * evalEvery);
}

/** A pilot that stopped short of the target, completed by extrapolation; pure. */
export function extrapolatePilot(p: PilotResult, targetAccuracy: number): Extrapolated {
  const est = examplesToTarget(p.evaluations, targetAccuracy);
  if (!est.ok) {
    const why = {
      'too-few': 'it has too few validations to extrapolate from',
      'not-falling': 'its validation error is not falling',
      'too-far': `the target lies more than ${MAX_STRETCH}× further than it trained (error ∝ examples^${est.fit?.exponent.toFixed(2) ?? '?'})`,
    }[est.reason];
    return { ok: false, pilot: p, problem: `the bounded pilot reached ${(p.finalValAccuracy * 100).toFixed(2)}% validation accuracy after ${p.epochs.toFixed(2)} epochs and ${why}` };
  }
  const extrapolation = { seenExamples: p.examples, seenEpochs: p.epochs, seenValAccuracy: p.finalValAccuracy, errExponent: est.fit.exponent, errPoints: est.fit.points, noiseExponent: null, examplesToTarget: est.examples };
  // A run whose noise was not measured (deferred) is extrapolated in examples only: enough to rank it.
  if (!noiseMeasured(p)) return { ok: true, pilot: { ...p, extrapolation } };
  const measured = noisePointsOf(p);
  const growth = noiseGrowth(measured);
  const lastNoise = measured.length > 0 ? measured[measured.length - 1]!.bNoise : 0;
  const segments = extendSegments(p.segments, p.examples, est.examples, growth, lastNoise);
  return { ok: true, pilot: { ...p, segments, extrapolation: { ...extrapolation, noiseExponent: growth?.exponent ?? null } } };
}

/** The bounded pilot's run as it stopped, before any extrapolation: what recommend keeps for reuse. */
export async function runBoundedPilot(base: RunConfig, data: DataSplits, o: BoundedPilotOptions): Promise<PilotResult> {
  const { boundEpochs, ...rest } = o;
  return runPilot(base, data, { ...rest, maxSteps: boundSteps(data.train.count, o.batchSize, o.evalsPerEpoch, boundEpochs) });
}

/** A bounded pilot's run completed for a target: as it is when it got there (or could not tell), else extrapolated; pure. */
export function completeBoundedPilot(p: PilotResult, targetAccuracy: number): Extrapolated {
  if (p.reached || p.interrupted || p.diverged || (noiseMeasured(p) && p.segments.length === 0)) return { ok: true, pilot: p };
  return extrapolatePilot(p, targetAccuracy);
}

/**
 * Whether a bounded pilot run for one target is the very run a pilot for `targetAccuracy` would
 * train, so that it can stand in for it. A run is deterministic given its settings and seed, and
 * the target only decides where it stops: at the first validation at or above it. So a run that
 * stopped at its bound serves every target none of its validations reached, and a run that stopped
 * at its target serves the targets that its last validation, and no earlier one, reached.
 */
export function pilotServes(p: Pick<PilotResult, 'reached' | 'evaluations'>, targetAccuracy: number): boolean {
  const first = p.evaluations.findIndex((e) => e.valAccuracy >= targetAccuracy);
  return p.reached ? first === p.evaluations.length - 1 : first === -1;
}

/**
 * The rates of the bounded rate grid at the pilot batch: the range test's, then each half the one
 * before. The range test does not know the target, and its rate (a tenth of where the loss blows
 * up) can be twice or more what a tight target wants; a smaller rate is slower early and may
 * still get there in fewer examples. Measured at batch 32 (median of three seeds' runs to the target): on
 * Fashion-MNIST to 88% half the range test's rate needed 41% fewer examples; on MNIST to 97.5%
 * the two were within the seeds' spread.
 */
export function boundedRateGrid(lr0: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Number((lr0 / 2 ** i).toPrecision(3)));
}

/** One rate of the grid: what its bounded pilot saw, and the examples to the target it extrapolated, or why it could not. */
export interface BoundedRate {
  readonly lr: number;
  /** Examples to the target: seen, if it reached it within the bound; else extrapolated; null with a problem. */
  readonly examplesToTarget: number | null;
  readonly reached: boolean;
  readonly problem: string | null;
  readonly seenExamples: number;
  readonly seenEpochs: number;
  readonly seenValAccuracy: number;
  readonly trainSeconds: number;
  /** The error's power law through its later validations (err ∝ examples^errExponent), when extrapolated. */
  readonly errExponent: number | null;
  readonly evaluations: PilotResult['evaluations'];
  /** Its bounded pilot trained now, or reused from the store (machine-memo.ts). */
  readonly provenance: Provenance;
}

const DIVERGED = 'the bounded pilot diverged';

/** A bounded pilot's result as one rate of the grid. */
export function boundedRate(r: Extrapolated, provenance: Provenance): BoundedRate {
  const p = r.pilot;
  const problem = !r.ok ? r.problem : p.diverged ? DIVERGED : noiseMeasured(p) && p.segments.length === 0 ? 'the bounded pilot measured no usable noise scale' : null;
  return {
    lr: p.lr,
    examplesToTarget: problem !== null ? null : (p.extrapolation?.examplesToTarget ?? p.examples),
    reached: p.reached,
    problem,
    seenExamples: p.extrapolation?.seenExamples ?? p.examples,
    seenEpochs: p.extrapolation?.seenEpochs ?? p.epochs,
    seenValAccuracy: p.extrapolation?.seenValAccuracy ?? p.finalValAccuracy,
    trainSeconds: p.trainSeconds,
    errExponent: p.extrapolation?.errExponent ?? null,
    evaluations: p.evaluations,
    provenance,
  };
}

/** Index of the rate with the fewest examples to the target (the larger rate on a tie); null when none could tell. */
export function fewestExamples(rates: readonly BoundedRate[]): number | null {
  let best: number | null = null;
  rates.forEach((r, i) => {
    if (r.examplesToTarget === null) return;
    if (best === null || r.examplesToTarget < rates[best]!.examplesToTarget!) best = i;
  });
  return best;
}

/** The one line when no rate of the grid could tell its examples to the target: what each rate's pilot did, and the fix. */
export function noRateTold(rates: readonly BoundedRate[]): string {
  const fix = rates.every((r) => r.problem === DIVERGED) ? 'give a smaller --lr' : 'raise --bound-epochs, or train the pilot to the target with --pilot-runs to-target';
  return `${rates.map((r) => `at lr ${r.lr} ${r.problem}`).join('; ')}; ${fix}`;
}
