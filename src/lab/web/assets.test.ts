import assert from 'node:assert/strict';
import test from 'node:test';
import { importSpecifiers as specifiers, labAssets, onnxProtoModule } from './assets.js';

test('every module the lab serves imports only files the lab serves, or the two bare names its import map resolves', () => {
  const assets = labAssets();
  const decoder = new TextDecoder();
  let checked = 0;
  for (const [rel, asset] of assets) {
    if (!rel.startsWith('js/')) continue;
    for (const spec of specifiers(decoder.decode(asset.read()))) {
      if (spec.startsWith('.')) {
        const target = new URL(spec, `http://x/${rel}`).pathname.slice(1);
        assert.ok(assets.has(target), `${rel} imports ${spec}, which the lab does not serve`);
      } else assert.ok(spec === 'onnx-proto' || spec === 'onnxruntime-web', `${rel} imports the bare name ${spec}`);
      checked++;
    }
  }
  assert.ok(checked > 40, `${checked} imports checked`);
  for (const f of ['', 'rprop.html', 'direction.html', 'escape.html', 'accuracy.html', 'js/lab/web/rprop-page.js', 'js/lab/web/controls.js', 'js/noise/estimator.js', 'js/lab/web/zigzag-page.js', 'js/compile/train-model.js', 'vendor/onnx-proto.js', 'ort/ort.wasm.min.mjs', 'ort/ort-wasm-simd-threaded.wasm']) assert.ok(assets.has(f), f);
  assert.equal(assets.get('ort/ort-wasm-simd-threaded.wasm')!.type, 'wasm');
  assert.ok([...assets.keys()].every((k) => !k.endsWith('.test.js')));
});

test('the onnx-proto wrapper is an ES module whose default export encodes a model as onnx-proto does', async () => {
  const url = `data:text/javascript;base64,${Buffer.from(onnxProtoModule()).toString('base64')}`;
  const wrapped = (await import(url)) as { default: { onnx: { ModelProto: { encode(m: object): { finish(): Uint8Array } } } } };
  const direct = (await import('onnx-proto')).default;
  const model = { irVersion: 8, producerName: 'batchwise', graph: { name: 'g' } };
  assert.deepEqual([...wrapped.default.onnx.ModelProto.encode(model).finish()], [...direct.onnx.ModelProto.encode(model).finish()]);
});

test('the MNIST files the page trains on: the first images of each split, bytes and labels intact', async () => {
  const { decodeMnist } = await import('./mnist-page.js');
  const { loadMnist } = await import('../../data/mnist.js');
  const train = decodeMnist(labAssets().get('data/mnist-train.bin')!.read());
  const test = decodeMnist(labAssets().get('data/mnist-test.bin')!.read());
  assert.deepEqual([train.count, test.count, train.x.length], [2000, 500, 2000 * 784]);
  const all = loadMnist();
  assert.deepEqual([...train.labels!.subarray(0, 20)], [...all.train.y.subarray(0, 20)]);
  assert.deepEqual([...test.labels!.subarray(480, 500)], [...all.test.y.subarray(480, 500)]);
  // Pixel bytes round-trip: the page's scaled value maps back to the file's pixel exactly.
  for (const i of [0, 200, 400, 783 + 784 * 1999]) {
    const [page, file] = [Math.round((train.x[i]! * 0.3081 + 0.1307) * 255), Math.round(all.train.x[i]! * 255)];
    assert.ok(page === file, `pixel ${i}: ${page} vs ${file}`);
  }
  assert.ok(train.x.some((v) => v > 2), 'ink is present');
});
