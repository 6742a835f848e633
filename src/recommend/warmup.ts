/**
 * The recommendation's warm-up, from the noise scale the pilot measured.
 *
 * The rate rule sets one rate for the whole run from the noise scale weighted over it (B_noise,
 * predict.ts). Early in training the noise scale is far smaller: on MNIST's cnn B_simple was 3 at
 * the start and 128 a tenth of an epoch in, against a weighted 6,139. While it is below the batch
 * size B, the run is not noise-limited, and McCandlish et al.'s rule at that moment gives a rate
 * barely above ε₀, not the ε₀·(1 + B_noise/B₀)/(1 + B_noise/B) of the weighted figure. Starting at
 * the full rate there is what broke the cnn at B = 256, lr 0.0529 (ε₀ = 0.00685 at 32, momentum,
 * 2026-11-30): one seed of three learned nothing (10.8% validation accuracy), the other two were
 * at 93.7% and 95.0% after one epoch, where a 40-update warm-up gave 98.1% at both seeds it ran.
 *
 * So where B exceeds the pilot's batch B₀ (a smaller batch runs at most the pilot's own rate), the
 * rate ramps linearly from 0 over the updates a run at B takes to get to where the pilot's noise
 * scale reached B: the point between its measurements, interpolated linearly in examples, carried
 * to B's examples by the same statistical efficiency as the prediction ((b + B)/(b + B₀) per
 * example, b the mean of each stretch's ends; unusable measurements are skipped, as the
 * prediction's segments skip them). Where the measurements never reach B, the ramp spans the
 * measured stretch, and it never takes more than MAX_WARMUP_SHARE of the predicted updates (a pilot
 * trained to the target measured its whole run). The ramp starts below the rule's momentary rate
 * and ends above it, so the predicted steps are left as they are.
 */

/** The most of a run's predicted updates its warm-up may take. */
export const MAX_WARMUP_SHARE = 0.25;

/** A measured noise scale at examples seen by the pilot (at its batch B₀). */
export interface NoisePointAt {
  readonly examples: number;
  readonly bNoise: number;
}

/** Updates of linear warm-up for effective batch `batch`, from the pilot's measured noise scales (0: none), at most MAX_WARMUP_SHARE of `steps`. */
export function noiseWarmupSteps(points: readonly NoisePointAt[], pilotBatch: number, batch: number, steps: number): number {
  const ps = [...points].filter((p) => Number.isFinite(p.examples) && Number.isFinite(p.bNoise) && p.bNoise > 0).sort((a, b) => a.examples - b.examples);
  if (batch <= pilotBatch || ps.length === 0 || ps[0]!.bNoise >= batch) return 0;
  let examplesAtB = 0;
  for (let i = 1; i < ps.length; i++) {
    const a = ps[i - 1]!;
    const b = ps[i]!;
    // Where in this stretch the noise scale reaches the batch (1: not before its end).
    const t = b.bNoise >= batch ? (batch - a.bNoise) / (b.bNoise - a.bNoise) : 1;
    const end = a.bNoise + t * (b.bNoise - a.bNoise);
    const mean = (a.bNoise + end) / 2;
    examplesAtB += (t * (b.examples - a.examples) * (mean + batch)) / (mean + pilotBatch);
    if (t < 1) break;
  }
  const w = Math.min(Math.ceil(examplesAtB / batch), Math.floor(MAX_WARMUP_SHARE * steps));
  // One update of warm-up runs at the full rate (schedule.ts): it is none.
  return w > 1 ? w : 0;
}

/** The warm-up a run of candidate `c` trains with: the advice's, or the user's `--warmup-steps` where that is longer. */
export function recommendedWarmup(baseWarmupSteps: number, c: { readonly warmupSteps: number }): number {
  return Math.max(baseWarmupSteps, c.warmupSteps);
}
