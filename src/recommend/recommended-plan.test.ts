import assert from 'node:assert/strict';
import test from 'node:test';
import type { RunConfig } from '../engine/run-config.js';
import { blobs } from '../testing/blobs.js';
import { resolvePlan } from './export/plan.js';
import { predictCandidates, type PredictInput } from './predict.js';
import { PLAN_MARGIN, recommendedPlan } from './recommended-plan.js';
import { recommendedConfig, verify } from './verify.js';
import { blobsRunConfig } from '../testing/run-config-fixtures.js';

const base: RunConfig = blobsRunConfig({ batchSize: 8 });

const mnistLike = (candidates: number[]): PredictInput => ({
  pilotBatch: 32,
  pilotLr: 0.01,
  // 110,000 examples at B₀ where B_noise was 1,630: 2 epochs of MNIST's 55,000.
  segments: [{ examples: 110000, bNoise: 1630 }],
  throughput: [{ microBatch: 32, samplesPerSec: 30000 }],
  maxMicroBatch: 55000,
  worldSize: 1,
  candidates,
  lrRule: 'noise',
  optimizer: 'momentum',
  trainExamples: 55000,
});

test('predicted epochs are the trainer’s, ⌊N/B⌋ updates each: at N = 55,000 one update of 32,768 is an epoch', () => {
  const [c8k, c32k] = predictCandidates(mnistLike([8192, 32768]));
  assert.equal(c8k!.epochs, c8k!.steps / 6);
  assert.equal(c32k!.epochs, c32k!.steps / 1);
  // examples ÷ N would say 1.68× fewer epochs at B = 32,768 and 1.12× fewer at 8,192.
  assert.ok(Math.abs(c32k!.epochs / (c32k!.examples / 55000) - 55000 / 32768) < 1e-12);
});

test('an exported plan runs at least 1.25× the predicted updates, also where ⌊N/B⌋·B falls well short of N', () => {
  for (const c of predictCandidates(mnistLike([32, 1024, 8192, 16384, 32768, 55000]))) {
    const r = resolvePlan(recommendedPlan(base, c, 0.975, 55000));
    const want = PLAN_MARGIN * c.steps;
    assert.ok(r.totalUpdates >= want, `B = ${c.effectiveBatch}: ${r.totalUpdates} updates planned for ${c.steps.toFixed(1)} predicted`);
    // And not a whole epoch more than that.
    assert.ok(r.totalUpdates < want + r.updatesPerEpoch, `B = ${c.effectiveBatch}: ${r.totalUpdates} updates for ${want.toFixed(1)}`);
  }
});

test('a verification’s epochs and steps ratios agree: predicted and measured epochs are counted alike', async () => {
  // 240 examples at B = 160: one update per epoch, 80 examples unused in each.
  const data = blobs(240);
  const [c] = predictCandidates({ ...mnistLike([160]), pilotBatch: 8, pilotLr: 0.05, segments: [{ examples: 400, bNoise: 20 }], maxMicroBatch: 240, trainExamples: 240 });
  const v = (await verify(base, data, c!, 0.9, { evalsPerEpoch: 1 }))!;
  const m = v.measured;
  assert.equal(m.status, 'target-reached');
  const stepsRatio = m.stepsToTarget! / v.predicted.steps;
  const epochsRatio = m.epochsToTarget! / v.predicted.epochs;
  assert.ok(Math.abs(epochsRatio / stepsRatio - 1) < 1e-12, `epochs ratio ${epochsRatio}, steps ratio ${stepsRatio}`);
});

test('the candidate\'s warm-up from the noise scale is what --verify trains and the exports plan, and a longer --warmup-steps stands', () => {
  // The noise scale reached 512 after 20,000 of the pilot's examples.
  const points = [{ examples: 0, bNoise: 40 }, { examples: 40000, bNoise: 1000 }];
  const [c32, c1024] = predictCandidates({ ...mnistLike([32, 1024]), noisePoints: points });
  assert.equal(c32!.warmupSteps, 0);
  assert.ok(c1024!.warmupSteps > 0);
  assert.equal(recommendedConfig(base, c1024!, 0.975).warmupSteps, c1024!.warmupSteps);
  assert.equal(resolvePlan(recommendedPlan(base, c1024!, 0.975, 55000)).plan.warmupSteps, c1024!.warmupSteps);
  const longer = { ...base, warmupSteps: c1024!.warmupSteps + 5 };
  assert.equal(recommendedConfig(longer, c1024!, 0.975).warmupSteps, c1024!.warmupSteps + 5);
  assert.equal(recommendedPlan(longer, c1024!, 0.975, 55000).warmupSteps, c1024!.warmupSteps + 5);
  assert.equal(recommendedConfig(base, c32!, 0.975).warmupSteps, base.warmupSteps);
});
