/**
 * Training one update at a time and recording what a lab plot needs: the loss (and accuracy)
 * after every epoch, and how often each weight's step changes sign between consecutive updates.
 *
 *   flip fraction = #{weights i : Δθ_i(t)·Δθ_i(last) < 0} / #{i : Δθ_i(t)·Δθ_i(last) ≠ 0}
 *
 * over all updates of an epoch, where Δθ_i(last) is weight i's last non-zero step before t: iRprop−
 * answers a sign change by pausing the weight for one update, so a reversal shows up one update
 * later, and comparing only adjacent updates would never see it.
 */

/** What recording needs of a trainer: the engine's `Trainer`, or the browser lab's page trainer behind a small adapter. */
export interface RecordableTrainer<Split> {
  readonly state: { readonly params: readonly Float32Array[]; readonly step: number };
  readonly stepsPerEpoch: number;
  readonly effectiveBatch: number;
  readonly data: { readonly train: Split; readonly test: Split };
  evaluate(split: Split): Promise<{ readonly loss: number; readonly accuracy: number }>;
  runUpdates(count: number): Promise<{ readonly divergedAtStep: number | null }>;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly examplesSeen: number;
  readonly updates: number;
  readonly trainLoss: number;
  /** Held-out loss and accuracy (accuracy NaN for a regression). */
  readonly testLoss: number;
  readonly testAccuracy: number;
  /** Over this epoch's consecutive update pairs; null when fewer than two updates were made. */
  readonly flipFraction: number | null;
}

export interface Recording {
  readonly epochs: readonly EpochRecord[];
  /** Set when an update's loss was not finite: training stopped there. */
  readonly divergedAtStep: number | null;
}

/**
 * Trains `epochs` epochs. Sign flips are counted over the first `flipSample` updates of each
 * epoch, run one by one; the rest of the epoch runs in one `session.run` (reading every weight
 * after every update costs more than the update itself at small batches).
 */
export async function trainRecording<Split>(trainer: RecordableTrainer<Split>, epochs: number, flipSample = Infinity): Promise<Recording> {
  const flat = () => {
    const ps = trainer.state.params;
    const out = new Float32Array(ps.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of ps) (out.set(p, o), (o += p.length));
    return out;
  };
  const record = async (epoch: number, flips: number, moved: number): Promise<EpochRecord> => {
    const train = await trainer.evaluate(trainer.data.train);
    const test = await trainer.evaluate(trainer.data.test);
    return {
      epoch,
      examplesSeen: trainer.state.step * trainer.effectiveBatch,
      updates: trainer.state.step,
      trainLoss: train.loss,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      flipFraction: moved > 0 ? flips / moved : null,
    };
  };
  const out: EpochRecord[] = [await record(0, 0, 0)];
  let before = flat();
  const lastSign = new Int8Array(before.length);
  for (let e = 1; e <= epochs; e++) {
    let [flips, moved] = [0, 0];
    const sampled = Math.min(flipSample, trainer.stepsPerEpoch);
    for (let u = 0; u < sampled; u++) {
      const r = await trainer.runUpdates(1);
      if (r.divergedAtStep !== null) return { epochs: out, divergedAtStep: r.divergedAtStep };
      const after = flat();
      for (let i = 0; i < after.length; i++) {
        const s = Math.sign(after[i]! - before[i]!);
        if (s === 0) continue;
        if (lastSign[i] !== 0) {
          moved++;
          if (s !== lastSign[i]) flips++;
        }
        lastSign[i] = s;
      }
      before = after;
    }
    if (sampled < trainer.stepsPerEpoch) {
      const r = await trainer.runUpdates(trainer.stepsPerEpoch - sampled);
      if (r.divergedAtStep !== null) return { epochs: out, divergedAtStep: r.divergedAtStep };
      // The next epoch's sample starts afresh: a step before this gap is not its predecessor.
      before = flat();
      lastSign.fill(0);
    }
    out.push(await record(e, flips, moved));
  }
  return { epochs: out, divergedAtStep: null };
}
