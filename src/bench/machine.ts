/** What a bench result was measured on, so numbers from different machines are not confused. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';

export interface MachineInfo {
  readonly cpu: string;
  /** Logical CPUs this process may use. */
  readonly cores: number;
  readonly onnxruntime: string;
  readonly node: string;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    // Not Linux: os.cpus() below.
  }
  return cpus()[0]?.model.trim() || 'unknown CPU';
}

/** onnxruntime-node's version from its package.json (its exports map hides the file, so walk up from main). */
export function onnxruntimeVersion(): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
    for (let i = 0; i < 5; i++, dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'onnxruntime-node' && pkg.version) return pkg.version;
    }
  } catch {
    // Fall through: the version is informational.
  }
  return 'unknown';
}

export function machineInfo(): MachineInfo {
  return { cpu: cpuModel(), cores: availableParallelism(), onnxruntime: onnxruntimeVersion(), node: process.version };
}

/** batchwise's own version, from the package.json above this file (src/ or dist/ alike). */
export function batchwiseVersion(): string {
  let dir = dirname(new URL(import.meta.url).pathname);
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'batchwise' && pkg.version) return pkg.version;
  }
  return 'unknown';
}
