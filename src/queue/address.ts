/**
 * Where the queue's Redis is: `redis://[:password@]HOST:PORT[/db]` (or `rediss://` for TLS), or
 * the path of a unix socket. The Redis client (ioredis) is imported only when a queue is used, so
 * a sweep without `--queue` never loads it.
 */
import { UserError } from '../errors.js';
import type { Redis } from 'ioredis';

export type QueueAddress = { readonly url: string } | { readonly path: string };

export const ADDRESS_FORMS = 'redis://HOST:PORT (or redis://:PASSWORD@HOST:PORT, rediss://… for TLS) or the path of a unix socket';

/** null when the text is neither form. */
export function parseQueueAddress(text: string): QueueAddress | null {
  const t = text.trim();
  if (t.startsWith('unix://')) return t.length > 'unix://'.length ? { path: t.slice('unix://'.length) } : null;
  if (t.startsWith('/') || t.startsWith('./') || t.startsWith('../')) return { path: t };
  if (!/^rediss?:\/\//.test(t)) return null;
  try {
    const u = new URL(t);
    return u.hostname === '' ? null : { url: t };
  } catch {
    return null;
  }
}

/** For messages: the address without its password. */
export function describeAddress(a: QueueAddress): string {
  if ('path' in a) return a.path;
  const u = new URL(a.url);
  if (u.password !== '') u.password = '***';
  return u.toString();
}

/**
 * A connected client, ready for BullMQ (`maxRetriesPerRequest: null`, as its workers require).
 * Unreachable at first: a UserError naming the address. Once connected, a lost connection is
 * retried (every 0.2–2 s) rather than ending a long sweep.
 */
export async function connectRedis(a: QueueAddress, connectSeconds = 5): Promise<Redis> {
  const { Redis } = await import('ioredis');
  let connected = false;
  const options = {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: connectSeconds * 1000,
    retryStrategy: (times: number) => (connected ? Math.min(200 * times, 2000) : null),
  };
  const client = 'path' in a ? new Redis({ ...options, path: a.path }) : new Redis(a.url, options);
  let lastError: Error | null = null;
  // ioredis reports connection errors as events too; without a listener it prints them itself.
  client.on('error', (e: Error) => void (lastError = e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    const why = ((lastError ?? e) as Error).message;
    throw new UserError(`cannot reach Redis at ${describeAddress(a)} (${why}); start redis-server there or fix --queue`);
  }
  connected = true;
  return client;
}
