/**
 * The same training step timed in PyTorch, for a reference point on the same machine and thread
 * count. Uses Debian's own interpreter and packages (python3-torch, libopenblas0-pthread) rather
 * than whatever `python3` is on PATH, so the comparison is reproducible; where torch is absent the
 * bench simply has no PyTorch column.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { BenchModel } from './throughput.js';

export const TORCH_PYTHON = '/usr/bin/python3';
/** How to get the PyTorch column. */
export const TORCH_HINT = 'to compare with PyTorch: apt-get install python3-torch libopenblas0-pthread';

/**
 * argv[1]: JSON {model, batchSizes, threads, seconds}. Stdout: one JSON line, either
 * {"torch": version, "rows": [{"batchSize", "samplesPerSec"}]} or {"missing": reason}.
 * The models mirror src/model/presets.ts; the batch is fixed random data of MNIST's shape, so the
 * timing is of the step itself (batchwise gathers its batch inside the graph, a minor cost).
 */
export const TORCH_SCRIPT = String.raw`
import json, sys, time
cfg = json.loads(sys.argv[1])
try:
    import torch
    from torch import nn
except Exception as e:
    print(json.dumps({"missing": "%s: %s" % (type(e).__name__, e)}))
    sys.exit(0)
torch.set_num_threads(cfg["threads"])
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass
torch.manual_seed(1)

def make():
    if cfg["model"] == "mlp":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)), (784,)
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, stride=1, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, stride=1, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10)), (1, 28, 28)

rows = []
for b in cfg["batchSizes"]:
    model, shape = make()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(b, *shape)
    y = torch.randint(0, 10, (b,))
    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    started = time.perf_counter()
    step()
    while time.perf_counter() - started < 0.3:
        step()
    steps = 0
    started = time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - started
        if elapsed >= cfg["seconds"]:
            break
    rows.append({"batchSize": b, "samplesPerSec": steps * b / elapsed})
    print("pytorch batch %d: %.0f samples/s" % (b, steps * b / elapsed), file=sys.stderr, flush=True)
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "rows": rows}))
`;

export interface TorchRow {
  readonly batchSize: number;
  readonly samplesPerSec: number;
}

export type TorchOutcome =
  | { readonly kind: 'ok'; readonly version: string; readonly threads: number; readonly rows: readonly TorchRow[] }
  | { readonly kind: 'missing'; readonly reason: string };

/** Parse the script's stdout: its last JSON line. Anything else is a failure worth seeing. */
export function parseTorchOutput(stdout: string): TorchOutcome {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .pop();
  if (line === undefined) throw new Error(`the PyTorch script printed no JSON: ${JSON.stringify(stdout.slice(-500))}`);
  const v = JSON.parse(line) as Record<string, unknown>;
  if (typeof v['missing'] === 'string') return { kind: 'missing', reason: v['missing'] };
  const rows = v['rows'];
  const okRow = (r: unknown): r is TorchRow =>
    typeof r === 'object' && r !== null && Number.isInteger((r as TorchRow).batchSize) && Number.isFinite((r as TorchRow).samplesPerSec);
  if (typeof v['torch'] !== 'string' || !Array.isArray(rows) || !rows.every(okRow)) {
    throw new Error(`unexpected output from the PyTorch script: ${line.slice(0, 500)}`);
  }
  return { kind: 'ok', version: v['torch'], threads: typeof v['threads'] === 'number' ? v['threads'] : NaN, rows };
}

/** Whether Debian's python3 imports torch; quick, so the bench can say so before it starts. */
export function torchAvailable(python = TORCH_PYTHON): boolean {
  const r = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
  return r.status === 0;
}

export interface TorchOptions {
  readonly model: BenchModel;
  readonly batchSizes: readonly number[];
  readonly threads: number;
  readonly seconds: number;
  readonly python?: string;
  /**
   * OpenMP's wait policy for PyTorch's threads: 'default' unsets OMP_WAIT_POLICY (its threads
   * spin), 'PASSIVE' sets it (often faster on a busy machine); absent keeps the caller's.
   */
  readonly ompWaitPolicy?: 'default' | 'PASSIVE';
}

/** Time the PyTorch step per batch size; the script's progress lines go to our stderr. */
export async function runTorchBench(opts: TorchOptions): Promise<TorchOutcome> {
  const python = opts.python ?? TORCH_PYTHON;
  const cfg = JSON.stringify({ model: opts.model, batchSizes: opts.batchSizes, threads: opts.threads, seconds: opts.seconds });
  // OMP_NUM_THREADS keeps OpenMP from starting a full pool before the script sets the count.
  // Everything else is the caller's environment, so PyTorch runs as it would for them (its
  // default OpenMP threads spin; OMP_WAIT_POLICY=PASSIVE is often faster on a busy machine).
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(opts.threads) };
  if (opts.ompWaitPolicy === 'default') delete env['OMP_WAIT_POLICY'];
  if (opts.ompWaitPolicy === 'PASSIVE') env['OMP_WAIT_POLICY'] = 'PASSIVE';
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-c', TORCH_SCRIPT, cfg], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.on('error', (e) => (e as NodeJS.ErrnoException).code === 'ENOENT' ? resolve({ kind: 'missing', reason: `${python} not found` }) : reject(e));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the PyTorch script exited with code ${code}`));
      try {
        resolve(parseTorchOutput(stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}
