/**
 * Processes as the kernel lists them in /proc (Linux), for tests that check where a child runs
 * (its process group) and that it does not outlive its parent.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Process group id. */
  readonly pgrp: number;
  /** State letter: R, S, D, Z (zombie), … */
  readonly state: string;
  readonly cmdline: string;
}

/** One process, or null when it is gone (or /proc is unreadable). */
export function processInfo(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may itself hold spaces and parentheses: read after the last ')'.
    const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(ppid), pgrp: Number(pgrp), state: state!, cmdline };
  } catch {
    return null;
  }
}

/** The children of `parentPid` whose command line contains `match`. */
export function childrenOf(parentPid: number, match: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = processInfo(Number(name));
    if (p && p.ppid === parentPid && p.cmdline.includes(match)) out.push(p);
  }
  return out;
}

/** Whether `pid` still runs (a zombie, dead but not yet reaped, does not count). */
export function isRunning(pid: number): boolean {
  const p = processInfo(pid);
  return p !== null && p.state !== 'Z';
}
