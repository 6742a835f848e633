/**
 * The link a data-parallel all-reduce runs over: a bandwidth each way per worker and a latency per
 * message, given as a named preset or as figures with units (`10Gbit/s,50us`). The presets are
 * nominal line rates (their sources are in the README); a measured all-reduce bus bandwidth is
 * usually lower, so times predicted from them are a lower bound on communication.
 */

export interface Interconnect {
  /** The preset's name, or null for figures given directly. */
  readonly name: string | null;
  /** Bytes per second each way on one worker's link, the rate of each step of a ring. */
  readonly bytesPerSec: number;
  /** Seconds before the first byte of each message arrives. */
  readonly latencySeconds: number;
}

/** What `--interconnect` accepts besides a preset, for help and errors. */
export const INTERCONNECT_FORMS = 'BANDWIDTH,LATENCY such as 10Gbit/s,50us (bandwidth in bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s or B/s, kB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s; latency in ns, us, ms or s)';

const preset = (name: string, bytesPerSec: number, latencySeconds: number): Interconnect => ({ name, bytesPerSec, latencySeconds });

/**
 * Nominal figures, one direction: Ethernet at its IEEE line rate over TCP sockets (tens of µs per
 * message through the kernel); PCIe 4.0 ×16 at 16 GT/s × 16 lanes with 128b/130b coding; NVLink
 * at half of NVIDIA's per-GPU total, which counts both directions (A100 600 GB/s, H100 900 GB/s).
 */
export const INTERCONNECT_PRESETS: Readonly<Record<string, Interconnect>> = {
  eth10g: preset('eth10g', 10e9 / 8, 50e-6),
  eth25g: preset('eth25g', 25e9 / 8, 50e-6),
  eth100g: preset('eth100g', 100e9 / 8, 20e-6),
  pcie4: preset('pcie4', (16e9 * 16 * 128) / 130 / 8, 5e-6),
  nvlink3: preset('nvlink3', 300e9, 3e-6),
  nvlink4: preset('nvlink4', 450e9, 3e-6),
};

/** Used with --world-size > 1 when no interconnect is given: the common, slow case, not a flattering one. */
export const DEFAULT_INTERCONNECT = 'eth10g';

// Prefix letters are case-insensitive (kB = KB), but b (bits) and B (bytes) are not: that is
// exactly the mistake a reader of "10 Gb/s" makes.
const PREFIX: Readonly<Record<string, number>> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40 };
// Divisors, not factors: 50 / 1e6 is the double nearest 50 µs, 50 × 1e-6 is not.
const LATENCY_PER_SECOND: Readonly<Record<string, number>> = { ns: 1e9, us: 1e6, 'µs': 1e6, 'μs': 1e6, ms: 1e3, s: 1 };
const NUMBER = String.raw`(\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)`;

/** Bytes per second from `10Gbit/s`, `10Gb/s`, `10Gbps`, `1.25GB/s`, `2GiB/s`; null when it is none of these. */
export function parseBandwidth(text: string): number | null {
  const m = new RegExp(`^${NUMBER}\\s*([kKmMgGtT]i?)?(bit/s|b/s|bps|B/s)$`).exec(text.trim());
  if (!m) return null;
  const prefix = (m[2] ?? '').toLowerCase();
  // Binary prefixes are for bytes only: nobody quotes a link in Gibit/s.
  if (prefix.endsWith('i') && m[3] !== 'B/s') return null;
  const v = Number(m[1]) * PREFIX[prefix]! * (m[3] === 'B/s' ? 1 : 1 / 8);
  return Number.isFinite(v) && v > 0 ? v : null;
}

/** Seconds from `50us`, `50µs`, `2ms`, `800ns`, `0s`; null when it is none of these. */
export function parseLatency(text: string): number | null {
  const m = new RegExp(`^${NUMBER}\\s*(ns|us|µs|μs|ms|s)$`).exec(text.trim());
  if (!m) return null;
  const v = Number(m[1]) / LATENCY_PER_SECOND[m[2]!]!;
  return Number.isFinite(v) ? v : null;
}

/** A preset name or `BANDWIDTH,LATENCY`; on a bad value, what is wrong with it, worded to follow "--interconnect must be …". */
export function parseInterconnect(text: string): { ok: true; value: Interconnect } | { ok: false; problem: string } {
  const known = INTERCONNECT_PRESETS[text.trim()];
  if (known) return { ok: true, value: known };
  const expected = `must be a preset (${Object.keys(INTERCONNECT_PRESETS).join(', ')}) or ${INTERCONNECT_FORMS}`;
  const parts = text.split(',');
  if (parts.length !== 2) return { ok: false, problem: `${expected}; give both figures, or a preset` };
  const bytesPerSec = parseBandwidth(parts[0]!);
  if (bytesPerSec === null) return { ok: false, problem: `${expected}; "${parts[0]!.trim()}" is not a bandwidth with a unit` };
  const latencySeconds = parseLatency(parts[1]!);
  if (latencySeconds === null) return { ok: false, problem: `${expected}; "${parts[1]!.trim()}" is not a latency with a unit` };
  return { ok: true, value: { name: null, bytesPerSec, latencySeconds } };
}

/** `eth10g (1.25 GB/s each way, 50 µs per message)`: bandwidth in decimal bytes, as links are sold. */
export function formatInterconnect(i: Interconnect): string {
  const gbits = (i.bytesPerSec * 8) / 1e9;
  const rate = i.bytesPerSec >= 1e9 ? `${+(i.bytesPerSec / 1e9).toPrecision(4)} GB/s` : `${+(i.bytesPerSec / 1e6).toPrecision(4)} MB/s`;
  const bits = gbits >= 1 ? `${+gbits.toPrecision(4)} Gbit/s = ` : '';
  const t = i.latencySeconds;
  const latency = t >= 1 ? `${+t.toPrecision(4)} s` : t >= 1e-3 ? `${+(t * 1e3).toPrecision(4)} ms` : `${+(t * 1e6).toPrecision(4)} µs`;
  return `${i.name ?? 'given link'} (${bits}${rate} each way, ${latency} per message)`;
}
