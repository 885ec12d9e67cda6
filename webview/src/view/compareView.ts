// The compare page: the runs' curves overlaid, a table of settings and results, and each run's
// model against the first run's, layer by layer.

import type { RunRecord } from '../../../src/runs/format';
import type { TrainingConfig } from '../../../src/model/types';
import { bestValAccuracy, formatDuration, pickMetric, runDurationMs, runTitle, trainAccuracy, valAccuracy } from '../../../src/runs/grouping';
import { runLines, type MetricFamily } from '../logic/chartData';
import { describeChange, diffLayers } from '../logic/modelDiff';
import type { RunView } from '../logic/state';
import { LineChart } from './charts';
import { buildControls, smoothingOf, type ViewOptions } from './controls';
import { fill, formatCount, formatMetric, h } from './dom';
import { MAX_POINTS_PER_LINE } from './runView';

function optimizerName(training: TrainingConfig): string {
  const optimizer = training.optimizer;
  if (optimizer === undefined) return '—';
  return typeof optimizer === 'string' ? optimizer : optimizer.name;
}

function learningRate(training: TrainingConfig): string {
  const optimizer = training.optimizer;
  const rate = training.learningRate ?? (typeof optimizer === 'object' ? optimizer.learningRate : undefined);
  return rate === undefined ? '—' : String(rate);
}

const ROWS: [string, (record: RunRecord, now: number) => string][] = [
  ['Model file', (r) => r.modelFile],
  ['Status', (r) => r.status],
  ['Dataset', (r) => r.dataset],
  ['Backend', (r) => (r.backend ? `${r.backend.name} · ${r.backend.device}` : '—')],
  ['Params', (r) => formatCount(r.summary.totalParams)],
  ['Epochs', (r) => `${r.epochsCompleted} / ${r.epochsPlanned}`],
  ['Batch size', (r) => String(r.training.batchSize ?? '—')],
  ['Optimizer', (r) => optimizerName(r.training)],
  ['Learning rate', (r) => learningRate(r.training)],
  ['Validation split', (r) => String(r.training.validationSplit ?? '—')],
  ['Best val_acc', (r) => {
    const best = bestValAccuracy(r);
    return best === undefined ? '—' : `${best.toFixed(4)}${r.bestMetrics ? ` (epoch ${r.bestMetrics.epoch + 1})` : ''}`;
  }],
  ['Final loss', (r) => formatMetric(pickMetric(r.finalMetrics, ['loss']))],
  ['Final acc', (r) => formatMetric(trainAccuracy(r.finalMetrics))],
  ['Final val_loss', (r) => formatMetric(pickMetric(r.finalMetrics, ['val_loss']))],
  ['Final val_acc', (r) => formatMetric(valAccuracy(r.finalMetrics))],
  ['Test accuracy', (r) => formatMetric(r.evaluation?.accuracy)],
  ['Duration', (r, now) => {
    const ms = runDurationMs(r, now);
    return ms === undefined ? '—' : formatDuration(ms);
  }],
];

/** A run as the Runs view names it: the host's name, else one made from its record alone. */
function nameOf(run: RunView): string {
  return run.name ?? (run.record ? runTitle(run.record) : (run.runId ?? 'A run'));
}

export class ComparePage {
  readonly element: HTMLElement;
  private runs: RunView[] = [];
  private options: ViewOptions;
  private readonly lossChart = new LineChart('chart-loss', 'Loss');
  private readonly accuracyChart = new LineChart('chart-accuracy', 'Accuracy');
  private readonly table = h('section', { 'aria-label': 'Settings and results' });
  private readonly diff = h('section', { 'aria-label': 'Model differences' });
  private readonly heading = h('h1', { 'data-testid': 'compare-title' });
  private readonly notes = h('p', { class: 'note', 'data-testid': 'compare-notes', role: 'status', hidden: true });

  constructor(options: ViewOptions, onOptions: (options: ViewOptions) => void) {
    this.options = options;
    const controls = buildControls(options, (next) => {
      this.options = next;
      onOptions(next);
      this.renderCharts();
    });
    this.element = h('main', { class: 'compare-page', 'data-testid': 'compare-page' },
      h('header', {}, this.heading),
      this.notes,
      controls,
      h('section', { class: 'charts' }, this.lossChart.element, this.accuracyChart.element),
      this.table,
      this.diff,
    );
  }

  refreshTheme(): void {
    this.lossChart.refreshTheme();
    this.accuracyChart.refreshTheme();
    this.renderCharts();
  }

  /** `missing`: runs asked for that are gone from disk; the page names them rather than drop them silently. */
  render(runs: RunView[], now: number, missing: readonly { runId: string; name: string }[] = []): void {
    this.runs = runs;
    this.heading.textContent = `Comparing ${runs.length} runs`;
    const notes = runs.flatMap((run) => (run.notes?.length ? [`${nameOf(run)}: ${run.notes.join(' ')}`] : []));
    if (missing.length > 0) {
      const names = missing.map((run) => run.name).join(', ');
      notes.unshift(`Not shown: ${names} — ${missing.length === 1 ? 'this run was' : 'these runs were'} deleted (no run folder on disk).`);
    }
    this.notes.dataset.missing = missing.map((run) => run.runId).join(' ');
    this.notes.hidden = notes.length === 0;
    this.notes.textContent = notes.join(' ');
    this.renderCharts();
    const shown = runs.filter((run): run is RunView & { record: RunRecord } => run.record !== undefined);
    fill(this.table, h('h2', {}, 'Settings and results'), h('table', { class: 'grid', 'data-testid': 'compare-table', 'aria-label': 'Runs side by side' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Run'), ...shown.map((run) => h('th', { scope: 'col' }, nameOf(run))))),
      h('tbody', {}, ...ROWS.map(([label, cell]) => h('tr', {}, h('th', { scope: 'row' }, label), ...shown.map((run) => h('td', {}, cell(run.record, now)))))),
    ));
    this.renderDiff(shown);
  }

  private renderDiff(runs: (RunView & { record: RunRecord })[]): void {
    const [firstRun, ...others] = runs;
    if (!firstRun) {
      fill(this.diff);
      return;
    }
    const first = firstRun.record;
    const sections = others.map((otherRun) => {
      const other = otherRun.record;
      const diff = diffLayers(first.ir.layers, other.ir.layers);
      const changed = diff.filter((entry) => entry.kind !== 'same').length;
      const rows = diff.map((entry) => {
        const layerName = entry.kind === 'added' ? entry.after.name : entry.before.name;
        const className = entry.kind === 'added' ? entry.after.className : entry.kind === 'removed' ? entry.before.className : entry.after.className;
        const detail = entry.kind === 'changed' ? entry.changes.map(describeChange).join('; ') : entry.kind === 'added' ? `added as ${entry.after.name}` : '';
        return h('tr', { class: `diff-${entry.kind}`, 'data-kind': entry.kind },
          h('td', {}, entry.kind), h('td', {}, layerName), h('td', {}, className), h('td', {}, detail));
      });
      return h('div', {},
        h('h3', {}, `${nameOf(firstRun)} → ${nameOf(otherRun)}: ${changed === 0 ? 'same layers' : `${changed} layer${changed === 1 ? '' : 's'} differ`}`),
        h('table', { class: 'grid', 'data-testid': 'model-diff', 'data-changes': changed, 'aria-label': `Model differences, ${nameOf(firstRun)} to ${nameOf(otherRun)}` },
          h('thead', {}, h('tr', {}, ...['Change', 'Layer', 'Class', 'Details'].map((text) => h('th', { scope: 'col' }, text)))),
          h('tbody', {}, ...rows)));
    });
    fill(this.diff, h('h2', {}, 'Model, layer by layer'), ...sections);
  }

  private renderCharts(): void {
    const chartOptions = { granularity: this.options.granularity, smoothing: smoothingOf(this.options), maxPoints: MAX_POINTS_PER_LINE, showRaw: false };
    const xTitle = this.options.granularity === 'batch' ? 'Step (batch)' : 'Epoch';
    const draw = (chart: LineChart, family: MetricFamily, yTitle: string, logScale: boolean): void => {
      const lines = this.runs.flatMap((run, index) => runLines(run, family, chartOptions, index, `${run.record || run.name ? nameOf(run) : `run ${index + 1}`}: `));
      chart.update(lines, { logScale, xTitle, yTitle, colourBy: 'run' });
    };
    draw(this.lossChart, 'loss', 'Loss', this.options.logScale);
    draw(this.accuracyChart, 'accuracy', 'Accuracy', false);
  }
}
