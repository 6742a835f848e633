// How the link between 8 workers changes what `recommend` chooses, computed by batchwise's own
// prediction from fixed evidence, nothing measured here: the mlp preset's throughput from the
// README's Speed table (2 threads, idle machine), and a pilot that reached 97.5% on MNIST after
// 85,312 examples at B₀ = 32, lr 0.01, with B_noise 1,633 (a recommend run of 2026-11-29).
// Run after `npx tsc -p .`: node examples/interconnect-choice.mjs
import { chooseCandidate, GRADIENT_BYTES_PER_PARAMETER, INTERCONNECT_PRESETS, predictCandidates } from '../dist/index.js';

const mlpParameters = 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10;
const input = {
  pilotBatch: 32,
  pilotLr: 0.01,
  segments: [{ examples: 85312, bNoise: 1633 }],
  throughput: [[1, 5864], [8, 23851], [32, 59819], [128, 85928], [512, 94652], [2048, 100151]].map(([microBatch, samplesPerSec]) => ({ microBatch, samplesPerSec })),
  maxMicroBatch: 55000,
  worldSize: 8,
  candidates: [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192],
  lrRule: 'noise',
  optimizer: 'momentum',
  trainExamples: 55000,
};
for (const link of ['eth10g', 'nvlink4']) {
  const communication = { interconnect: INTERCONNECT_PRESETS[link], gradientBytes: GRADIENT_BYTES_PER_PARAMETER * mlpParameters };
  const cands = predictCandidates({ ...input, communication });
  const chosen = chooseCandidate(cands);
  console.log(`${link}: all-reduce over 8 workers ${(cands.at(-1).allReduceSeconds * 1e3).toFixed(3)} ms per update`);
  console.log('  batch  micro × iter × workers  seconds  of it all-reduce');
  for (const c of cands) {
    const split = `${c.microBatch} × ${c.iterSize} × ${c.worldSize}`;
    console.log(`  ${String(c.effectiveBatch).padStart(5)}  ${split.padStart(22)}  ${c.seconds.toFixed(2).padStart(7)}  ${c.commSeconds.toFixed(2).padStart(16)}${c === chosen ? '  ← chosen' : ''}`);
  }
}
