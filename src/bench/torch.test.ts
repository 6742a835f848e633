import test from 'node:test';
import assert from 'node:assert/strict';
import { parseTorchOutput, runTorchBench, TORCH_SCRIPT, torchAvailable } from './torch.js';

test('parseTorchOutput: success', () => {
  const out = 'noise\n{"torch": "2.1.0", "threads": 4, "rows": [{"batchSize": 1, "samplesPerSec": 1500.5}, {"batchSize": 32, "samplesPerSec": 20000}]}\n';
  assert.deepEqual(parseTorchOutput(out), {
    kind: 'ok',
    version: '2.1.0',
    threads: 4,
    rows: [
      { batchSize: 1, samplesPerSec: 1500.5 },
      { batchSize: 32, samplesPerSec: 20000 },
    ],
  });
});

test('parseTorchOutput: torch missing', () => {
  assert.deepEqual(parseTorchOutput('{"missing": "ModuleNotFoundError: No module named \'torch\'"}\n'), {
    kind: 'missing',
    reason: "ModuleNotFoundError: No module named 'torch'",
  });
});

test('parseTorchOutput: no JSON or malformed rows is an error, not a silent empty result', () => {
  assert.throws(() => parseTorchOutput('Traceback (most recent call last):\n'), /no JSON/);
  assert.throws(() => parseTorchOutput('{"torch": "2.1.0", "rows": [{"batchSize": "x"}]}'), /unexpected output/);
});

test('the embedded script mirrors both presets', () => {
  assert.match(TORCH_SCRIPT, /nn\.Linear\(784, 512\), nn\.ReLU\(\), nn\.Linear\(512, 512\), nn\.ReLU\(\), nn\.Linear\(512, 10\)/);
  assert.match(TORCH_SCRIPT, /nn\.Conv2d\(1, 16, 5, stride=1, padding=2\)/);
  assert.match(TORCH_SCRIPT, /nn\.Linear\(32 \* 7 \* 7, 128\)/);
});

test('runTorchBench: a missing interpreter reads as "torch missing"', async () => {
  const r = await runTorchBench({ model: 'mlp', batchSizes: [1], threads: 1, seconds: 0.05, python: '/nonexistent/python3' });
  assert.equal(r.kind, 'missing');
  assert.equal(torchAvailable('/nonexistent/python3'), false);
});
