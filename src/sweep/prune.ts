/**
 * Prune bars: a trial still short of the target after `pruneFactor` × another rate's median time
 * to target at its batch size cannot be that batch size's tuned rate, so it stops as 'pruned'.
 * - Its own rate's other seeds never set its bar: they are what that rate's median is made of,
 *   and seeds can spread wider than the factor (the cnn's B = 64 reached 99% in 150 s at one seed
 *   and was short of it after 300 s at two others).
 * - Another rate's bar is the median over its finished seeds, a seed that did not reach the target
 *   counting as never: the sweep ranks rates by how many seeds reached, then by their medians, so
 *   one lucky seed of another rate must not stop this one. A rate that reached at no more than
 *   half its seeds sets no bar. (A rate short at one seed of three can still bar one that will
 *   reach at all three, slowly: the bar is twice its median, not a ranking.)
 *   With one seed a rate, this is that trial's time.
 * - Auto trials have their bars apart ('auto'), as they are no batch size.
 */
import { median } from './analyse.js';

export type PruneGroup = number | 'auto';

export class PruneBars {
  private readonly times = new Map<PruneGroup, Map<number, number[]>>();

  /** A finished trial's time to target (null: it did not reach it) at its group and rate. */
  note(group: PruneGroup, lr: number, seconds: number | null): void {
    const byRate = this.times.get(group) ?? new Map<number, number[]>();
    this.times.set(group, byRate);
    byRate.set(lr, [...(byRate.get(lr) ?? []), seconds ?? Infinity]);
  }

  /** The smallest median time to target of the group's other rates; undefined while none has a finite one. */
  bar(group: PruneGroup, lr: number): number | undefined {
    let bar: number | undefined;
    for (const [other, seconds] of this.times.get(group) ?? []) {
      const m = median(seconds);
      if (other !== lr && Number.isFinite(m) && (bar === undefined || m < bar)) bar = m;
    }
    return bar;
  }
}
