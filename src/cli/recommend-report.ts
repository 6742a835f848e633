/** The text of `batchwise recommend`: the decision first, then the evidence it rests on. */
import { formatBytes } from '../fit/bytes.js';
import { adviceCost, DEFAULT_BATCH } from '../recommend/advice-cost.js';
import { formatInterconnect } from '../recommend/comm/interconnect.js';
import { capsRate } from '../recommend/lr-rule.js';
import { describeProvenance, formatAge, measuredBy } from '../recommend/machine-memo.js';
import { describeCheck } from '../recommend/throughput-check.js';
import { describeBacktest, type Backtest } from '../recommend/bounded/backtest.js';
import type { BoundedRate } from '../recommend/bounded/bounded-pilot.js';
import { noisePointsOf } from '../recommend/pilot.js';
import type { Recommendation } from '../recommend/recommend.js';
import type { AutoVerification, Verification } from '../recommend/verify.js';
import { fmt, formatTable, pct } from './table.js';

const RULE_TEXT = {
  noise: (r: Recommendation) => `noise rule ε₀·(1 + B_noise/B₀)/(1 + B_noise/B) with B_noise ${fmt(r.bNoise)}, ε₀ ${r.pilot.lr} at B₀ ${r.pilot.batchSize}`,
  linear: (r: Recommendation) => `linear rule ε₀·B/B₀ from ε₀ ${r.pilot.lr} at B₀ ${r.pilot.batchSize}`,
  sqrt: (r: Recommendation) => `sqrt rule ε₀·√(B/B₀) from ε₀ ${r.pilot.lr} at B₀ ${r.pilot.batchSize}`,
};

export function recommendationLines(r: Recommendation, heading: string, backtested: Backtest | null = null): string[] {
  const c = r.choice;
  const comm = r.communication;
  const fewer = comm !== null && c.worldSize < r.worldSize ? ` (of the ${r.worldSize} workers: more would spend longer in all-reduce than they save in compute)` : '';
  const lines = [
    heading,
    `  effective batch ${fmt(c.effectiveBatch)} = micro-batch ${fmt(c.microBatch)} × iter-size ${c.iterSize}${c.worldSize > 1 || fewer ? ` × world size ${c.worldSize}${fewer}` : ''}`,
    `  learning rate ${c.lr.toPrecision(4)} (${RULE_TEXT[r.lrRule](r)}${capsRate(r.optimizer) ? `, capped at ε₀·√(B/B₀) since ${r.optimizer} sizes each weight's step itself` : ''})`,
    ...(c.warmupSteps > 0 ? [`  warm-up: the rate ramps up from 0 over the first ${fmt(c.warmupSteps)} updates, where the pilot's noise scale was still below the batch (${fmt(noisePointsOf(r.pilot)[0]?.bNoise ?? 0)} at its first measurement)`] : []),
    `  predicted: ${c.seconds.toFixed(2)} s of training to target${comm ? `, ${c.commSeconds.toFixed(2)} s of it in all-reduce` : ''}, ${fmt(c.steps)} steps, ${c.epochs.toFixed(2)} epochs, at ${fmt(c.samplesPerSec)} samples/s${comm ? ' of compute' : ''}; ` +
      `${c.wallSeconds.toFixed(2)} s on the clock with building the sessions (${r.pilot.setupSeconds.toFixed(2)} s) and ${c.validations} validations (${r.pilot.validationSeconds.toFixed(3)} s each)`,
    ...(backtested === null ? [] : describeBacktest(backtested, c.steps, (x) => fmt(x)).map((l) => `  ${l}`)),
    '',
    'evidence',
  ];
  const f = r.fit;
  lines.push(
    `  memory: largest micro-batch ${fmt(f.largestBatch)} within ${formatBytes(f.budgetBytes)} (${Math.round(f.margin * 100)}% margin)` +
      `${f.probed ? '' : ' — predicted from the fit, not probed'}, ${f.probes.length} probes; ` +
      `peak ≈ ${formatBytes(f.model.fixedBytes)} + ${formatBytes(f.model.perSampleBytes)} × micro-batch (${describeProvenance(r.machine.memory)})`,
    `  throughput, steady state after warm-up (${describeProvenance(r.machine.throughput)}), beside this machine's MatMul rate (${fmt(r.matmulGflops, 1)} GFLOP/s, ${describeProvenance(r.machine.matmul)}):`,
    ...formatTable(
      ['micro-batch', 'samples/s', 'GFLOP/s', '% of MatMul'],
      r.throughput.map((p) => [fmt(p.microBatch), fmt(p.samplesPerSec), p.gflops === undefined ? '–' : fmt(p.gflops, 1), p.gflops === undefined ? '–' : `${fmt((100 * p.gflops) / r.matmulGflops, 1)}%`]),
    ).map((l) => `    ${l}`),
    ...(r.throughputCheck === null ? [] : [`    ${describeCheck(r.throughputCheck, (x: number) => fmt(x))}`]),
  );
  const p = r.pilot;
  lines.push(...rateStageLines(r));
  const x = p.extrapolation;
  lines.push(
    x !== null
      ? `  pilot: batch ${p.batchSize}, lr ${p.lr}: trained ${fmt(x.seenExamples)} examples (${x.seenEpochs.toFixed(2)} epochs, ${p.trainSeconds.toFixed(2)} s) to ${pct(x.seenValAccuracy)} validation accuracy, then EXTRAPOLATED: ` +
          `${fmt(x.examplesToTarget)} examples (${(x.examplesToTarget / p.examples * p.epochs).toFixed(2)} epochs) to the target from error ∝ examples^${x.errExponent.toFixed(2)} through its last ${x.errPoints} validations, ` +
          `the noise scale past its last measurement ${x.noiseExponent === null ? 'held at that value' : `∝ examples^${x.noiseExponent.toFixed(2)}`}`
      : `  pilot: batch ${p.batchSize}, lr ${p.lr}: ${p.reached ? 'reached the target' : `stopped short of the target (validation ${pct(p.finalValAccuracy)})`} ` +
          `after ${fmt(p.steps)} steps = ${fmt(p.examples)} examples (${p.epochs.toFixed(2)} epochs), ${p.trainSeconds.toFixed(2)} s`,
    '  gradient noise scale along the pilot (McCandlish B_simple = tr Σ / |G|², 90% interval):',
    ...formatTable(
      ['step', 'epochs', 'train loss', 'B_simple', 'interval'],
      p.measurements.map((m) => [fmt(m.step), m.epochs.toFixed(2), m.trainLoss.toFixed(4), fmt(m.bSimple), `${fmt(m.bSimpleLow)}–${fmt(m.bSimpleHigh)}`]),
    ).map((l) => `    ${l}`),
  );
  if (comm) {
    lines.push(
      `  communication: each update all-reduces ${formatBytes(comm.gradientBytes)} of fp32 gradients (4 B × ${fmt(comm.gradientBytes / 4)} parameters) over ${formatInterconnect(comm.interconnect)},`,
      `    as a ring: 2(N−1)/N · bytes / bandwidth + 2(N−1) · latency per update; each batch takes the number of workers up to ${r.worldSize} that updates fastest`,
    );
  }
  lines.push(
    `  predicted time to target per effective batch (examples ∝ (B_noise + B)/(B_noise + B₀)${comm ? '; seconds = compute + steps × all-reduce' : ''}):`,
    ...formatTable(
      ['batch', comm ? 'micro × iter × workers' : 'micro × iter', 'samples/s', ...(comm ? ['all-reduce ms'] : []), 'efficiency', 'steps', 'epochs', 'seconds', 'lr', ''],
      r.candidates.map((k) => [
        fmt(k.effectiveBatch),
        `${fmt(k.microBatch)} × ${k.iterSize}${comm ? ` × ${k.worldSize}` : ''}`,
        fmt(k.samplesPerSec),
        ...(comm ? [(k.allReduceSeconds * 1000).toPrecision(3)] : []),
        k.efficiency.toFixed(3),
        fmt(k.steps),
        k.epochs.toFixed(2),
        k.seconds.toFixed(2),
        k.lr.toPrecision(3),
        k === c ? '← chosen' : '',
      ]),
    ).map((l) => `    ${l}`),
  );
  if (!p.reached && p.extrapolation === null) lines.push('  note: the pilot did not reach the target, so times are to where it stopped; raise --pilot-seconds for a full prediction');
  if (comm) {
    lines.push(
      `  note: N workers compute at N× one worker's samples/s; the link's figures are nominal, and a measured all-reduce bus bandwidth is usually lower, so the all-reduce times are a lower bound`,
    );
  }
  lines.push(...costLines(r));
  return lines;
}

/** How the pilot's rate was found: a range test (bounded) or a grid trained to the target. */
function rateStageLines(r: Recommendation): string[] {
  const p = r.pilot;
  const t = r.rangeTest;
  if (t !== null) {
    const first = t.points[0]?.lr ?? t.edgeLr;
    const lr0 = Number(t.lr.toPrecision(3));
    const lines = [
      `  learning rate at the pilot batch ${p.batchSize}: a range test (Smith 2017), the rate growing geometrically from ${first.toPrecision(2)} each update for ${fmt(t.points.length)} updates (${t.trainSeconds.toFixed(2)} s):`,
      t.stopped === 'blew-up'
        ? `    the smoothed loss blew up at lr ${t.edgeLr.toPrecision(3)} (lowest at ${t.minLossLr.toPrecision(3)}); a tenth of that edge is ${lr0}`
        : `    the loss never blew up, up to lr ${t.edgeLr.toPrecision(3)}: the edge lies beyond, so ${lr0} (that ÷ 10) may be small; give a larger --lr`,
    ];
    const g = r.pilotRates;
    if (g.length <= 1) return [...lines, '    the range test does not know the target: a tight target may want a smaller rate (--pilot-rates tries halves of it; --pilot-runs to-target tunes it to the target, at several runs\' cost)'];
    lines.push(
      `    it does not know the target, so ${g.length} rates from it down by halves each trained a bounded pilot, extrapolated to the target; the fewest examples is the pilot's rate:`,
      ...formatTable(
        ['lr', 'where it stopped', 'error ∝ examples^', 'examples to target', ''],
        g.map((x) => [String(x.lr), `${pct(x.seenValAccuracy)} after ${x.seenEpochs.toFixed(2)} epochs`, x.errExponent === null ? '–' : x.errExponent.toFixed(2), x.examplesToTarget === null ? (x.problem ?? '–') : `${fmt(x.examplesToTarget)}${x.reached ? ' (reached)' : ''}`, x.lr === p.lr ? '← pilot' : '']),
      ).map((l) => `      ${l}`),
    );
    if (p.lr === g[g.length - 1]!.lr) lines.push(`    the pilot's rate is the smallest tried: a smaller one may need fewer examples still (raise --pilot-rates)`);
    const f = r.refined;
    if (f !== null) {
      lines.push(
        `    refined (--refine-epochs): lr ${f.lr} trained again, ${describeProvenance(f.provenance) === 'measured now' ? 'now' : describeProvenance(f.provenance)}: ${boundedRateResult(f)}; ` +
          (f.examplesToTarget === null ? 'so the prediction runs on the grid\'s shorter run' : 'the prediction runs on this longer run'),
      );
    }
    return lines;
  }
  const lines = [
    `  learning rate at the pilot batch ${p.batchSize} (fewest steps to target wins; a rate 1.25× behind the best is stopped):`,
    ...formatTable(
      ['lr', 'result', 'steps', 'seconds', 'best val'],
      r.lrTrials.map((t) => [String(t.lr), t.outcome.status + (t.lr === p.lr ? ' ← pilot' : ''), t.outcome.stepsToTarget === null ? '–' : fmt(t.outcome.stepsToTarget), t.outcome.secondsToTarget?.toFixed(2) ?? '–', pct(t.outcome.bestValAccuracy)]),
    ).map((l) => `    ${l}`),
  ];
  const e = r.lrSearch;
  const past = e.below + e.above > 0 ? `, after ${e.below + e.above} rate(s) past the grid` : '';
  if (e.edge === 'lowest' || e.edge === 'highest') lines.push(`    the pilot's rate is the ${e.edge === 'lowest' ? 'smallest' : 'largest'} tried${past}: the best rate may lie beyond (see --lr-grid, --no-extend-grid)`);
  else if (e.edge === 'single') lines.push('    one rate tried: the pilot\'s rate is not tuned (give --lr-grid several rates)');
  return lines;
}

/**
 * Where the grid's bounded pilots came from: one phrase when all were trained now, or all reused
 * from one run ("reused from run 3, 20 s to 2 min old"); else one per rate.
 */
export function describePilots(rates: readonly BoundedRate[]): string {
  const p = rates.map((x) => x.provenance);
  if (p.length > 0 && p.every((x) => !x.reused)) return describeProvenance(p[0]!);
  if (p.length > 0 && p.every((x) => x.reused) && new Set(p.map((x) => x.runId)).size === 1) {
    const [young, old] = [formatAge(Math.min(...p.map((x) => x.ageSeconds))), formatAge(Math.max(...p.map((x) => x.ageSeconds)))];
    return `reused from ${measuredBy(p[0]!.runId)}, ${young === old ? old : `${young} to ${old}`} old`;
  }
  return rates.map((x) => `lr ${x.lr} (${describeProvenance(x.provenance)})`).join(', ');
}

/** What the advice spent, per stage, against the training time it predicts and what it saves. */
export function costLines(r: Recommendation): string[] {
  const s = r.stageSeconds;
  const m = r.machine;
  const mark = (k: keyof typeof m) => (m[k].reused ? (k === 'throughput' && r.throughputCheck !== null ? ' reused, checked' : ' reused') : '');
  // The grid's pilots and the refined run, if any: the pilot stage's runs.
  const runs = r.refined === null ? r.pilotRates : [...r.pilotRates, r.refined];
  const pilotsReused = runs.filter((x) => x.provenance.reused).length;
  const a = adviceCost(r.choice, r.candidates, r.seconds);
  const d = a.default;
  // Training times on small problems are milliseconds: keep three figures rather than round to 0.00.
  const sec = (x: number) => (Math.abs(x) < 10 ? x.toPrecision(3) : x.toFixed(1));
  const why = d.effectiveBatch === DEFAULT_BATCH ? `batch ${DEFAULT_BATCH}, Keras's default and the usual starting point` : `batch ${fmt(d.effectiveBatch)}, the candidate nearest ${DEFAULT_BATCH} (Keras's default) at this world size`;
  const lines = [
    '',
    `cost of the advice: ${r.seconds.toFixed(1)} s (memory ${s.memory.toFixed(1)}${mark('memory')}, matmul ${s.matmul.toFixed(1)}${mark('matmul')}, throughput ${s.throughput.toFixed(1)}${mark('throughput')}, ` +
      `learning rate ${s.lr.toFixed(1)}${r.rangeTestProvenance?.reused ? ' reused' : ''}, pilot ${s.pilot.toFixed(1)}${pilotsReused === 0 ? '' : pilotsReused === runs.length ? ' reused' : ` (${pilotsReused} of ${runs.length} runs reused)`}, prediction ${s.predict.toFixed(2)})`,
    `  memory fit: ${describeProvenance(m.memory)}; MatMul rate: ${describeProvenance(m.matmul)}; throughput curve: ${describeProvenance(m.throughput)}` +
      (r.rangeTestProvenance === null ? '' : `; range test: ${describeProvenance(r.rangeTestProvenance)}; bounded pilots: ${describePilots(r.pilotRates)}${r.refined === null ? '' : `; refined pilot: ${describeProvenance(r.refined.provenance)}`}`) +
      (m.memory.reused || m.matmul.reused || m.throughput.reused || r.rangeTestProvenance?.reused || pilotsReused > 0 ? ' (--remeasure to measure again)' : ''),
    `  predicted training to target: ${sec(a.predictedSeconds)} s at batch ${fmt(r.choice.effectiveBatch)}, against ${sec(d.seconds)} s at the default ` +
      `(${why}, with lr ${d.lr.toPrecision(3)} by the same rule): ${a.savingSeconds > 0 ? `saves ${sec(a.savingSeconds)} s per training run` : 'saves nothing'}`,
  ];
  if (a.breakEvenRuns === null) lines.push(`  the advice saves nothing over batch ${fmt(d.effectiveBatch)}: it cost ${a.spentSeconds.toFixed(1)} s for no gain; train at the default`);
  else if (!a.paysOff) {
    lines.push(
      `  the advice cost more than it saves: ${a.spentSeconds.toFixed(1)} s spent to save ${sec(a.savingSeconds)} s per training run; ` +
        `it pays for itself only after ${fmt(a.breakEvenRuns)} training runs, so for one run the default batch would have been faster overall`,
    );
  } else lines.push(`  the advice pays for itself within one training run (it saves ${(a.savingSeconds / a.spentSeconds).toFixed(1)}× what it cost)`);
  return lines;
}

export function verificationLines(v: Verification): string[] {
  const m = v.measured;
  const ratio = (a: number | null, b: number) => (a === null ? '–' : `${(a / b).toFixed(2)}×`);
  const s = v.spread;
  const r = (x: { median: number; min: number; max: number }, f: (n: number) => string) => `median ${f(x.median)} (${f(x.min)}–${f(x.max)})`;
  const seedLines =
    v.seeds.length <= 1
      ? []
      : s === null
        ? [`  over ${v.seeds.length} seeds (${v.seeds.map((x) => x.seed).join(', ')}): none reached the target`]
        : [
            `  over ${v.seeds.length} seeds (${v.seeds.map((x) => x.seed).join(', ')}): ${s.reached} reached the target; seconds to target ${r(s.secondsToTarget, (n) => n.toFixed(2))} against ${v.predicted.seconds.toFixed(2)} predicted, ` +
              `steps ${r(s.stepsToTarget, fmt)}${s.wallSecondsToTarget ? `, wall seconds ${r(s.wallSecondsToTarget, (n) => n.toFixed(2))}` : ''}; the table is the first seed's`,
          ];
  return [
    '',
    `verify: trained with the recommendation: ${m.status}${m.testAccuracy !== null ? `, test accuracy ${pct(m.testAccuracy)}` : ''}` +
      (v.predicted.worldSize > 1 ? ` (on this one machine: the ${v.predicted.worldSize} workers' shares run in turn, so the prediction here is ${v.predicted.worldSize}× the compute seconds, without all-reduce)` : ''),
    ...formatTable(
      ['', 'predicted', 'measured', 'measured ÷ predicted'],
      [
        ['seconds to target', v.predicted.seconds.toFixed(2), m.secondsToTarget?.toFixed(2) ?? 'not reached', ratio(m.secondsToTarget, v.predicted.seconds)],
        ['wall seconds to target', v.predicted.wallSeconds.toFixed(2), m.wallSecondsToTarget?.toFixed(2) ?? '–', ratio(m.wallSecondsToTarget ?? null, v.predicted.wallSeconds)],
        ['steps to target', fmt(v.predicted.steps), m.stepsToTarget === null ? '–' : fmt(m.stepsToTarget), ratio(m.stepsToTarget, v.predicted.steps)],
        ['epochs to target', v.predicted.epochs.toFixed(2), m.epochsToTarget?.toFixed(2) ?? '–', ratio(m.epochsToTarget, v.predicted.epochs)],
        ['samples/s', fmt(v.predicted.samplesPerSec), fmt(m.samplesPerSec), ratio(m.samplesPerSec, v.predicted.samplesPerSec)],
      ],
    ).map((l) => `  ${l}`),
    ...seedLines,
  ];
}

/** `--verify-auto`: auto's run beside the recommendation's, with each one's range over the seeds. */
export function autoVerificationLines(a: AutoVerification, v: Verification): string[] {
  const m = a.measured;
  const f = m.auto;
  const fixed = v.measured;
  const ratio = m.secondsToTarget !== null && fixed.secondsToTarget !== null ? ` (${(m.secondsToTarget / fixed.secondsToTarget).toFixed(2)}×)` : '';
  const seconds = (x: number | null) => (x === null ? 'not reached' : `${x.toFixed(2)} s`);
  const range = (s: { reached: number; secondsToTarget: { median: number; min: number; max: number } } | null, n: number) =>
    s === null ? 'none reached the target' : `${s.reached}/${n} reached, median ${s.secondsToTarget.median.toFixed(2)} s (${s.secondsToTarget.min.toFixed(2)}–${s.secondsToTarget.max.toFixed(2)})`;
  const lines = [
    '',
    `verify --batch-size auto: from batch ${a.startBatch} at lr ${a.lr} (the pilot's batch and rate) up to ${a.maxBatch}: ${m.status}${m.testAccuracy !== null ? `, test accuracy ${pct(m.testAccuracy)}` : ''}`,
    `  seconds to target: auto ${seconds(m.secondsToTarget)} against the recommendation's ${seconds(fixed.secondsToTarget)}${ratio}; ` +
      `examples to target ${f.examplesToTarget === null ? '–' : fmt(f.examplesToTarget)}; ended at B = ${fmt(f.finalBatch)} ${afterChanges(f.changes)}; noise rounds ${f.noiseSeconds.toFixed(2)} s (included)${f.inStepUpdates ? `, in-step statistics on ${fmt(f.inStepUpdates)} updates` : ''}` +
      (a.curveSeconds > 0 ? `; throughput curve measured in ${a.curveSeconds.toFixed(1)} s before training (not included)` : ''),
  ];
  if (a.seeds.length > 1) lines.push(`  over ${a.seeds.length} seeds (${a.seeds.map((s) => s.seed).join(', ')}): auto ${range(a.spread, a.seeds.length)}; the recommendation ${range(v.spread, v.seeds.length)}`);
  return lines;
}

/** How an auto run's batch moved: its `changes` count the starting batch as the first. */
export function afterChanges(changes: number): string {
  const moved = changes - 1;
  return moved <= 0 ? 'without a change' : `after ${moved} change${moved === 1 ? '' : 's'}`;
}

/** What one rate of the bounded rate grid told, in a line. */
export function boundedRateResult(r: BoundedRate): string {
  const seen = `${pct(r.seenValAccuracy)} after ${r.seenEpochs.toFixed(2)} epochs (${r.trainSeconds.toFixed(2)} s)`;
  if (r.problem !== null) return `${seen}: ${r.problem}`;
  if (r.reached) return `reached the target in ${fmt(r.seenExamples)} examples (${r.seenEpochs.toFixed(2)} epochs, ${r.trainSeconds.toFixed(2)} s)`;
  return `${seen}; error ∝ examples^${r.errExponent?.toFixed(2) ?? '?'}: EXTRAPOLATED ${fmt(r.examplesToTarget ?? 0)} examples to the target`;
}
