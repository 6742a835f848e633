/** What `sweep` says about a queued sweep: where its workers connect, its failed trials, its hosts. */
import { describeAddress, type QueueAddress } from '../queue/address.js';
import type { SweepAnalysis } from '../sweep/analyse.js';

export const queueLines = {
  address: describeAddress,
  workerCommand: (a: QueueAddress) => `batchwise worker --queue ${'path' in a ? a.path : describeAddress(a)}`,
  report(a: SweepAnalysis, trials: readonly { readonly status: string }[]): string[] {
    const lines: string[] = [];
    const failed = trials.filter((t) => t.status === 'failed').length;
    if (failed > 0) lines.push(`${failed} trial(s) failed on the workers and are left out (their errors: batchwise runs --db … --run …); --retry-failed runs them again`);
    const m = a.mixedHosts;
    if (m !== null) {
      lines.push(
        m.estimates.length > 0
          ? `trials ran on ${m.hosts.length} machines (${m.hosts.join(', ')}), whose seconds do not compare: the time optimum is from steps to target and this machine's measured samples/s`
          : `trials ran on ${m.hosts.length} machines (${m.hosts.join(', ')}): their seconds do not compare, so the time optimum below is only indicative`,
      );
    }
    return lines.length > 0 ? [...lines, ''] : [];
  },
};
