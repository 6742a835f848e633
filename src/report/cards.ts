/**
 * A run's answer as plain data: a card is a title, labelled figures, notes and command lines,
 * with no HTML in it, so the report, the dashboard and a test can each show or check it.
 */
import type { RunConfig } from '../engine/run-config.js';
import { scheduleFlag } from '../optim/schedule.js';
import { EXPORT_FORMATS, exportPlan } from '../recommend/export/export-plan.js';
import { recommendedPlan } from '../recommend/recommended-plan.js';
import type { Candidate } from '../recommend/predict.js';
import { recommendedWarmup } from '../recommend/warmup.js';
import type { SweepAnalysis } from '../sweep/analyse.js';
import type { RunRow, TrialRow } from '../store/store.js';
import { arrayAt, at, figure, mebibytes, numAt, percent, strAt } from './fields.js';

export interface CardField {
  readonly label: string;
  readonly value: string;
}

export interface Card {
  readonly title: string;
  readonly fields: readonly CardField[];
  readonly notes: readonly string[];
  /** Command lines or config text, shown verbatim. */
  readonly code: readonly { readonly label: string; readonly text: string }[];
}

const field = (label: string, value: string): CardField => ({ label, value });

export function runCard(run: RunRow, trials: number): Card {
  const fields = [field('kind', run.kind), field('status', run.status), field('created (UTC)', run.createdAt.replace('T', ' ').slice(0, 19)), field('finished (UTC)', run.finishedAt?.replace('T', ' ').slice(0, 19) ?? '–')];
  if (trials > 0) fields.push(field('trials stored', figure(trials)));
  const notes = run.progress === null ? [] : [`in progress: ${flatten(run.progress)}`];
  return { title: `Run ${run.id}: ${run.label}`, fields, notes, code: [] };
}

/** A JSON value as `key=value` words, nested keys dotted, for progress and generic summaries. */
export function flatten(value: unknown, max = 400): string {
  const words: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (v === null || typeof v !== 'object') words.push(key === '' ? String(v) : `${key}=${typeof v === 'number' ? figure(v) : String(v)}`);
    else if (Array.isArray(v)) words.push(`${key}=[${v.length} items]`);
    else for (const [k, x] of Object.entries(v)) walk(x, key === '' ? k : `${key}.${k}`);
  };
  walk(value, '');
  const text = words.join(' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function sweepCard(a: SweepAnalysis, trials: readonly TrialRow[], config: unknown): Card {
  const t = a.timeOptimal;
  const acc = a.accuracyOptimal;
  const c = a.criticalBatch;
  const diverged = trials.filter((x) => x.status === 'diverged').length;
  const fields = [
    field('target', percent(numAt(config, 'base.targetAccuracy'))),
    field('trials', `${figure(trials.length)} (${trials.filter((x) => x.stepsToTarget !== null).length} reached the target, ${diverged} diverged)`),
    field('time-optimal batch', t ? `${figure(t.batchSize)} at lr ${t.bestLr}: ${t.secondsToTarget!.toFixed(2)} s, ${figure(t.stepsToTarget)} steps, ${t.epochsToTarget!.toFixed(2)} epochs` : 'none reached the target'),
    field('accuracy-optimal batch', acc ? `${figure(acc.batchSize)}: best validation ${percent(acc.bestValAccuracy)}` : '–'),
    field('critical batch (fit)', c ? `B_crit ≈ ${figure(c.criticalBatch)}, S_min ${figure(c.minSteps)} steps, E_min ${figure(c.minExamples)} examples` : 'not fitted: it needs three batch sizes that reached the target, with steps that level off'),
  ];
  return { title: 'What the sweep found', fields, notes: [], code: [] };
}

/** A stored candidate; one kept before warm-ups were recommended has none. */
const candidateOf = (v: unknown): Candidate | null => (numAt(v, 'effectiveBatch') !== null && numAt(v, 'seconds') !== null ? { ...(v as Candidate), warmupSteps: numAt(v, 'warmupSteps') ?? 0 } : null);

/**
 * What a recommendation took from the store instead of measuring it (machine-memo.ts), and from
 * which runs: "; reused from run 1: memory fit, MatMul rate, throughput curve, range test, 3 of 3
 * bounded pilots, the refined pilot". Empty when it measured everything.
 */
function reusedNote(s: unknown): string {
  const what: string[] = [];
  const from = new Set<number | null>();
  const by = (v: unknown, path: string) => from.add(numAt(v, path));
  for (const [k, name] of [['machine.memory', 'memory fit'], ['machine.matmul', 'MatMul rate'], ['machine.throughput', 'throughput curve'], ['rangeTestProvenance', 'range test']] as const) {
    if (at(s, `${k}.reused`) !== true) continue;
    what.push(name);
    by(s, `${k}.runId`);
  }
  const rates = arrayAt(s, 'pilotRates');
  const pilots = rates.filter((r) => at(r, 'provenance.reused') === true);
  if (pilots.length > 0) what.push(`${pilots.length} of ${rates.length} bounded pilots`);
  for (const r of pilots) by(r, 'provenance.runId');
  if (at(s, 'refined.provenance.reused') === true) {
    what.push('the refined pilot');
    by(s, 'refined.provenance.runId');
  }
  if (what.length === 0) return '';
  const ids = [...from].filter((x): x is number => x !== null);
  const runs = [ids.length === 0 ? '' : `${ids.length === 1 ? 'run' : 'runs'} ${ids.join(', ')}`, from.has(null) ? 'an earlier recommend' : ''].filter((x) => x !== '');
  return `; reused from ${runs.join(' and ')}: ${what.join(', ')}`;
}

/** How the reused throughput curve's check bore on the predicted seconds (recommend/throughput-check.ts). */
function checkNote(c: unknown): string {
  const scale = numAt(c, 'scale');
  if (scale === null) return '';
  const where = `a check at micro-batch ${figure(numAt(c, 'microBatch'))}`;
  // NaN went into the JSON as null: a timing that measured nothing.
  if (!((numAt(c, 'nowSamplesPerSec') ?? 0) > 0)) return `; ${where} of the kept throughput curve measured nothing`;
  return scale === 1 ? `; the kept throughput curve agreed with ${where}` : `; the kept throughput curve scaled ×${scale.toFixed(2)} by ${where}`;
}

/** What the store's runs said of the pilot's extrapolation (recommend/bounded/backtest.ts); null where the run kept none. */
function backtestNote(b: unknown, steps: number): string | null {
  const stretch = numAt(b, 'stretch');
  if (stretch === null) return null;
  const head = `the target ${stretch.toFixed(2)}× beyond the pilot`;
  const runs = (n: number) => `${figure(n)} run${n === 1 ? '' : 's'}`;
  const stopped = numAt(b, 'stoppedShort') ?? 0;
  const short = stopped > 0 ? `; ${runs(stopped)} with such a cut stopped before the target and ${stopped === 1 ? 'is' : 'are'} not in the band` : '';
  const n = arrayAt(b, 'cases').length;
  const [low, high, median] = [numAt(b, 'low'), numAt(b, 'high'), numAt(b, 'median')];
  if (n === 0 || low === null || high === null || median === null) {
    const reached = numAt(b, 'reached') ?? 0;
    const why = reached === 0 ? 'no run of this problem in the store reached the target' : `${reached === 1 ? 'the 1 run' : `none of the ${runs(reached)}`} of this problem in the store that reached the target had ${reached === 1 ? 'no cut' : 'a cut'} with about that far to go`;
    return `${head}; not back-tested: ${why}${short}`;
  }
  const shown = Math.round(steps);
  const cut = 'cut where that extrapolation had as far to go';
  if (n === 1) return `${head}; 1 kept run, ${cut}, took ${median.toFixed(2)}× what it said: about ${figure(Math.round(shown * median))} steps${short}`;
  const band = strAt(b, 'band') === 'percentiles' ? `10th–90th percentile of ${n}` : `all ${n}`;
  return `${head}; ${n} kept runs, each ${cut}, took ${low.toFixed(2)}–${high.toFixed(2)}× what it said (${band}; median ${median.toFixed(2)}×): about ${figure(Math.round(shown * low))}–${figure(Math.round(shown * high))} steps${short}`;
}

export function recommendCard(run: RunRow): Card {
  const s = run.summary;
  const choice = candidateOf(at(s, 'choice'));
  if (choice === null) return { title: 'Recommendation', fields: [field('status', run.status === 'running' ? 'not decided yet' : 'no recommendation stored')], notes: [], code: [] };
  const target = numAt(run.config, 'targetAccuracy');
  const fields = [
    field('effective batch', `${figure(choice.effectiveBatch)} = micro-batch ${figure(choice.microBatch)} × iter-size ${choice.iterSize} × world size ${choice.worldSize}`),
    field('learning rate', choice.warmupSteps > 0 ? `${figure(choice.lr)}, warmed up from 0 over ${figure(choice.warmupSteps)} updates` : figure(choice.lr)),
    field('predicted', `${choice.seconds.toFixed(2)} s, ${figure(Math.round(choice.steps))} steps, ${choice.epochs.toFixed(2)} epochs to ${percent(target)}${checkNote(at(s, 'throughputCheck'))}`),
    field('noise scale B_noise', figure(numAt(s, 'bNoise'))),
  ];
  const measured = at(s, 'verification.measured');
  if (measured !== undefined && measured !== null) {
    const secs = numAt(measured, 'secondsToTarget');
    fields.push(field('verified', `${strAt(measured, 'status') ?? '?'}: ${secs === null ? 'target not reached' : `${secs.toFixed(2)} s`}, ${figure(numAt(measured, 'stepsToTarget'))} steps, test accuracy ${percent(numAt(measured, 'testAccuracy'))}`));
  }
  // --verify --seeds K: the median and range over the seeds that reached the target.
  const seeds = arrayAt(s, 'verification.seeds').length;
  const spread = at(s, 'verification.spread');
  if (seeds > 1) {
    const r = (path: string, f: (x: number | null) => string) => `${f(numAt(spread, `${path}.median`))} (${f(numAt(spread, `${path}.min`))}–${f(numAt(spread, `${path}.max`))})`;
    const secs = (x: number | null) => (x === null ? '–' : `${x.toFixed(2)} s`);
    fields.push(field(`verified over ${seeds} seeds`, spread === undefined || spread === null ? 'none reached the target' : `${figure(numAt(spread, 'reached'))} reached the target; median ${r('secondsToTarget', secs)}, ${r('stepsToTarget', (x) => figure(x))} steps`));
  }
  const extrapolated = at(s, 'pilot.extrapolation');
  if (extrapolated !== undefined && extrapolated !== null) {
    fields.push(field('pilot', `bounded at ${(numAt(extrapolated, 'seenEpochs') ?? 0).toFixed(2)} epochs, examples to target extrapolated: ${figure(numAt(extrapolated, 'examplesToTarget'))}`));
    const backtested = backtestNote(at(s, 'backtest'), choice.steps);
    if (backtested !== null) fields.push(field('extrapolation back-tested', backtested));
  }
  const rates = arrayAt(s, 'pilotRates');
  if (rates.length > 1) {
    const pilotLr = numAt(s, 'pilot.lr');
    const one = (r: unknown) => `${figure(numAt(r, 'lr'))}${numAt(r, 'lr') === pilotLr ? ' (pilot)' : ''}: ${numAt(r, 'examplesToTarget') === null ? (strAt(r, 'problem') ?? '–') : figure(Math.round(numAt(r, 'examplesToTarget')!))}`;
    fields.push(field('rates tried, examples to target', rates.map(one).join('; ')));
  }
  fields.push(field('cost of the recommendation', `${figure(numAt(s, 'seconds'))} s${reusedNote(s)}`));
  const base = at(run.config, 'base') as RunConfig | undefined;
  const code: { label: string; text: string }[] = [];
  const notes: string[] = [];
  if (base !== undefined && base !== null && typeof base === 'object') {
    const warmup = recommendedWarmup(base.warmupSteps ?? 0, choice);
    code.push({
      label: 'train with it in batchwise',
      text: `batchwise train --model ${base.modelName} --dataset ${base.dataset} --optimizer ${base.optimizer} --batch-size ${choice.microBatch} --iter-size ${choice.iterSize * choice.worldSize} --lr ${Number(choice.lr.toPrecision(4))}` +
        `${base.schedule !== undefined ? ` --schedule ${scheduleFlag(base.schedule)}` : ''}${warmup > 0 ? ` --warmup-steps ${warmup}` : ''}${target === null ? '' : ` --target-accuracy ${target}`}`,
    });
    const trainExamples = numAt(s, 'trainExamples') ?? (choice.epochs > 0 ? Math.round(choice.examples / choice.epochs) : null);
    for (const format of EXPORT_FORMATS) {
      if (trainExamples === null || target === null) break;
      try {
        const e = exportPlan(format, recommendedPlan(base, choice, target, trainExamples));
        code.push({ label: `${format} (${e.fileName}; recommend --export ${format} writes it)`, text: e.text });
        notes.push(...e.notes.map((n) => `${format}: ${n}`));
      } catch (err) {
        notes.push(`${format}: not exported: ${(err as Error).message}`);
      }
    }
  }
  return { title: 'Recommendation', fields, notes, code };
}

export function fitCard(summary: unknown): Card {
  const fixed = numAt(summary, 'memoryModel.fixedBytes');
  const per = numAt(summary, 'memoryModel.perSampleBytes');
  return {
    title: 'Memory fit',
    fields: [
      field('largest micro-batch', figure(numAt(summary, 'largestBatch'))),
      field('budget', `${mebibytes(numAt(summary, 'budgetBytes'))} less ${percent(numAt(summary, 'margin'))}`),
      field('fitted line', fixed !== null && per !== null ? `peak ≈ ${mebibytes(fixed)} + ${figure(per / 1024)} KiB × B (r² ${figure(numAt(summary, 'memoryModel.r2'))})` : '–'),
      field('probed or predicted', at(summary, 'probed') === false ? 'predicted from the fit (the budget is beyond this machine)' : 'probed'),
    ],
    notes: [],
    code: [],
  };
}

export function configCard(title: string, config: unknown, summary: unknown): Card {
  const fields = [field('settings', flatten(config, 600))];
  if (summary !== null && summary !== undefined) fields.push(field('result', flatten(summary, 600)));
  return { title, fields, notes: [], code: [] };
}
