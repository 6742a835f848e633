/**
 * A small ONNX graph builder. It produces plain onnx-proto objects and depends on nothing from
 * Node, so the same graphs can be serialized and run by onnxruntime-web in a browser.
 *
 * Every op returns the name of its (first) output; names are unique per builder family, so a
 * Loop body built with `sub()` can read values of the enclosing graph by name.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

export const DType = {
  float: 1,
  int32: 6,
  int64: 7,
  bool: 9,
  double: 11,
} as const;
export type DTypeCode = (typeof DType)[keyof typeof DType];

/** Attribute values: integers as numbers, floats wrapped in `{ f }`, lists as arrays. */
export type AttrValue =
  | number
  | { f: number }
  | { floats: number[] }
  | number[]
  | string
  | { graph: GraphProto }
  | { tensor: TensorProto };

export type Dim = number | string;

/** Shared counter so nested graphs never reuse a name; `scope` prefixes node names (see scope.ts). */
interface NameSource {
  next: number;
  scope: string;
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly names: NameSource;

  constructor(
    readonly name: string,
    names?: NameSource,
  ) {
    this.names = names ?? { next: 0, scope: '' };
  }

  /** A builder for a subgraph (Loop/If body) whose fresh names cannot clash with this one's. */
  sub(name: string): GraphBuilder {
    return new GraphBuilder(name, this.names);
  }

  fresh(hint: string): string {
    return `${hint}_${this.names.next++}`;
  }

  /**
   * Emit with every node (and its outputs) named under `scope`, e.g. "backward:L3.conv2d", so that
   * ONNX Runtime's profile, which names nodes, can be read by layer and phase.
   */
  scoped<T>(scope: string, emit: () => T): T {
    const outer = this.names.scope;
    this.names.scope = scope;
    try {
      return emit();
    } finally {
      this.names.scope = outer;
    }
  }

  input(name: string, dtype: DTypeCode, shape?: Dim[]): string {
    this.inputs.push(valueInfo(name, dtype, shape));
    return name;
  }

  output(name: string, dtype: DTypeCode, shape?: Dim[]): void {
    this.outputs.push(valueInfo(name, dtype, shape));
  }

  /** Emit one node; returns all its output names. */
  opN(type: string, inputs: string[], nOutputs: number, attrs: Record<string, AttrValue> = {}, outNames?: string[]): string[] {
    const scope = this.names.scope;
    // ORT names some nodes it rewrites after their output (a Conv in NCHWc layout), so outputs carry the scope too.
    const outputs = outNames ?? Array.from({ length: nOutputs }, () => this.fresh(scope ? `${scope}/${type.toLowerCase()}` : type.toLowerCase()));
    this.nodes.push({
      opType: type,
      name: this.fresh(scope ? `${scope}/${type}` : `n_${type}`),
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** Emit one node with a single output; returns its name. */
  op(type: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outName?: string): string {
    return this.opN(type, inputs, 1, attrs, outName === undefined ? undefined : [outName])[0]!;
  }

  /** Rename a value (Identity), e.g. to give a graph output its required name. */
  identity(src: string, dst: string): string {
    return this.op('Identity', [src], {}, dst);
  }

  constFloat(values: ArrayLike<number>, dims: number[] = [values.length]): string {
    return this.op('Constant', [], { value: { tensor: floatTensor('c', values, dims) } });
  }

  scalarFloat(value: number): string {
    return this.constFloat([value], []);
  }

  constInt64(values: ArrayLike<number>, dims: number[] = [values.length]): string {
    return this.op('Constant', [], { value: { tensor: int64Tensor('c', values, dims) } });
  }

  scalarInt64(value: number): string {
    return this.constInt64([value], []);
  }

  constBool(value: boolean): string {
    return this.op('Constant', [], { value: { tensor: { name: 'c', dataType: DType.bool, dims: [], int32Data: [value ? 1 : 0] } } });
  }

  initializer(t: TensorProto): string {
    this.initializers.push(t);
    return t.name!;
  }

  build(): GraphProto {
    return {
      name: this.name,
      node: this.nodes,
      input: this.inputs,
      output: this.outputs,
      initializer: this.initializers,
    };
  }
}

export function valueInfo(name: string, dtype: DTypeCode, shape?: Dim[]): ValueInfoProto {
  const tensorType: onnxProto.onnx.TypeProto.ITensor = { elemType: dtype };
  if (shape) {
    tensorType.shape = {
      dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
    };
  }
  return { name, type: { tensorType } };
}

export function floatTensor(name: string, values: ArrayLike<number>, dims: number[]): TensorProto {
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  return {
    name,
    dataType: DType.float,
    dims,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

export function int64Tensor(name: string, values: ArrayLike<number>, dims: number[]): TensorProto {
  const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
  return {
    name,
    dataType: DType.int64,
    dims,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function attribute(name: string, v: AttrValue): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: ${v} is not an integer; wrap floats as { f }`);
    return { name, type: T.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('f' in v) return { name, type: T.FLOAT, f: v.f };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  if ('graph' in v) return { name, type: T.GRAPH, g: v.graph };
  return { name, type: T.TENSOR, t: v.tensor };
}

/** Serialize a graph as a model with the default-domain opset this project targets. */
export const OPSET = 17;

export function encodeModel(graph: GraphProto, docString = ''): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'batchwise',
    docString,
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
