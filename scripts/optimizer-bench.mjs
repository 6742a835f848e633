// Samples/s of several optimizers on the mlp at one batch size, interleaved in one process, with
// each one's ratio to SGD; also samples per CPU-second, which a loaded machine disturbs far less
// than wall time (idle waits are not counted). Usage, after `npm run build`:
//   node scripts/optimizer-bench.mjs [optimizers=sgd,momentum,nesterov,rmsprop,adam,adagrad] [batch=32] [seconds=1] [rounds=2] [threads=2]
import { benchRunConfig, loadBenchData } from '../dist/bench/throughput.js';
import { prepareTrainer } from '../dist/engine/run.js';

const [names = 'sgd,momentum,nesterov,rmsprop,adam,adagrad', batch = '32', seconds = '1', rounds = '2', threads = '2'] = process.argv.slice(2);
const B = Number(batch);
const optimizers = names.split(',');
const data = loadBenchData('mlp');
const trainers = new Map();
for (const name of optimizers) trainers.set(name, await prepareTrainer(benchRunConfig('mlp', B, Number(threads), name), data));
// Warm-up: buffers allocated, thread pools started, caches filled.
for (const t of trainers.values()) await t.runUpdates(Math.min(Math.ceil(6400 / B), t.stepsLeftInEpoch));
const results = new Map(optimizers.map((n) => [n, []]));
for (let round = 0; round < Number(rounds); round++) {
  for (const [name, t] of trainers) {
    const initial = t.snapshot();
    let updates = 0;
    let wall = 0;
    const cpu0 = process.cpuUsage();
    while (wall < Number(seconds)) {
      const r = await t.runUpdates(Math.min(Math.max(1, Math.round(64000 / B)), t.stepsLeftInEpoch));
      if (r.divergedAtStep !== null) t.restore(initial);
      updates += r.losses.length;
      wall += r.seconds;
    }
    const cpu = process.cpuUsage(cpu0);
    results.get(name).push({ wall: (updates * B) / wall, cpu: (updates * B) / ((cpu.user + cpu.system) / 1e6) });
  }
}
const best = (name, key) => Math.max(...results.get(name).map((r) => r[key]));
const sgd = optimizers.includes('sgd') ? 'sgd' : optimizers[0];
console.log(`mlp, batch ${B}, ${threads} thread(s); best of ${rounds} round(s); ratio to ${sgd}`);
console.log('optimizer  samples/s (wall)  ratio  samples per CPU-second  ratio');
for (const name of optimizers) {
  const w = best(name, 'wall');
  const c = best(name, 'cpu');
  console.log(`${name.padEnd(10)} ${Math.round(w).toLocaleString('en').padStart(16)}  ${(w / best(sgd, 'wall')).toFixed(2).padStart(5)}  ${Math.round(c).toLocaleString('en').padStart(22)}  ${(c / best(sgd, 'cpu')).toFixed(2).padStart(5)}`);
}
for (const t of trainers.values()) await t.release();
