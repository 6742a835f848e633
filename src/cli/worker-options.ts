/** The `worker` command's options. */
import { z } from 'zod';
import { ADDRESS_FORMS, parseQueueAddress, type QueueAddress } from '../queue/address.js';
import { intAtLeast, positiveNumber, type Decls, type Parsed } from './options.js';

/** `--queue`: shared by `sweep` and `worker`. */
export const queueAddressSchema = z.string().transform((s, ctx): QueueAddress => {
  const a = parseQueueAddress(s);
  if (a === null) {
    ctx.addIssue({ code: 'custom', message: `must be ${ADDRESS_FORMS}` });
    return z.NEVER;
  }
  return a;
});

export const workerDecls = {
  queue: { flag: '--queue <address>', help: `the Redis the sweep's coordinator enqueues trials on: ${ADDRESS_FORMS} (required)`, schema: queueAddressSchema },
  concurrency: { flag: '--concurrency <n>', help: 'trials trained at once, each in its own child process', schema: intAtLeast(1), default: '1' },
  threads: { flag: '--threads <t>', help: 'ONNX Runtime threads per trial (default: this machine’s cores ÷ --concurrency)', schema: intAtLeast(1) },
  lockSeconds: { flag: '--lock-seconds <s>', help: 'a trial whose worker died is handed to another after this long (its lock expires)', schema: positiveNumber, default: '30' },
} satisfies Decls;

export type WorkerOptions = Parsed<typeof workerDecls>;
