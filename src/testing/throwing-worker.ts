/** `node throwing-worker.js SOCKET`: a queue worker whose processor is throwing-processor.js, until SIGTERM. */
import { fileURLToPath } from 'node:url';
import { startWorker } from '../queue/worker.js';

const worker = await startWorker({
  address: { path: process.argv[2]! },
  concurrency: 1,
  threads: 1,
  lockSeconds: 30,
  processorFile: fileURLToPath(new URL('./throwing-processor.js', import.meta.url)),
  onLine: (l) => process.stderr.write(`batchwise worker: ${l}\n`),
});
process.stderr.write(`${worker.banner}\n`);
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
