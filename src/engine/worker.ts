/** Worker-thread entry of a fixed-batch training run (worker-main.ts says how it talks to the main thread). */
import { runTraining } from './run.js';
import { workerMain } from './worker-main.js';

export type { WorkerInput, WorkerMessage } from './worker-main.js';

await workerMain((input, hooks, given) => runTraining(input.config, input.options, hooks, given));
