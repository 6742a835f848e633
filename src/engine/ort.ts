/**
 * The only module that touches onnxruntime-node: sessions with explicit threading (each session
 * owns a thread pool that spins by default; several at once slow each other down) and tensor
 * helpers.
 */
import * as ort from 'onnxruntime-node';

export { ort };
export type Feeds = Record<string, ort.Tensor>;

export interface SessionOptions {
  /** Intra-op threads; 0 lets ORT choose (one per core). */
  readonly threads: number;
  /** Write ONNX Runtime's profile (Chrome trace JSON) to a file named `<prefix>_<date>.json`. */
  readonly profileFilePrefix?: string;
}

export async function createSession(model: Uint8Array, opts: SessionOptions): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    ...(opts.profileFilePrefix === undefined ? {} : { enableProfiling: true, profileFilePrefix: opts.profileFilePrefix }),
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}

export function floatTensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

export function int64Tensor(data: BigInt64Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('int64', data, dims);
}

export function scalar(value: number): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.of(value), []);
}

/** Run a session and return every output as a Float32Array (int outputs converted). */
export async function runFloat(session: ort.InferenceSession, feeds: Feeds): Promise<Record<string, Float32Array>> {
  const out = await session.run(feeds);
  const result: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(out)) {
    result[name] = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>, Number);
  }
  return result;
}
