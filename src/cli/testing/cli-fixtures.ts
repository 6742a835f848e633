/**
 * Helpers for the CLI tests (not a test file itself, so `node --test` does not run it): spawn the
 * built `batchwise` binary, and write small seeded datasets and model files into a temp folder.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/cli/main.js, next to the compiled tests. */
export const BIN = fileURLToPath(new URL('../main.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `batchwise ...args` in `cwd` and waits for it. */
export function runCli(args: readonly string[], cwd: string, timeoutMs = 60_000): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts `batchwise ...args` in `cwd` without waiting; `done` resolves when it exits. With
 * `ownGroup` it leads a process group of its own, as a shell runs a command, so a test can signal
 * that whole group as a terminal's Ctrl-C does (`process.kill(-child.pid, 'SIGINT')`).
 */
export function startCli(args: readonly string[], cwd: string, ownGroup = false): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** The `--json` result: the last line of stdout, parsed. */
export function lastJson(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.trimEnd().split('\n');
  const last = lines[lines.length - 1] ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    assert.fail(`last stdout line is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** Asserts a clean exit 0, showing stderr otherwise. */
export function assertOk(run: CliRun, code = 0): void {
  assert.equal(run.code, code, `exit ${run.code} (signal ${run.signal}), expected ${code}; stderr:\n${run.stderr}`);
}

/** A stack frame, as Node prints it ("    at f (file.js:1:2)"). */
const STACK_FRAME = /^\s+at\s|\.[cm]?js:\d+:\d+/m;

/**
 * Asserts a user error as the CLI must report it: exit 2, nothing on stdout, exactly one stderr
 * line starting `batchwise: ` with no stack frame. Returns the message after the prefix.
 */
export function assertUserError(run: CliRun): string {
  assert.equal(run.code, 2, `exit ${run.code} (signal ${run.signal}), expected 2; stderr:\n${run.stderr}`);
  assert.equal(run.stdout, '', 'nothing on stdout');
  assert.ok(run.stderr.endsWith('\n'), `stderr ends with a newline: ${JSON.stringify(run.stderr)}`);
  const lines = run.stderr.slice(0, -1).split('\n');
  assert.equal(lines.length, 1, `exactly one stderr line, got:\n${run.stderr}`);
  assert.ok(lines[0]!.startsWith('batchwise: '), `starts with "batchwise: ": ${lines[0]}`);
  assert.doesNotMatch(run.stderr, STACK_FRAME, 'no stack frames');
  return lines[0]!.slice('batchwise: '.length);
}

export function assertNoStack(run: CliRun): void {
  assert.doesNotMatch(run.stderr, STACK_FRAME, `no stack frames in stderr:\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /internal error/, `no internal error in stderr:\n${run.stderr}`);
}

/** A fresh temp folder; remove it with `removeDir`. */
export function makeTempDir(prefix = 'batchwise-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** mulberry32: a small seeded generator, independent of the package's own Rng. */
export function seeded(seed: number): { uniform: () => number; normal: () => number } {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

export interface Blobs {
  /** Row-major features exactly as written to the CSV (each value is Number of its text). */
  readonly x: number[][];
  readonly y: number[];
  readonly features: number;
  readonly classes: number;
}

/**
 * Gaussian blobs: row r has class r mod classes; feature k is N(offset, noise²) plus
 * `separation` when k mod classes is the row's class. Features are offset so they are not
 * already normalised (the exported model must normalise raw input itself).
 */
export function makeBlobs(o: { rows: number; features: number; classes: number; seed: number; separation: number; noise?: number; offset?: number }): Blobs {
  const rng = seeded(o.seed);
  const noise = o.noise ?? 1;
  const offset = o.offset ?? 5;
  const x: number[][] = [];
  const y: number[] = [];
  for (let r = 0; r < o.rows; r++) {
    const c = r % o.classes;
    const row: number[] = [];
    for (let k = 0; k < o.features; k++) {
      const v = offset + k + noise * rng.normal() + (k % o.classes === c ? o.separation : 0);
      row.push(Number(v.toFixed(4)));
    }
    x.push(row);
    y.push(c);
  }
  return { x, y, features: o.features, classes: o.classes };
}

/** Writes blobs as a headerless CSV, label in the last column. */
export function writeBlobsCsv(path: string, b: Blobs): void {
  writeFileSync(path, b.x.map((row, r) => `${row.join(',')},${b.y[r]}`).join('\n') + '\n');
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

/** An IDX file built by hand (big-endian header, ubyte data). */
export function idxUbyte(dims: readonly number[], values: ArrayLike<number>): Buffer {
  const header = 4 + 4 * dims.length;
  const b = Buffer.alloc(header + values.length);
  b[2] = 0x08;
  b[3] = dims.length;
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  for (let i = 0; i < values.length; i++) b[header + i] = values[i]!;
  return b;
}

/** Split sizes of `loadDataset` for a pool of n examples without its own test set. */
export function splitSizes(n: number, validationFraction: number, testFraction: number): { train: number; validation: number; test: number } {
  const test = Math.round(n * testFraction);
  const validation = Math.round((n - test) * validationFraction);
  return { train: n - test - validation, validation, test };
}

/** Polls `cond` every `everyMs` until it holds; fails after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000, everyMs = 25): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
