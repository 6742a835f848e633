/**
 * Child-process entry of one memory probe (forked by probe.ts). It reads the B·K training
 * examples one update needs (see probe-data.ts), resets the kernel's high-water mark, records a
 * baseline RSS and tells the parent; then builds the Trainer, runs updates and reports the peak
 * RSS above the baseline. The parent watches the RSS meanwhile and kills this process over budget.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { prepareTrainer } from '../engine/run.js';
import { readProbeData } from './probe-data.js';
import type { ChildMessage, ProbeRequest } from './probe.js';

/** This process's peak RSS in bytes from /proc (Linux), or null elsewhere. */
function highWaterMarkBytes(): number | null {
  try {
    const m = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Linux ≥ 4.0: "5" resets VmHWM to the current RSS, so the peak counts only what comes after the baseline. */
function resetHighWaterMark(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

const send = (m: ChildMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

async function run(req: ProbeRequest): Promise<void> {
  const data = readProbeData(req.data, req.microBatch * req.config.iterSize);
  const hwmReset = resetHighWaterMark();
  const baselineBytes = process.memoryUsage.rss();
  await send({ type: 'baseline', baselineBytes, hwmReset });

  const trainer = await prepareTrainer({ ...req.config, batchSize: req.microBatch }, data);
  // The training split holds exactly one update, so each call is one update of a new epoch.
  for (let u = 0; u < req.updates; u++) await trainer.runUpdates(1);

  // Without /proc (macOS, Windows) maxRSS is the lifetime peak, so the peak includes reading the examples.
  const hwm = hwmReset ? highWaterMarkBytes() : null;
  const peakRssBytes = hwm ?? process.resourceUsage().maxRSS * 1024;
  await send({ type: 'result', peakBytes: peakRssBytes - baselineBytes, peakRssBytes, exact: hwm !== null });
}

// A probe whose parent is gone measures for nobody: stop instead of holding its memory.
process.once('disconnect', () => process.exit(1));
process.once('message', (req: ProbeRequest) => {
  run(req).then(
    () => process.exit(0),
    async (e: unknown) => {
      const err = e as Error;
      await send({ type: 'error', userError: e instanceof UserError, message: err?.message ?? String(e) });
      process.exit(1);
    },
  );
});
