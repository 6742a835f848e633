/**
 * This machine's plain matrix-multiply rate under ONNX Runtime: the ceiling that training
 * throughput is compared with. One `session.run` executes a Loop of `reps` MatMuls, so the
 * per-run cost (feeds, thread wake-up, output copy) is spread over many products and the rate is
 * the kernel's steady state.
 */
import { DType, encodeModel, GraphBuilder } from '../graph/builder.js';
import { createSession, floatTensor, int64Tensor, ort } from '../engine/ort.js';
import { Rng } from '../rng.js';

/** FLOPs of `reps` products of [m, k] by [k, n] (one multiply and one add per MAC) per second, in GFLOP/s. */
export function matmulGflops(m: number, n: number, k: number, reps: number, seconds: number): number {
  return (2 * m * n * k * reps) / seconds / 1e9;
}

/**
 * Inputs `a` [m, k], `b` [k, n] and `reps` (int64 scalar); output `c` = a·b, computed `reps`
 * times. The product is a loop-carried value, so every iteration's MatMul is live; ORT does not
 * hoist loop-invariant nodes out of a Loop body.
 */
export function buildMatmulModel(m: number, k: number, n: number): Uint8Array {
  const g = new GraphBuilder('matmul_bench');
  const a = g.input('a', DType.float, [m, k]);
  const b = g.input('b', DType.float, [k, n]);
  const reps = g.input('reps', DType.int64, []);
  const body = g.sub('rep');
  body.input(body.fresh('iter'), DType.int64, []);
  const cond = body.input(body.fresh('cond'), DType.bool, []);
  body.input(body.fresh('c_in'), DType.float, [m, n]);
  const condOut = body.op('Identity', [cond]);
  const product = body.op('MatMul', [a, b]);
  body.output(condOut, DType.bool, []);
  body.output(product, DType.float, [m, n]);
  const c0 = g.op('ConstantOfShape', [g.constInt64([m, n])]);
  g.op('Loop', [reps, g.constBool(true), c0], { body: { graph: body.build() } }, 'c');
  g.output('c', DType.float, [m, n]);
  return encodeModel(g.build(), 'Loop of reps × MatMul(a, b), for measuring the GEMM rate');
}

/** A session running `buildMatmulModel` with fixed operands. */
export class MatmulRunner {
  private constructor(
    readonly m: number,
    readonly k: number,
    readonly n: number,
    private readonly session: ort.InferenceSession,
    private readonly a: ort.Tensor,
    private readonly b: ort.Tensor,
  ) {}

  static async create(m: number, k: number, n: number, threads: number, operands?: { a: Float32Array; b: Float32Array }): Promise<MatmulRunner> {
    const rng = new Rng(7);
    // Values of order 1/√k keep the products of order 1: no overflow, no denormals.
    const fill = (len: number) => Float32Array.from({ length: len }, () => (rng.next() - 0.5) / Math.sqrt(k));
    const session = await createSession(buildMatmulModel(m, k, n), { threads });
    return new MatmulRunner(m, k, n, session, floatTensor(operands?.a ?? fill(m * k), [m, k]), floatTensor(operands?.b ?? fill(k * n), [k, n]));
  }

  /** Run `reps` products in one session.run; returns the product and the seconds it took. */
  async run(reps: number): Promise<{ c: Float32Array; seconds: number }> {
    const feeds = { a: this.a, b: this.b, reps: int64Tensor(BigInt64Array.of(BigInt(reps)), []) };
    const started = performance.now();
    const out = await this.session.run(feeds);
    const seconds = (performance.now() - started) / 1000;
    return { c: out['c']!.data as Float32Array, seconds };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export interface MatmulOptions {
  readonly threads: number;
  /** Square operand size; 1024 is past the size where GEMM kernels reach their steady rate. */
  readonly size?: number;
  /** Total measuring time, after warm-up. */
  readonly seconds?: number;
  /** Target length of one run (one trial). */
  readonly runSeconds?: number;
}

export interface MatmulResult {
  readonly gflops: number;
  readonly size: number;
  readonly trials: number;
  readonly reps: number;
}

/** Best GFLOP/s over many short runs: the steady state, not the mean over noise (other processes, clock ramp-up). */
export async function measureMatmul(opts: MatmulOptions): Promise<MatmulResult> {
  const size = opts.size ?? 1024;
  const seconds = opts.seconds ?? 1;
  const runSeconds = opts.runSeconds ?? 0.1;
  const runner = await MatmulRunner.create(size, size, size, opts.threads);
  try {
    // The first run allocates and spins up the thread pool; the second calibrates reps.
    await runner.run(1);
    const probe = await runner.run(2);
    const reps = Math.max(1, Math.round((runSeconds * 2) / probe.seconds));
    let best = 0;
    let spent = 0;
    let trials = 0;
    while (spent < seconds || trials < 3) {
      const { seconds: s } = await runner.run(reps);
      spent += s;
      trials++;
      best = Math.max(best, matmulGflops(size, size, size, reps, s));
    }
    return { gflops: best, size, trials, reps };
  } finally {
    await runner.release();
  }
}
