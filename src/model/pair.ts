/** A size given as one number or a pair, as a pair. Apart from spec.ts so the layers need not load zod (the browser lab imports them). */
export const pairOf = (v: number | readonly [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);
