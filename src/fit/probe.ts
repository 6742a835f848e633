/**
 * One memory probe in a child process: the peak memory of a few training updates at one
 * micro-batch size. The child can crash, hang or grow without bound; the parent only ever sees an
 * outcome. The parent samples the child's RSS every `pollMs` and SIGKILLs it as soon as the RSS
 * above the child's baseline exceeds `killAboveBytes`.
 *
 * The child runs in its own process group, so a Ctrl-C at the terminal reaches only the parent,
 * which decides: a stop (`shouldStop`) kills the probe and rejects with `Interrupted`, instead of
 * the child dying of SIGINT and the search reading that as "does not fit". Being outside the
 * terminal's group, the child must not outlive the parent: it is SIGKILLed when the parent exits,
 * and quits by itself when the parent dies without exiting (its IPC channel closes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunConfig } from '../engine/run-config.js';
import { Interrupted, UserError } from '../errors.js';
import type { ProbeDataFile } from './probe-data.js';
import type { ProbeOutcome } from './search.js';

export interface ProbeRequest {
  readonly config: RunConfig;
  readonly microBatch: number;
  /** Updates to run (≥ 2: the first sizes ORT's arena, the second shows it is enough). */
  readonly updates: number;
  readonly data: ProbeDataFile;
}

export type ChildMessage =
  | { readonly type: 'baseline'; readonly baselineBytes: number; readonly hwmReset: boolean }
  | { readonly type: 'result'; readonly peakBytes: number; readonly peakRssBytes: number; readonly exact: boolean }
  | { readonly type: 'error'; readonly userError: boolean; readonly message: string };

export interface ProbeLimits {
  /** Kill the child once its RSS is this far above its baseline. */
  readonly killAboveBytes: number;
  readonly timeoutSeconds: number;
  readonly pollMs?: number;
  /** Polled with the RSS: true kills the child and rejects with Interrupted. */
  readonly shouldStop?: () => boolean;
}

export interface ProbeDetail extends ProbeOutcome {
  /** The child's RSS after loading its data, before the Trainer was built. */
  readonly baselineBytes: number | null;
  /** Whether the parent killed it (over budget or timeout). */
  readonly killed: boolean;
  /** The highest RSS above baseline that the parent saw in its samples. */
  readonly sampledPeakBytes: number | null;
}

export const DEFAULT_PROBE_TIMEOUT_SECONDS = 300;

const CHILD = fileURLToPath(new URL('./probe-child.js', import.meta.url));
const TAIL_CHARS = 2000;

/** Resident set size of a process in bytes, from /proc (Linux); null where there is none. */
export function rssOf(pid: number): number | null {
  try {
    const m = /^VmRSS:\s*(\d+)\s*kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Probe children still running; killed when this process exits, however it exits. */
const live = new Set<ChildProcess>();
let killOnExit = false;

function track(child: ChildProcess): void {
  if (!killOnExit) {
    // 'exit' handlers run on a normal end, process.exit (a second Ctrl-C) and an uncaught error.
    process.on('exit', () => live.forEach((c) => c.kill('SIGKILL')));
    killOnExit = true;
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Runs one probe. Rejects with a UserError the child raised (a mistake in the config), or Interrupted on a stop. */
export function probeInChild(request: ProbeRequest, limits: ProbeLimits): Promise<ProbeDetail> {
  const started = performance.now();
  // execArgv is given so the child does not inherit the caller's flags (node --test, --inspect).
  // detached: its own process group, out of reach of the terminal's SIGINT.
  const child = fork(CHILD, [], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json', detached: true });
  track(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-TAIL_CHARS)));
  let baselineBytes: number | null = null;
  let sampledPeakBytes: number | null = null;
  let killedFor: 'over budget' | 'timeout' | 'stopped' | null = null;
  let result: Extract<ChildMessage, { type: 'result' }> | null = null;
  let error: Extract<ChildMessage, { type: 'error' }> | null = null;

  const kill = (why: NonNullable<typeof killedFor>) => {
    if (killedFor === null && child.exitCode === null && child.signalCode === null) {
      killedFor = why;
      child.kill('SIGKILL');
    }
  };
  const poll = setInterval(() => {
    if (limits.shouldStop?.()) return kill('stopped');
    if (baselineBytes === null || child.pid === undefined) return;
    const rss = rssOf(child.pid);
    if (rss === null) return;
    const above = rss - baselineBytes;
    sampledPeakBytes = Math.max(sampledPeakBytes ?? 0, above);
    if (above > limits.killAboveBytes) kill('over budget');
  }, limits.pollMs ?? 20);
  const timer = setTimeout(() => kill('timeout'), limits.timeoutSeconds * 1000);

  child.on('message', (m: ChildMessage) => {
    if (m.type === 'baseline') baselineBytes = m.baselineBytes;
    else if (m.type === 'result') result = m;
    else error = m;
  });
  child.send(request);

  return new Promise<ProbeDetail>((resolve, reject) => {
    child.on('error', (e) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const base = { seconds, baselineBytes, killed: killedFor !== null, sampledPeakBytes };
      const failed = (reason: string): ProbeDetail => ({ ...base, ok: false, peakBytes: null, reason });
      if (killedFor === 'stopped') return reject(new Interrupted(`during the memory probe of micro-batch ${request.microBatch}`));
      if (error?.userError) return reject(new UserError(error.message));
      if (killedFor === 'timeout') return resolve(failed(`timeout after ${limits.timeoutSeconds} s`));
      if (killedFor === 'over budget') return resolve(failed('over budget'));
      if (error) return resolve(failed(`failed: ${error.message}`));
      if (result === null) {
        const how = signal !== null ? `killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exit code ${code}`;
        const last = stderr.trim().split('\n').pop();
        return resolve(failed(`crashed (${how})${last ? `: ${last}` : ''}`));
      }
      // A peak between two samples is still over budget, even though the child finished.
      if (result.peakBytes > limits.killAboveBytes) return resolve(failed('over budget'));
      resolve({ ...base, ok: true, peakBytes: result.peakBytes, reason: null });
    });
  });
}
