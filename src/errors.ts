/**
 * A mistake in what the user gave (flag, file, model): the CLI prints `message` as one line and
 * exits with code 2. Anything else that is thrown is a bug and keeps its stack.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** Internal invariant; a failure is a bug in batchwise, never the user's input. */
export function assert(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(`internal error: ${what}`);
}

/** The user asked to stop (Ctrl-C) before there was a result: the CLI says so and exits 130. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor(what: string) {
    super(`interrupted ${what}`);
  }
}
