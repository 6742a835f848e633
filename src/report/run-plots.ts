/**
 * Every run kind as the report and the dashboard show it: cards (the answer as data) and plots
 * (the evidence). Reads the store only; a run still in progress shows what it has so far, and a
 * run written by an older batchwise shows the plots its stored figures allow.
 */
import { analyseSweep } from '../sweep/analyse.js';
import { isAutoKey } from '../sweep/plan.js';
import type { NoiseRow, RunRow, Store, TrialRow } from '../store/store.js';
import { memoryByComponent, memoryFit, noiseAlongTraining, pilotRatesExtrapolated, predictedTimeByBatch, type BacktestBand, type BacktestFactors, type MeasuredPoint, type MemorySplit, type PilotRatePoint, type PredictedPoint } from './advisor-plots.js';
import { autoTrialsAlongTraining, batchAlongTraining } from './batch-plots.js';
import { configCard, fitCard, recommendCard, runCard, sweepCard, type Card } from './cards.js';
import { arrayAt, at, numAt } from './fields.js';
import type { Plot } from './render.js';
import { accuracyByBatch, examplesToTargetByBatch, secondsToTargetByBatch, stepsToTargetByBatch, type SweepInput } from './scaling-plots.js';
import { lossCurves, lrHeatmap, throughputByMicroBatch, validationCurves, type Ceiling, type ThroughputPoint, type TrialCurve } from './trial-plots.js';

export type { Card, CardField } from './cards.js';

export interface RunView {
  readonly run: RunRow;
  readonly cards: Card[];
  readonly plots: Plot[];
}

export function plotsForRun(store: Store, runId: number): RunView {
  const run = store.getRun(runId);
  if (run === undefined) throw new Error(`plotsForRun: no run ${runId} in ${store.path}`);
  const trials = store.trials(run.id);
  const view = { run, cards: [runCard(run, trials.length)], plots: [] as Plot[] };
  const curves = () => {
    const metrics = store.runMetrics(run.id);
    return trials.map((trial): TrialCurve => ({ trial, metrics: metrics.get(trial.key) ?? [] }));
  };
  switch (run.kind) {
    case 'sweep':
      // Auto trials are no batch size: the by-batch plots leave them out (their validation curves stay).
      sweepView(view, run, trials.filter((t) => !isAutoKey(t.key)), curves());
      autoTrialsView(view, store, run.id, trials.filter((t) => isAutoKey(t.key)));
      break;
    case 'recommend':
      recommendView(view, store, run, trials, curves());
      autoTrialsView(view, store, run.id, trials.filter((t) => t.key.startsWith('verify-auto')));
      break;
    case 'fit':
      view.cards.push(fitCard(run.summary));
      memoryViews(view, store, run, run.summary);
      break;
    case 'noise':
      noiseView(view, store.noise(run.id));
      view.cards.push(configCard('Settings', run.config, run.summary));
      break;
    default:
      // train, lab, and any kind to come: the settings, and whatever curves, probes and noise are stored.
      view.cards.push(configCard('Settings', run.config, run.summary));
      trialCurveViews(view, curves(), numAt(run.config, 'targetAccuracy'));
      if (store.probes(run.id).length > 0) memoryViews(view, store, run, run.summary);
      noiseView(view, store.noise(run.id));
      if (run.kind === 'train') {
        const changes = store.batchChanges(run.id);
        if (changes.length > 0) view.plots.push(batchAlongTraining(changes, numAt(run.summary, 'examples')));
      }
  }
  return view;
}

/** The batch and rate along each auto trial, from the changes kept under its key. */
function autoTrialsView(view: RunView, store: Store, runId: number, trials: TrialRow[]): void {
  const series = trials.map((t) => ({ label: t.key, changes: store.batchChanges(runId, t.key), endExamples: numAt(t.detail, 'auto.examples') })).filter((s) => s.changes.length > 0);
  if (series.length > 0) view.plots.push(autoTrialsAlongTraining(series));
}

const targetOf = (run: RunRow) => numAt(run.config, 'base.targetAccuracy') ?? numAt(run.config, 'targetAccuracy');

function sweepView(view: RunView, run: RunRow, trials: TrialRow[], curves: TrialCurve[]): void {
  if (trials.length === 0) return;
  const input: SweepInput = { trials, analysis: analyseSweep(trials.map((t) => ({ ...t, batchSize: t.batchSize * t.iterSize }))), targetAccuracy: targetOf(run) };
  view.cards.push(sweepCard(input.analysis, trials, run.config));
  view.plots.push(stepsToTargetByBatch(input), examplesToTargetByBatch(input), secondsToTargetByBatch(input), accuracyByBatch(input), lrHeatmap(trials), validationCurves(curves, input.targetAccuracy));
  const ceiling = ceilingOf(numAt(run.summary, 'matmul.gflops'), numAt(run.summary, 'matmul.flopsPerExample'));
  view.plots.push(throughputByMicroBatch(trials.filter((t) => Number.isFinite(t.samplesPerSec) && t.samplesPerSec > 0).map((t) => ({ microBatch: t.batchSize, samplesPerSec: t.samplesPerSec, source: `trial ${t.key}` })), ceiling));
}

const ceilingOf = (matmulGflops: number | null, flopsPerExample: number | null): Ceiling | null => (matmulGflops !== null && flopsPerExample !== null && flopsPerExample > 0 ? { matmulGflops, flopsPerExample } : null);

/** The back-test's factors on the pilot's extrapolation, where two or more kept runs gave them. */
function backtestFactors(s: unknown): BacktestFactors | null {
  const [low, high] = [numAt(s, 'backtest.low'), numAt(s, 'backtest.high')];
  const runs = arrayAt(s, 'backtest.cases').length;
  return low === null || high === null || runs < 2 ? null : { low, high, runs, percentiles: at(s, 'backtest.band') === 'percentiles' };
}

/**
 * The back-test's band around the pilot's extrapolated examples. Not after --refine-epochs: the
 * pilot is then the longer run, which the grid's plot does not draw.
 */
function backtestBand(s: unknown): BacktestBand | null {
  const factors = backtestFactors(s);
  const examplesToTarget = numAt(s, 'pilot.extrapolation.examplesToTarget');
  const refined = at(s, 'refined');
  return factors === null || examplesToTarget === null || (refined !== undefined && refined !== null) ? null : { ...factors, examplesToTarget };
}

function recommendView(view: RunView, store: Store, run: RunRow, trials: TrialRow[], curves: TrialCurve[]): void {
  const s = run.summary;
  view.cards.push(recommendCard(run));
  const candidates = arrayAt(s, 'candidates').filter((c): c is PredictedPoint => numAt(c, 'effectiveBatch') !== null && numAt(c, 'seconds') !== null);
  if (candidates.length > 0) {
    const measured: MeasuredPoint[] = [...sweepMeasurements(store, run)];
    const verified = numAt(s, 'verification.measured.secondsToTarget');
    const chosen = numAt(s, 'choice.effectiveBatch');
    if (verified !== null && chosen !== null) measured.push({ batch: chosen, seconds: verified, source: 'verification' });
    view.plots.push(predictedTimeByBatch(candidates, chosen, measured, backtestFactors(s)));
  }
  noiseView(view, store.noise(run.id));
  const rates = arrayAt(s, 'pilotRates').filter((r): r is PilotRatePoint => numAt(r, 'lr') !== null && Array.isArray(at(r, 'evaluations')));
  const target = targetOf(run);
  if (rates.length > 1 && target !== null) view.plots.push(pilotRatesExtrapolated(rates, numAt(s, 'pilot.lr'), target, backtestBand(s)));
  const throughput = arrayAt(s, 'throughput').filter((p) => numAt(p, 'microBatch') !== null && numAt(p, 'samplesPerSec') !== null);
  if (throughput.length > 0) {
    const first = throughput.find((p) => (numAt(p, 'gflops') ?? 0) > 0);
    const flops = first ? (numAt(first, 'gflops')! * 1e9) / numAt(first, 'samplesPerSec')! : null;
    const points: ThroughputPoint[] = throughput.map((p) => ({ microBatch: numAt(p, 'microBatch')!, samplesPerSec: numAt(p, 'samplesPerSec')!, source: 'throughput stage' }));
    view.plots.push(throughputByMicroBatch(points, ceilingOf(numAt(s, 'matmulGflops'), flops)));
  }
  memoryViews(view, store, run, at(s, 'fit'));
  if (trials.length > 0) view.plots.push({ ...validationCurves(curves, targetOf(run)), name: 'pilot-and-verification-curves', title: 'Validation accuracy of the pilot rates and the verification' });
}

/** The tuned time to target per batch size of every sweep with this run's model, data, optimizer and target. */
function sweepMeasurements(store: Store, run: RunRow): MeasuredPoint[] {
  const same = (path: string, other: unknown) => JSON.stringify(at(run.config, `base.${path}`)) === JSON.stringify(at(other, `base.${path}`));
  const sweeps = store.listRuns().filter((r) => r.kind === 'sweep' && ['modelName', 'dataset', 'optimizer', 'targetAccuracy'].every((p) => same(p, r.config)));
  return sweeps.flatMap((sweep) => {
    const trials = store.trials(sweep.id);
    return analyseSweep(trials.map((t) => ({ ...t, batchSize: t.batchSize * t.iterSize }))).batches.flatMap((b) =>
      b.secondsToTarget === null ? [] : [{ batch: b.batchSize, seconds: b.secondsToTarget, source: `sweep run ${sweep.id}, tuned lr ${b.bestLr}` }],
    );
  });
}

function memoryViews(view: RunView, store: Store, run: RunRow, fit: unknown): void {
  const probes = store.probes(run.id);
  if (probes.length === 0) return;
  const model = at(fit, 'memoryModel') ?? at(fit, 'model');
  view.plots.push(
    memoryFit({
      probes,
      fixedBytes: numAt(model, 'fixedBytes'),
      perSampleBytes: numAt(model, 'perSampleBytes'),
      budgetBytes: numAt(fit, 'budgetBytes'),
      margin: numAt(fit, 'margin'),
      largestBatch: numAt(fit, 'largestBatch'),
    }),
  );
  const c = at(fit, 'components');
  const largest = numAt(fit, 'largestBatch');
  const keys = ['parametersBytes', 'gradientsBytes', 'optimizerStateBytes', 'workspaceBytes', 'activationsBytesPerSample'] as const;
  if (largest !== null && keys.every((k) => numAt(c, k) !== null)) view.plots.push(memoryByComponent(c as MemorySplit, largest));
}

function noiseView(view: RunView, rows: NoiseRow[]): void {
  if (rows.some((r) => Number.isFinite(r.bSimple) && r.bSimple > 0)) view.plots.push(noiseAlongTraining(rows));
}

function trialCurveViews(view: RunView, curves: TrialCurve[], target: number | null): void {
  const withMetrics = curves.filter((c) => c.metrics.length > 0);
  if (withMetrics.length === 0) return;
  view.plots.push(validationCurves(withMetrics, target), lossCurves(withMetrics));
}
