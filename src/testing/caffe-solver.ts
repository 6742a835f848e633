/**
 * What Caffe does with a solver.prototxt, for the export tests: which fields exist, how it parses
 * them, the learning rate it runs and the device it picks.
 *
 * The fields are copied from BVLC/caffe master, commit 9b891540183ddc834a02b2bd81b31afae71b2153
 * (2020-02-13), src/caffe/proto/caffe.proto, `message SolverParameter` — only those the export may
 * write, with their label and type. `learningRate` follows src/caffe/solvers/sgd_solver.cpp
 * (SGDSolver::GetLearningRate, CHECKs included) and `device` tools/caffe.cpp (train()).
 */
import assert from 'node:assert/strict';

type FieldType = 'string' | 'float' | 'int32' | 'SolverMode';
const FIELDS: Record<string, { readonly repeated: boolean; readonly type: FieldType }> = {
  net: { repeated: false, type: 'string' },
  base_lr: { repeated: false, type: 'float' },
  max_iter: { repeated: false, type: 'int32' },
  iter_size: { repeated: false, type: 'int32' },
  lr_policy: { repeated: false, type: 'string' },
  gamma: { repeated: false, type: 'float' },
  momentum: { repeated: false, type: 'float' },
  weight_decay: { repeated: false, type: 'float' },
  stepsize: { repeated: false, type: 'int32' },
  stepvalue: { repeated: true, type: 'int32' },
  snapshot_prefix: { repeated: false, type: 'string' },
  solver_mode: { repeated: false, type: 'SolverMode' },
  device_id: { repeated: false, type: 'int32' },
  type: { repeated: false, type: 'string' },
  delta: { repeated: false, type: 'float' },
  momentum2: { repeated: false, type: 'float' },
  rms_decay: { repeated: false, type: 'float' },
};
/** `enum SolverMode { CPU = 0; GPU = 1; }`. */
const SOLVER_MODES = ['CPU', 'GPU'];

/** A parsed solver: strings unquoted, numbers as numbers, repeated fields in order. */
export type Solver = ReadonlyMap<string, ReadonlyArray<string | number>>;

/** Parse the solver as protobuf text format would, failing on any field SolverParameter lacks or any value of the wrong type. */
export function parseSolver(text: string): Solver {
  const out = new Map<string, Array<string | number>>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m = /^([a-z_0-9]+): (.+)$/.exec(line);
    assert.ok(m, `not a "field: value" line: ${line}`);
    const [, name, raw] = m as unknown as [string, string, string];
    const field = FIELDS[name];
    assert.ok(field, `${name} is not a SolverParameter field`);
    let value: string | number;
    switch (field.type) {
      case 'string': {
        const s = /^"([^"\\]*)"$/.exec(raw);
        assert.ok(s, `${name} is a string field, got ${raw}`);
        value = s[1]!;
        break;
      }
      case 'float':
        value = Number(raw);
        assert.ok(/^-?[0-9.]+(e-?[0-9]+)?$/.test(raw) && Number.isFinite(value), `${name} is a float field, got ${raw}`);
        break;
      case 'int32':
        value = Number(raw);
        assert.ok(/^-?[0-9]+$/.test(raw) && Math.abs(value) < 2 ** 31, `${name} is an int32 field, got ${raw}`);
        break;
      case 'SolverMode':
        assert.ok(SOLVER_MODES.includes(raw), `${name} takes ${SOLVER_MODES.join(' or ')}, got ${raw}`);
        value = raw;
        break;
    }
    const values = out.get(name) ?? [];
    assert.ok(field.repeated || values.length === 0, `${name} is not a repeated field but is given twice`);
    out.set(name, [...values, value]);
  }
  return out;
}

const one = (s: Solver, name: string, fallback?: string | number): string | number => {
  const v = s.get(name)?.[0] ?? fallback;
  assert.ok(v !== undefined, `${name} is not set`);
  return v;
};

/**
 * The rate of every iteration 0 … max_iter − 1, as SGDSolver::GetLearningRate computes it
 * (multistep keeps its current_step_ between iterations). A failed CHECK throws, as Caffe aborts.
 */
export function learningRates(s: Solver): number[] {
  // float fields are float32 in Caffe.
  const baseLr = Math.fround(one(s, 'base_lr') as number);
  const policy = one(s, 'lr_policy') as string;
  const gamma = Math.fround((s.get('gamma')?.[0] ?? 0) as number);
  const stepvalues = (s.get('stepvalue') ?? []) as number[];
  const maxIter = one(s, 'max_iter') as number;
  const rates: number[] = [];
  let currentStep = 0;
  for (let iter = 0; iter < maxIter; iter++) {
    switch (policy) {
      case 'fixed':
        rates.push(baseLr);
        break;
      case 'step': {
        const stepsize = one(s, 'stepsize') as number;
        assert.ok(stepsize > 0, 'Check failed: stepsize > 0');
        assert.ok(gamma >= 0, `Check failed: gamma >= 0 (${gamma} vs. 0)`);
        rates.push(baseLr * Math.pow(gamma, Math.floor(iter / stepsize)));
        break;
      }
      case 'multistep':
        if (currentStep < stepvalues.length && iter >= stepvalues[currentStep]!) currentStep++;
        assert.ok(gamma >= 0, `Check failed: gamma >= 0 (${gamma} vs. 0)`);
        rates.push(baseLr * Math.pow(gamma, currentStep));
        break;
      case 'sigmoid': {
        assert.ok(gamma >= 0, `Check failed: gamma >= 0 (${gamma} vs. 0)`);
        const stepsize = one(s, 'stepsize') as number;
        assert.ok(stepsize > 0, 'Check failed: stepsize > 0');
        rates.push(baseLr / (1 + Math.exp(-gamma * (iter - stepsize))));
        break;
      }
      default:
        assert.fail(`Unknown learning rate policy: ${policy}`);
    }
  }
  return rates;
}

/**
 * The devices `caffe train --solver=… [--gpu LIST]` trains on (tools/caffe.cpp): the --gpu list,
 * else GPU device_id (0) when the solver sets solver_mode: GPU explicitly, else the CPU — the
 * proto's default GPU is not consulted, `has_solver_mode()` is.
 */
export function device(s: Solver, commandLine: string): string {
  const flag = /--gpu[= ]([0-9,]+|all)/.exec(commandLine)?.[1];
  if (flag !== undefined) return `GPU ${flag}`;
  if (s.get('solver_mode')?.[0] === 'GPU') return `GPU ${one(s, 'device_id', 0)}`;
  return 'CPU';
}
