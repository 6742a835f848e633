/**
 * Queue workers as child processes for the queue tests: `batchwise worker` itself, or the
 * throwing one (throwing-worker.ts). Each leads its own process group, so that a SIGKILL reaches
 * its sandboxed children too, as it would on a machine that dies; every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BIN, waitFor } from '../cli/testing/cli-fixtures.js';

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  log(): string;
  /** Resolves when it is ready to take jobs (it printed its banner). */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM (it finishes its trial), then SIGKILL to the group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole group, as a machine that dies. */
  kill(): Promise<void>;
}

function spawnWorker(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): WorkerProcess {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (log += s));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  };
  return {
    child,
    log: () => log,
    ready: (timeoutMs = 90_000) => waitFor(() => /batchwise worker on /.test(log) || gone(), 'the worker to start', timeoutMs, 50).then(() => {
      if (gone()) throw new Error(`the worker exited at start:\n${log}`);
    }),
    stop: async (graceMs = 30_000) => {
      if (!gone()) child.kill('SIGTERM');
      const timer = setTimeout(killGroup, graceMs);
      await exited;
      clearTimeout(timer);
      killGroup(); // its sandboxed children, had any outlived it
    },
    kill: async () => {
      killGroup();
      await exited;
    },
  };
}

export function startWorkerCli(socket: string, cwd: string, extra: readonly string[] = []): WorkerProcess {
  return spawnWorker([BIN, 'worker', '--queue', socket, '--threads', '1', ...extra], cwd, {});
}

export function startThrowingWorker(socket: string, cwd: string, throwKey: string): WorkerProcess {
  return spawnWorker([fileURLToPath(new URL('./throwing-worker.js', import.meta.url)), socket], cwd, { BATCHWISE_TEST_THROW_KEY: throwKey });
}
