/**
 * Prune bars: a trial still short of the target after `pruneFactor` × the fastest time to target
 * of another rate at its batch size cannot be that batch size's tuned rate, so it stops as
 * 'pruned'. Its own rate's other seeds never set its bar: they are what that rate's median is made
 * of, and seeds can spread wider than the factor (the cnn's B = 64 reached 99% in 150 s at one seed
 * and was short of it after 300 s at two others). Auto trials have their bars apart ('auto'), as
 * they are no batch size.
 */
export type PruneGroup = number | 'auto';

export class PruneBars {
  private readonly fastest = new Map<PruneGroup, Map<number, number>>();

  /** A finished trial's time to target (null: it did not reach it) at its group and rate. */
  note(group: PruneGroup, lr: number, seconds: number | null): void {
    if (seconds === null) return;
    const byRate = this.fastest.get(group) ?? new Map<number, number>();
    this.fastest.set(group, byRate);
    if (seconds < (byRate.get(lr) ?? Infinity)) byRate.set(lr, seconds);
  }

  /** The fastest time to target of the group's other rates; undefined while none has one. */
  bar(group: PruneGroup, lr: number): number | undefined {
    let bar: number | undefined;
    for (const [other, seconds] of this.fastest.get(group) ?? []) if (other !== lr && (bar === undefined || seconds < bar)) bar = seconds;
    return bar;
  }
}
