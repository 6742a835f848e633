/**
 * Figures of a weight path w_0, w_1, …, w_U (one point per update): how much it wanders.
 *
 *   length / displacement = Σ‖w_{k+1} − w_k‖ / ‖w_U − w_0‖  (1 for a straight path)
 *   reversals: updates whose step turns back on the one before, Δ_k·Δ_{k−1} < 0 (a zig or a zag)
 */
export type Point = readonly [number, number];

export interface PathFigures {
  readonly updates: number;
  readonly pathLength: number;
  readonly displacement: number;
  readonly lengthOverDisplacement: number;
  readonly reversals: number;
  readonly reversalsPerEpoch: number;
  /** ‖w_U − w*‖. */
  readonly finalDistance: number;
}

export function pathFigures(path: readonly Point[], optimum: Point, epochs: number): PathFigures {
  let pathLength = 0;
  let reversals = 0;
  for (let k = 1; k < path.length; k++) {
    const step = sub(path[k]!, path[k - 1]!);
    pathLength += Math.hypot(...step);
    if (k >= 2) {
      const before = sub(path[k - 1]!, path[k - 2]!);
      if (step[0] * before[0] + step[1] * before[1] < 0) reversals++;
    }
  }
  const last = path[path.length - 1]!;
  const displacement = Math.hypot(...sub(last, path[0]!));
  return {
    updates: path.length - 1,
    pathLength,
    displacement,
    lengthOverDisplacement: pathLength / displacement,
    reversals,
    reversalsPerEpoch: reversals / epochs,
    finalDistance: Math.hypot(...sub(last, optimum)),
  };
}

const sub = (a: Point, b: Point): [number, number] => [a[0] - b[0], a[1] - b[1]];
