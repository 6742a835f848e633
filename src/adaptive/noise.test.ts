/**
 * The adaptive run's noise round against brute force: the squared norms it feeds the two-batch
 * estimator are those of the micro-batch gradients and of their mean (the accumulated gradient),
 * computed here from per-example gradients one at a time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initParams, resolveModel } from '../model/model.js';
import { estimateFromPair } from '../noise/estimator.js';
import { GradientSampler } from '../noise/gradient-sampler.js';
import { Rng } from '../rng.js';
import { blobs } from '../testing/blobs.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';
import { noisePlan } from './goodput.js';

test('a round’s |G_small|² and |G_big|² are the micro-batch gradients’ mean squared norm and their mean’s, per-example gradients summed by hand', async () => {
  const data = blobs(200, 6, 3, 3);
  const model = resolveModel(blobsRunConfig().model, data.featureShape, data.numClasses);
  const params = initParams(model, 5);
  // B = 32 at micro-batch 32: four micro-batches of 8, as the run plans it.
  const plan = noisePlan(32, 32, [{ microBatch: 8, samplesPerSec: 1 }]);
  assert.deepEqual([plan.bSmall, plan.k], [8, 4]);
  const sampler = await GradientSampler.create(model, data.train, plan.bSmall, 1);
  const single = await GradientSampler.create(model, data.train, 1, 1);
  try {
    const round = await sampler.round(params, plan.k, Rng.derive(1, 0x6164, 0));
    // The same draws: k micro-batches of bSmall ids, with replacement, in order.
    const rng = Rng.derive(1, 0x6164, 0);
    const micro: Float64Array[] = [];
    for (let m = 0; m < plan.k; m++) {
      let sum: Float64Array | null = null;
      for (let i = 0; i < plan.bSmall; i++) {
        const g = (await single.gradient(params, [rng.int(data.train.count)])).grads.flatMap((t) => [...t]);
        sum ??= new Float64Array(g.length);
        g.forEach((v, j) => (sum![j] += v / plan.bSmall));
      }
      micro.push(sum!);
    }
    const sq = (v: ArrayLike<number>) => Array.from(v).reduce((a, x) => a + x * x, 0);
    const smallSq = micro.reduce((a, g) => a + sq(g), 0) / plan.k;
    const mean = micro[0]!.map((_, j) => micro.reduce((a, g) => a + g[j]!, 0) / plan.k);
    const bigSq = sq(mean);
    assert.ok(Math.abs(round.smallSq - smallSq) <= 1e-5 * smallSq, `${round.smallSq} vs ${smallSq}`);
    assert.ok(Math.abs(round.bigSq - bigSq) <= 1e-5 * bigSq, `${round.bigSq} vs ${bigSq}`);
    const e = estimateFromPair(round);
    assert.ok(Math.abs(e.traceSigma - (smallSq - bigSq) / (1 / 8 - 1 / 32)) <= 1e-4 * Math.abs(e.traceSigma));
    assert.ok(round.smallSq > round.bigSq, 'averaging four micro-batches removes noise');
  } finally {
    await sampler.release();
    await single.release();
  }
});
