/**
 * The bounded rate grid's stage: a bounded pilot at each rate (kept in the store and reused where
 * it is the same run), the rate with the fewest examples to the target as the pilot, and, when
 * asked, that rate's pilot trained again for longer to predict from (`refineEpochs`); and the
 * range test before it, kept and reused the same way.
 */
import type { DataSplits } from '../../data/dataset.js';
import type { RunConfig } from '../../engine/run-config.js';
import { Interrupted, UserError } from '../../errors.js';
import { describeProvenance, keepMeasurement, measuredOrReused, pilotKey, rangeTestKey, recallMeasurement, type MachineSource, type Provenance } from '../machine-memo.js';
import type { PilotResult } from '../pilot.js';
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
}

/**
 * Each rate of the grid's bounded pilot, in order: reused where the store keeps one that serves
 * this target (`pilotServes`), else trained and kept; each completed for the target. A pilot has
 * no time limit here (a run cut short by the clock is no run to keep), and one cut short by Ctrl-C
 * is not kept: it throws Interrupted.
 *
 * A run that stopped at its bound and one that stopped at a target are kept under separate keys
 * (the latter's holds the target), so that asking a loose target the pilot reaches, then a tight
 * one it does not, then the loose one again retrains nothing the second time round.
 */
export async function trainRateGrid(base: RunConfig, data: DataSplits, grid: readonly number[], o: Omit<BoundedPilotOptions, 'lr' | 'maxSeconds'>, g: RateGridOptions): Promise<{ pilots: PilotResult[]; rates: BoundedRate[] }> {
  const pilots: PilotResult[] = [];
  const rates: BoundedRate[] = [];
  const serves = (kept: unknown) => pilotServes(kept as PilotResult, o.targetAccuracy);
  for (const lr of grid) {
    const one = { ...o, lr, maxSeconds: Infinity };
    // The key is what the run depends on: not the target (pilotServes decides), nor the hooks.
    const { targetAccuracy: _t, maxSeconds: _s, onMeasurement: _m, shouldStop: _x, ...keyed } = one;
    const key = (stop: unknown) => (g.machine === undefined ? '' : pilotKey(g.machine.machine, base, g.dataKey(), { ...keyed, stop }));
    const atBound = key('bound');
    const atTarget = key({ target: o.targetAccuracy });
    const found = recallMeasurement(g.machine, atBound, serves) ?? recallMeasurement(g.machine, atTarget, serves);
    g.onStart?.(lr, found?.provenance ?? null);
    let run: PilotResult;
    let provenance: Provenance;
    if (found !== null) {
      run = found.value as PilotResult;
      provenance = found.provenance;
    } else {
      run = await runBoundedPilot(base, data, one);
      if (run.interrupted) throw new Interrupted('during the pilot run');
      provenance = keepMeasurement(g.machine, 'pilot', run.reached ? atTarget : atBound, run);
    }
    const r = completeBoundedPilot(run, o.targetAccuracy);
    const rate = boundedRate(r, provenance);
    pilots.push(r.pilot);
    rates.push(rate);
    g.onRate?.(rate);
  }
  return { pilots, rates };
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
  g: RateGridOptions & { readonly onRefineStart?: RateGridOptions['onStart']; readonly onRefined?: RateGridOptions['onRate'] },
): Promise<GridPilot> {
  const { pilots, rates } = await trainRateGrid(base, data, grid, o, g);
  const best = fewestExamples(rates);
  if (best === null) throw new UserError(noRateTold(rates));
  if (refineEpochs === null) return { pilot: pilots[best]!, rates, refined: null };
  const longer = await trainRateGrid(base, data, [rates[best]!.lr], { ...o, boundEpochs: refineEpochs }, { machine: g.machine, dataKey: g.dataKey, ...(g.onRefineStart ? { onStart: g.onRefineStart } : {}), ...(g.onRefined ? { onRate: g.onRefined } : {}) });
  const refined = longer.rates[0]!;
  return { pilot: refined.examplesToTarget === null ? pilots[best]! : longer.pilots[0]!, rates, refined };
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
