/**
 * The bounded rate grid's stage: a bounded pilot at each rate (kept in the store and reused where
 * it is the same run), the rate with the fewest examples to the target as the pilot, and, when
 * asked, that rate's pilot trained again for longer to predict from (`refineEpochs`); and the
 * range test before it, kept and reused the same way.
 */
import { isDeepStrictEqual } from 'node:util';
import type { DataSplits } from '../../data/dataset.js';
import type { RunConfig } from '../../engine/run-config.js';
import { Interrupted, UserError } from '../../errors.js';
import { describeProvenance, keepMeasurement, measuredOrReused, pilotKey, rangeTestKey, recallMeasurement, type MachineSource, type Provenance } from '../machine-memo.js';
import type { NoisePoint } from '../../noise/measure.js';
import { measureKeptPoints, noiseMeasured, type PilotResult } from '../pilot.js';
import { rangeTest, RANGE_TEST_DEFAULTS, type RangeTestResult } from './range-test.js';
import { boundedRate, completeBoundedPilot, fewestExamples, noRateTold, pilotServes, runBoundedPilot, type BoundedPilotOptions, type BoundedRate } from './bounded-pilot.js';

export interface RateGridOptions {
  /** Where kept pilots are looked up and new ones kept; none: every pilot trains. */
  readonly machine: MachineSource | undefined;
  /** The data's fingerprint, computed when first asked for. */
  readonly dataKey: () => string;
  /** A rate's pilot starts training, or a kept one serves (`reused`). */
  readonly onStart?: (lr: number, reused: Provenance | null) => void;
  readonly onRate?: (r: BoundedRate) => void;
  /** The noise scale is about to be measured along a rate's run: at the points it kept, or by training it again (a kept run that has none). */
  readonly onNoise?: (lr: number, how: 'kept points' | 'trained again') => void;
  /** How a chosen run's noise is measured at its kept points (default `measureKeptPoints`; a test can stand in a measurement with nothing usable). */
  readonly measure?: typeof measureKeptPoints;
}

/** One rate's run, as trained or recalled, the key it is kept under, and, while it leads, the points its noise is to be measured at. */
interface GridRun {
  run: PilotResult;
  provenance: Provenance;
  readonly keyFor: (run: PilotResult) => string;
  points: NoisePoint[] | null;
}

/**
 * Each rate of the grid's bounded pilot, in order: reused where the store keeps one that serves
 * this target (`pilotServes`), else trained and kept; each completed for the target. A pilot has
 * no time limit here (a run cut short by the clock is no run to keep), and one cut short by Ctrl-C
 * is not kept: it throws Interrupted.
 *
 * The rates are ranked by their validations alone, so the noise scale is measured along one run
 * only: the rate with the fewest examples to the target, or, if that one's measurements are
 * unusable, the next. Each run copies its parameters where it would have measured; once it ends,
 * its copies are kept only if it leads so far (so at most two runs' copies are held at once), and
 * the chosen run is measured at them afterwards, exactly as it would have been as it went
 * (pilot.ts, `deferNoise`). A chosen run without copies (the next
 * one, or a kept run) is trained again to get them. The other runs are kept unmeasured, under keys
 * of their own, so that a build that measured every pilot never mistakes one for a pilot that
 * measured no usable noise scale.
 *
 * A run that stopped at its bound and one that stopped at a target are kept under separate keys
 * (the latter's holds the target), so that asking a loose target the pilot reaches, then a tight
 * one it does not, then the loose one again retrains nothing the second time round.
 */
export async function trainRateGrid(base: RunConfig, data: DataSplits, grid: readonly number[], o: Omit<BoundedPilotOptions, 'lr' | 'maxSeconds'>, g: RateGridOptions): Promise<{ pilots: PilotResult[]; rates: BoundedRate[]; chosen: number | null }> {
  const runs: GridRun[] = [];
  const rates: BoundedRate[] = [];
  const serves = (kept: unknown) => pilotServes(kept as PilotResult, o.targetAccuracy);
  const train = async (lr: number, points: NoisePoint[]) => {
    const run = await runBoundedPilot(base, data, { ...o, lr, maxSeconds: Infinity, deferNoise: (at) => points.push(at) });
    if (run.interrupted) throw new Interrupted('during the pilot run');
    return run;
  };
  const keep = (run: PilotResult, keyFor: GridRun['keyFor']) => keepMeasurement(g.machine, 'pilot', keyFor(run), run);
  let leader: number | null = null;
  for (const lr of grid) {
    // The key is what the run depends on: not the target (pilotServes decides), nor the hooks.
    const one = { ...o, lr, maxSeconds: Infinity };
    const { targetAccuracy: _t, maxSeconds: _s, onMeasurement: _m, shouldStop: _x, ...keyed } = one;
    const key = (reached: boolean, measured: boolean) =>
      g.machine === undefined ? '' : pilotKey(g.machine.machine, base, g.dataKey(), { ...keyed, stop: reached ? { target: o.targetAccuracy } : 'bound', ...(measured ? {} : { noiseMeasured: false }) });
    const keyFor = (run: PilotResult) => key(run.reached, noiseMeasured(run));
    // A measured run first: one that was measured before is not trained again.
    let found: ReturnType<typeof recallMeasurement> = null;
    for (const measured of [true, false]) for (const reached of [false, true]) found ??= recallMeasurement(g.machine, key(reached, measured), serves);
    g.onStart?.(lr, found?.provenance ?? null);
    let entry: GridRun;
    if (found !== null) {
      entry = { run: found.value as PilotResult, provenance: found.provenance, keyFor, points: null };
    } else {
      const points: NoisePoint[] = [];
      const run = await train(lr, points);
      entry = { run, provenance: keep(run, keyFor), keyFor, points: noiseMeasured(run) ? null : points };
    }
    const rate = boundedRate(completeBoundedPilot(entry.run, o.targetAccuracy), entry.provenance);
    runs.push(entry);
    rates.push(rate);
    g.onRate?.(rate);
    // Only the leader's copies are held: the run most likely to be measured.
    const i = runs.length - 1;
    if (rate.examplesToTarget !== null && (leader === null || rate.examplesToTarget < rates[leader]!.examplesToTarget!)) {
      if (leader !== null) runs[leader]!.points = null;
      leader = i;
    } else entry.points = null;
  }
  const pilots = runs.map((r) => completeBoundedPilot(r.run, o.targetAccuracy).pilot);
  for (let i = fewestExamples(rates); i !== null; i = fewestExamples(rates)) {
    const r = runs[i]!;
    let rerank = false;
    if (!noiseMeasured(r.run)) {
      g.onNoise?.(r.run.lr, r.points !== null ? 'kept points' : 'trained again');
      let points = r.points;
      if (points === null) {
        points = [];
        const before = r.run.evaluations;
        r.run = await train(r.run.lr, points);
        // A run trained again on several threads may not repeat its sums exactly: then the rates are ranked again.
        rerank = !isDeepStrictEqual(r.run.evaluations, before);
      }
      // (Past DEFERRED_NOISE_BYTES the run measured as it went.)
      if (!noiseMeasured(r.run)) r.run = await (g.measure ?? measureKeptPoints)(base, data, r.run, points, o);
      r.points = null;
      r.provenance = keep(r.run, r.keyFor);
    }
    const done = completeBoundedPilot(r.run, o.targetAccuracy);
    rates[i] = boundedRate(done, r.provenance);
    pilots[i] = done.pilot;
    if (rates[i]!.problem === null && !rerank) return { pilots, rates, chosen: i };
    g.onRate?.(rates[i]!);
  }
  return { pilots, rates, chosen: null };
}

export interface GridPilot {
  /** The pilot the prediction runs on: the refined run where there is one that could tell, else the grid's choice. */
  readonly pilot: PilotResult;
  readonly rates: readonly BoundedRate[];
  /** The chosen rate's longer run (`refineEpochs`), or null when none was asked for. */
  readonly refined: BoundedRate | null;
}

/**
 * The grid, the rate with the fewest examples, and with `refineEpochs` that rate's pilot trained
 * again to that many epochs. The grid's winner is the smallest of several noisy estimates, so its
 * own estimate is biased low; the longer run is a fresh, longer look at the same rate, which a
 * prediction can be planned by (README, "Refining the pilot"). A refined run that cannot tell
 * leaves the grid's pilot in place.
 */
export async function gridPilot(
  base: RunConfig,
  data: DataSplits,
  grid: readonly number[],
  o: Omit<BoundedPilotOptions, 'lr' | 'maxSeconds'>,
  refineEpochs: number | null,
  g: RateGridOptions & { readonly onRefineStart?: RateGridOptions['onStart']; readonly onRefined?: RateGridOptions['onRate']; readonly onRefinedNoise?: RateGridOptions['onNoise'] },
): Promise<GridPilot> {
  const { pilots, rates, chosen } = await trainRateGrid(base, data, grid, o, g);
  if (chosen === null) throw new UserError(noRateTold(rates));
  if (refineEpochs === null) return { pilot: pilots[chosen]!, rates, refined: null };
  const longer = await trainRateGrid(base, data, [rates[chosen]!.lr], { ...o, boundEpochs: refineEpochs }, {
    machine: g.machine,
    dataKey: g.dataKey,
    ...(g.onRefineStart ? { onStart: g.onRefineStart } : {}),
    ...(g.onRefined ? { onRate: g.onRefined } : {}),
    ...(g.onRefinedNoise ? { onNoise: g.onRefinedNoise } : {}),
  });
  return { pilot: longer.chosen === null ? pilots[chosen]! : longer.pilots[0]!, rates, refined: longer.rates[0]! };
}

/**
 * The rate range test at the pilot batch around `base`'s rate (range-test.ts), reused where the
 * store keeps it; `said` hears what it does (run it, or reuse it and from where). A test cut short
 * by Ctrl-C is not kept: it throws Interrupted.
 */
export async function keptRangeTest(
  base: RunConfig,
  data: DataSplits,
  batchSize: number,
  g: Pick<RateGridOptions, 'machine' | 'dataKey'> & { readonly shouldStop?: () => boolean },
  said: (detail: string) => void,
): Promise<{ value: RangeTestResult; provenance: Provenance }> {
  const lr0 = base.hyper.lr!;
  const ramp = { lrLow: lr0 / RANGE_TEST_DEFAULTS.below, lrHigh: lr0 * RANGE_TEST_DEFAULTS.above, steps: RANGE_TEST_DEFAULTS.steps };
  const test = { batchSize, ...ramp, blowUp: RANGE_TEST_DEFAULTS.blowUp, divisor: RANGE_TEST_DEFAULTS.divisor, smoothing: RANGE_TEST_DEFAULTS.smoothing };
  const key = g.machine === undefined ? '' : rangeTestKey(g.machine.machine, base, g.dataKey(), test);
  const run = async () => {
    const r = await rangeTest(base, data, { ...test, ...(g.shouldStop ? { shouldStop: g.shouldStop } : {}) });
    if (r.interrupted) throw new Interrupted('during the rate range test');
    return r;
  };
  return measuredOrReused(g.machine, 'range-test', key, run, (reused) =>
    said(`range test at batch ${batchSize}: ${reused === null ? `rate ${ramp.lrLow.toPrecision(2)} → ${ramp.lrHigh.toPrecision(2)} over ${ramp.steps} updates` : describeProvenance(reused)}`),
  );
}
