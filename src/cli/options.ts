/**
 * CLI options declared as data: each has its flag, its help text and one zod schema that turns
 * the raw string into a checked value. `--help` and validation come from the same declaration.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';

export interface OptionDecl<T = unknown> {
  /** Commander flag syntax: `--batch-size <n|full>`, or `--json` for a boolean. */
  readonly flag: string;
  readonly help: string;
  /** Parses the raw string (absent for booleans); messages say what is accepted. */
  readonly schema: z.ZodType<T>;
  /** Raw default, shown in --help and parsed like user input. */
  readonly default?: string;
}

export type Decls = Record<string, OptionDecl>;
export type Parsed<D extends Decls> = { [K in keyof D]: D[K] extends OptionDecl<infer T> ? T : never };

export const isBoolean = (d: OptionDecl): boolean => !/[<[]/.test(d.flag);
export const flagName = (d: OptionDecl): string => d.flag.split(/[ ,]/)[0]!;

const num = (text: string) => (text.trim() === '' ? NaN : Number(text));

/** A whole number ≥ min; the message names what is accepted. */
export const intAtLeast = (min: number) =>
  z.string().transform((s, ctx) => {
    const v = num(s);
    if (!Number.isInteger(v) || v < min) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number ≥ ${min}` });
      return z.NEVER;
    }
    return v;
  });

/** A finite number in (min, max] or [min, max]; the message names the range. */
export const numberIn = (min: number, max: number, opts: { minOpen?: boolean } = {}) =>
  z.string().transform((s, ctx) => {
    const v = num(s);
    const lowOk = opts.minOpen ? v > min : v >= min;
    if (!Number.isFinite(v) || !lowOk || v > max) {
      const range = `${opts.minOpen ? '(' : '['}${min}, ${max === Infinity ? '∞)' : `${max}]`}`;
      ctx.addIssue({ code: 'custom', message: `must be a number in ${range}` });
      return z.NEVER;
    }
    return v;
  });

export const positiveNumber = numberIn(0, Infinity, { minOpen: true });

/** `train`'s --batch-size: a batch size, or `auto` (the batch follows the noise scale; src/adaptive). */
export const trainBatchSizeSchema = z.string().transform((s, ctx): number | 'full' | 'auto' => {
  if (s === 'auto') return 'auto';
  const r = batchSizeSchema.safeParse(s);
  if (!r.success) {
    ctx.addIssue({ code: 'custom', message: 'must be a whole number ≥ 1, "full" or "auto"' });
    return z.NEVER;
  }
  return r.data;
});

export const batchSizeSchema = z.string().transform((s, ctx): number | 'full' => {
  if (s === 'full') return 'full';
  const v = num(s);
  if (!Number.isInteger(v) || v < 1) {
    ctx.addIssue({ code: 'custom', message: 'must be a whole number ≥ 1 or "full"' });
    return z.NEVER;
  }
  return v;
});

export const listOf = <T>(item: z.ZodType<T>, what: string) =>
  z.string().transform((s, ctx) => {
    const parts = s.split(',').map((p) => p.trim());
    const out: T[] = [];
    for (const p of parts) {
      const r = item.safeParse(p);
      if (!r.success) {
        ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of ${what}; "${p}" is not one` });
        return z.NEVER;
      }
      out.push(r.data);
    }
    return out;
  });

export const oneOf = <const T extends readonly string[]>(values: T) =>
  z.string().transform((s, ctx) => {
    if (!(values as readonly string[]).includes(s)) {
      ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}` });
      return z.NEVER;
    }
    return s as T[number];
  });

/**
 * Validate raw option values (strings from the command line, `true` for given booleans) against
 * their declarations. The first problem becomes one UserError line:
 * `--batch-size must be a whole number ≥ 1 or "full", got "0"`.
 */
export function parseOptions<D extends Decls>(decls: D, raw: Record<string, string | boolean | undefined>): Parsed<D> {
  const out: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(decls)) {
    const given = raw[key];
    if (isBoolean(decl)) {
      out[key] = given === true;
      continue;
    }
    const value = typeof given === 'string' ? given : decl.default;
    if (value === undefined) {
      out[key] = undefined;
      continue;
    }
    const r = decl.schema.safeParse(value);
    if (!r.success) throw new UserError(`${flagName(decl)} ${r.error.issues[0]?.message ?? 'is invalid'}, got "${value}"`);
    out[key] = r.data;
  }
  return out as Parsed<D>;
}
