/**
 * A throwaway Redis for the queue tests: Debian's redis-server on a unix socket in a temp folder,
 * no TCP port, nothing persisted; `stop` ends it and waits (bounded) until it is gone, so no test
 * leaves one running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface TestRedis {
  /** The socket's path: what `--queue` takes. */
  readonly socket: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startRedis(timeoutMs = 15_000): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'batchwise-redis-'));
  const socket = join(dir, 'redis.sock');
  const child: ChildProcess = spawn(REDIS_SERVER, ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (log += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (log += s));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const until = Date.now() + timeoutMs;
  while (!existsSync(socket) || !/ready to accept connections/i.test(log)) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    socket,
    dir,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
