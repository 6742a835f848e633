/**
 * Edge-aware rate grids. Shallue et al. (2018) make it a rule that a tuned optimum must not sit
 * on the edge of the searched range: a best rate that is the smallest or the largest tried says
 * more about the grid than about the batch size. So after the grid, while the best rate is on an
 * edge (or every rate failed: diverged or stalled, which a rate too large does, so the search goes
 * down), the next rate beyond that edge is tried — half the smallest, or twice the largest — until
 * the best rate is interior or a bound is hit.
 *
 * Bounds: at most `perSide` rates beyond each end of the grid (3: a factor 8 past it; a grid that
 * misses by more than that should be moved, not stretched), and never a rate outside
 * [`minLr`, `maxLr`] = [1e-6, 10]. A grid of one rate is not tuned at all and is not extended:
 * its edge is reported as 'single'.
 *
 * The search is a pure function of its runner, so it is tested with a fake one; each decision
 * depends only on the results so far, so a resumed search (whose runner returns stored results)
 * asks for exactly the same rates again.
 */
import { round4 } from './plan.js';

/** Where the best rate sits among those tried; null when it is interior. */
export type GridEdge = 'lowest' | 'highest' | 'all-failed' | 'single';

export interface EdgeBounds {
  /** Rates tried beyond each end of the grid, at most. */
  readonly perSide: number;
  readonly minLr: number;
  readonly maxLr: number;
}

export const EDGE_BOUNDS: EdgeBounds = { perSide: 3, minLr: 1e-6, maxLr: 10 };

/** `best` is null when every rate failed. */
export function gridEdge(rates: readonly number[], best: number | null): GridEdge | null {
  if (best === null) return 'all-failed';
  const lo = Math.min(...rates);
  const hi = Math.max(...rates);
  if (lo === hi) return 'single';
  return best === lo ? 'lowest' : best === hi ? 'highest' : null;
}

/** Rates tried beyond the grid's ends. */
export function beyondGrid(tried: readonly number[], grid: readonly number[]): { below: number; above: number } {
  const rates = [...new Set(tried)];
  const lo = Math.min(...grid);
  const hi = Math.max(...grid);
  return { below: rates.filter((r) => r < lo).length, above: rates.filter((r) => r > hi).length };
}

/** The rate to try next, or null: the best is interior, the grid is a single rate, or a bound is hit. */
export function nextEdgeRate(tried: readonly number[], grid: readonly number[], best: number | null, bounds: EdgeBounds = EDGE_BOUNDS): number | null {
  const edge = gridEdge(tried, best);
  if (edge === null || edge === 'single') return null;
  const down = edge !== 'highest';
  const beyond = beyondGrid(tried, grid);
  if ((down ? beyond.below : beyond.above) >= bounds.perSide) return null;
  const lr = round4(down ? Math.min(...tried) / 2 : Math.max(...tried) * 2);
  return lr >= bounds.minLr && lr <= bounds.maxLr ? lr : null;
}

export interface RateResult<T> {
  readonly lr: number;
  readonly result: T;
}

export interface RateSearch<T> {
  /** In the order run: the grid, then the rates beyond it. */
  readonly tried: readonly RateResult<T>[];
  /** Where the best ended up: null when interior. */
  readonly edge: GridEdge | null;
  readonly below: number;
  readonly above: number;
  /** The runner returned null (the user asked to stop): the search ended early. */
  readonly interrupted: boolean;
}

export interface RateSearchOptions<T> {
  /** Rates in the order to run them (a sweep runs its grid from the middle out). */
  readonly grid: readonly number[];
  /** Trains at one rate; null when interrupted. */
  readonly run: (lr: number) => Promise<T | null>;
  /** The best rate of those tried, or null when every one failed. */
  readonly best: (tried: readonly RateResult<T>[]) => number | null;
  readonly extend: boolean;
  readonly bounds?: EdgeBounds;
  /** Run the grid's rates all at once (a queue's workers); the rates beyond it still wait for the grid. */
  readonly parallel?: boolean;
}

export async function searchRates<T>(o: RateSearchOptions<T>): Promise<RateSearch<T>> {
  const tried: RateResult<T>[] = [];
  const rates = () => tried.map((t) => t.lr);
  const finish = (interrupted: boolean): RateSearch<T> => ({
    tried,
    edge: tried.length === 0 ? null : gridEdge(rates(), o.best(tried)),
    ...beyondGrid(rates(), o.grid),
    interrupted,
  });
  if (o.parallel) {
    const results = await Promise.all(o.grid.map(o.run));
    results.forEach((result, i) => result !== null && tried.push({ lr: o.grid[i]!, result }));
    if (results.some((r) => r === null)) return finish(true);
  } else {
    for (const lr of o.grid) {
      const result = await o.run(lr);
      if (result === null) return finish(true);
      tried.push({ lr, result });
    }
  }
  for (;;) {
    const lr = o.extend ? nextEdgeRate(rates(), o.grid, o.best(tried), o.bounds) : null;
    if (lr === null) return finish(false);
    const result = await o.run(lr);
    if (result === null) return finish(true);
    tried.push({ lr, result });
  }
}
