// The page for one run: header, progress, actions, curves, test results, layer summary.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import type { InsideAsk, PanelRunAction } from '../../../src/channels/webview';
import type { EvaluationResult } from '../../../src/runs/format';
import type { ModelSummary } from '../../../src/model/types';
import { runLines, type MetricFamily } from '../logic/chartData';
import { availableActions, displayStatus, formatClock, progressOf, type RunView } from '../logic/state';
import { LineChart } from './charts';
import { buildControls, smoothingOf, type ViewOptions } from './controls';
import { formatBytes, formatFlops } from '../../../src/model/units';
import { modelName, runTitle } from '../../../src/runs/grouping';
import { button, fill, formatCount, formatMetric, formatShape, h } from './dom';
import { InsidePanel } from './insideView';

/**
 * The run's name as the Runs view shows it (the host's name), else one made from what the page
 * has (the label, `<model> #…` needs the other runs, so the model and start time), never the raw id.
 */
export function runHeading(run: RunView): string {
  if (run.name) return run.name;
  if (run.record) return runTitle(run.record);
  if (run.modelFile) return `${modelName(run.modelFile)} · new run`;
  // Restored after a reload with its folder gone: nothing is known of it but its id (in the tooltip).
  if (run.gone) return 'Deleted run';
  return 'New run';
}

/** Points per line: a canvas a few hundred pixels wide shows no more than this. */
export const MAX_POINTS_PER_LINE = 2000;

export interface RunPageHandlers {
  stop(): void;
  action(runId: string, action: PanelRunAction): void;
  /** Opens another run (the one a resumed run continues) in its own panel. */
  openRun(runId: string): void;
  /** Closes this panel (its run was deleted). */
  close(): void;
  optionsChanged(options: ViewOptions): void;
  /** Looks inside the run's model for an image (the Inside tab). */
  inside(runId: string, ask: InsideAsk): void;
}

type RunTab = 'training' | 'inside';

const STATUS_TEXT: Record<RunView['status'] | 'deleted', string> = {
  deleted: 'Deleted',
  starting: 'Starting…',
  running: 'Running',
  completed: 'Completed',
  stopped: 'Stopped',
  failed: 'Failed',
  interrupted: 'Interrupted',
};

const ACTIONS: [PanelRunAction, string, string][] = [
  ['exportModel', 'Export Model…', 'Export the best model in tfjs layers format'],
  ['exportCsv', 'Export CSV…', 'Export the metrics as CSV'],
  ['exportTensorBoard', 'TensorBoard Logs…', 'Export the metrics as TensorBoard scalar logs'],
  ['revealFolder', 'Reveal Folder', 'Reveal the run folder'],
  ['rerun', 'Re-run', 'Run again with the same settings'],
];

export class RunPage {
  readonly element: HTMLElement;
  private run: RunView | undefined;
  private options: ViewOptions;
  private readonly title = h('h1', { 'data-testid': 'run-title' });
  private readonly status = h('span', { class: 'badge', 'data-testid': 'run-status', role: 'status', 'aria-label': 'Run status' });
  private readonly meta = h('p', { class: 'meta', 'data-testid': 'run-meta' });
  private readonly continuesLine = h('p', { class: 'meta continues', 'data-testid': 'run-continues', hidden: true });
  private readonly goneBox = h('div', { class: 'error gone', 'data-testid': 'run-gone', role: 'alert', hidden: true });
  private readonly goneText = h('strong', { 'data-testid': 'run-gone-text' });
  private readonly errorBox = h('div', { class: 'error', 'data-testid': 'run-error', role: 'alert', hidden: true });
  private readonly actionButtons = new Map<PanelRunAction, HTMLElement>();
  private readonly handlers: RunPageHandlers;
  private readonly notesBox = h('p', { class: 'note', 'data-testid': 'run-notes', role: 'status', hidden: true });
  private readonly progressBar = document.createElement('vscode-progress-bar');
  private readonly stats = h('dl', { class: 'stats', 'aria-label': 'Progress' });
  private readonly stopButton: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly lossChart = new LineChart('chart-loss', 'Loss');
  private readonly accuracyChart = new LineChart('chart-accuracy', 'Accuracy');
  private readonly results = h('section', { class: 'results', 'data-testid': 'results', 'aria-label': 'Test results', hidden: true });
  private readonly summary = h('section', { class: 'summary', 'aria-label': 'Layer summary' });
  private renderedEvaluation: EvaluationResult | undefined;
  private renderedImages = -1;
  private renderedSummary: ModelSummary | undefined;
  /** Training (progress, curves, results) or Inside (filters, feature maps, Grad-CAM), offered once the run has a saved model. */
  private tab: RunTab = 'training';
  private readonly tabBar = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Run views', hidden: true });
  private readonly tabButtons = new Map<RunTab, HTMLElement>();
  private readonly trainingTab: HTMLElement;
  private readonly insidePanel: InsidePanel;

  constructor(options: ViewOptions, handlers: RunPageHandlers) {
    this.options = options;
    this.handlers = handlers;
    fill(this.goneBox, this.goneText, ' ', button('close-button', 'Close', () => handlers.close(), { label: 'Close this panel', primary: true }));
    this.progressBar.dataset.testid = 'progress';
    this.progressBar.setAttribute('aria-label', 'Training progress');
    this.progressBar.max = 100;
    this.stopButton = button('stop-button', 'Stop', () => {
      if (this.run?.canStop) handlers.stop();
    }, { label: 'Stop training', primary: true });
    this.actions = h('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Run actions' },
      ...ACTIONS.map(([action, text, label]) => {
        const element = button(`action-${action}`, text, () => {
          if (this.run?.runId && availableActions(this.run).includes(action)) handlers.action(this.run.runId, action);
        }, { label });
        this.actionButtons.set(action, element);
        return element;
      }),
    );
    const controls = buildControls(options, (next) => {
      this.options = next;
      handlers.optionsChanged(next);
      this.renderCharts();
    });
    this.insidePanel = new InsidePanel({
      ask: (ask) => {
        if (this.run?.runId) handlers.inside(this.run.runId, ask);
      },
    });
    this.insidePanel.element.hidden = true;
    for (const [tab, text] of [['training', 'Training'], ['inside', 'Inside']] as const) {
      const tabButton = h('button', { role: 'tab', 'data-testid': `tab-${tab}`, 'aria-selected': String(tab === this.tab) }, text);
      tabButton.addEventListener('click', () => this.showTab(tab));
      this.tabButtons.set(tab, tabButton);
      this.tabBar.appendChild(tabButton);
    }
    this.trainingTab = h('div', { 'data-testid': 'training-tab', role: 'tabpanel' },
      h('section', { class: 'progress', 'aria-label': 'Progress' }, this.progressBar, this.stats, h('div', { class: 'buttons' }, this.stopButton, this.actions)),
      controls,
      h('section', { class: 'charts' }, this.lossChart.element, this.accuracyChart.element),
      this.results,
      this.summary,
    );
    this.element = h('main', { class: 'run-page', 'data-testid': 'run-page' },
      h('header', {}, h('div', { class: 'title-row' }, this.title, this.status), this.meta, this.continuesLine),
      this.goneBox,
      this.errorBox,
      this.notesBox,
      this.tabBar,
      this.trainingTab,
      this.insidePanel.element,
    );
  }

  refreshTheme(): void {
    this.lossChart.refreshTheme();
    this.accuracyChart.refreshTheme();
    this.renderCharts();
  }

  render(run: RunView, now: number): void {
    this.run = run;
    this.title.textContent = runHeading(run);
    // The id stays at hand, in the tooltip.
    if (run.runId) this.title.title = run.runId;
    else this.title.removeAttribute('title');
    const status = displayStatus(run);
    this.status.textContent = STATUS_TEXT[status];
    this.status.dataset.status = status;
    this.meta.textContent = [
      run.modelFile,
      run.dataset && `dataset ${run.dataset}`,
      run.backend && `${run.backend.name} · ${run.backend.device}`,
    ].filter((part): part is string => typeof part === 'string' && part !== '').join(' · ');
    this.meta.dataset.backend = run.backend?.name ?? '';
    this.renderContinues(run);
    this.goneBox.hidden = !run.gone;
    this.goneText.textContent = run.gone ? `This run was deleted: ${run.gone.folder}` : '';
    this.renderError(run);
    this.notesBox.hidden = !run.notes?.length;
    this.notesBox.textContent = run.notes?.join(' ') ?? '';
    this.renderProgress(run, now);
    this.renderCharts();
    this.renderResults(run);
    this.renderSummary(run.summary);
    this.renderTabs(run);
  }

  /** The Inside tab needs a trained model: offered once the run has saved one, and not for a deleted run. */
  private renderTabs(run: RunView): void {
    const offered = run.savedModel === true && run.runId !== undefined && !run.gone;
    this.tabBar.hidden = !offered;
    if (!offered && this.tab === 'inside') this.showTab('training');
    if (this.tab === 'inside') this.insidePanel.render(run);
  }

  private showTab(tab: RunTab): void {
    this.tab = tab;
    for (const [name, element] of this.tabButtons) element.setAttribute('aria-selected', String(name === tab));
    this.trainingTab.hidden = tab !== 'training';
    this.insidePanel.element.hidden = tab !== 'inside';
    // The charts were drawn while hidden (zero size): draw them again at their size.
    if (tab === 'training') this.renderCharts();
    else if (this.run) this.insidePanel.render(this.run);
  }

  /** Elapsed time and ETA move without messages; called once a second while running. */
  tick(now: number): void {
    if (this.run) this.renderProgress(this.run, now);
  }

  private renderContinues(run: RunView): void {
    const from = run.continues;
    this.continuesLine.hidden = !from;
    if (!from) return;
    if (!from.exists) {
      fill(this.continuesLine, 'Continues ', h('span', { 'data-testid': 'continues-name', title: from.runId }, from.title), ' (deleted)');
      return;
    }
    const link = h('a', { href: '#', 'data-testid': 'continues-link', title: `Open ${from.runId}`, role: 'button' }, from.title);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      this.handlers.openRun(from.runId);
    });
    fill(this.continuesLine, 'Continues ', link);
  }

  private renderError(run: RunView): void {
    this.errorBox.hidden = !run.error;
    if (run.error) {
      fill(this.errorBox,
        h('strong', { 'data-testid': 'run-error-message' }, run.status === 'failed' ? `Training failed: ${run.error.message}` : run.error.message),
        run.error.hint ? h('p', { 'data-testid': 'run-error-hint' }, run.error.hint) : undefined);
    }
  }

  private renderProgress(run: RunView, now: number): void {
    const progress = progressOf(run, now);
    const starting = run.status === 'starting';
    this.progressBar.indeterminate = starting;
    this.progressBar.value = Math.round(progress.fraction * 1000) / 10;
    this.progressBar.dataset.fraction = progress.fraction.toFixed(4);
    const stat = (label: string, testId: string, value: string): HTMLElement => h('div', {}, h('dt', {}, label), h('dd', { 'data-testid': testId }, value));
    const batch = run.currentBatch !== undefined && run.stepsPerEpoch ? `${run.currentBatch + 1} / ${run.stepsPerEpoch}` : '—';
    fill(
      this.stats,
      h('div', {}, h('dt', {}, 'Epoch'), h('dd', {}, h('span', { 'data-testid': 'epoch-count' }, run.epochsCompleted), ' / ', h('span', { 'data-testid': 'epochs-planned' }, run.epochsPlanned || '—'))),
      stat('Batch', 'batch-position', batch),
      stat('Elapsed', 'elapsed', progress.elapsedSeconds !== undefined ? formatClock(progress.elapsedSeconds) : '—'),
      stat('ETA', 'eta', progress.etaSeconds !== undefined ? formatClock(progress.etaSeconds) : '—'),
      stat('Images/s', 'images-per-second', run.imagesPerSecond !== undefined ? run.imagesPerSecond.toFixed(0) : '—'),
      stat('Device', 'backend', run.backend ? `${run.backend.name} · ${run.backend.device}` : '—'),
      run.progressMessage ? stat('Preparing', 'progress-message', run.progressMessage + (run.progressFraction !== undefined ? ` (${Math.round(run.progressFraction * 100)} %)` : '')) : undefined,
    );
    this.stopButton.hidden = !run.canStop || run.gone !== undefined;
    const offered = availableActions(run);
    for (const [action, element] of this.actionButtons) element.hidden = !offered.includes(action);
    this.actions.hidden = offered.length === 0;
  }

  private renderCharts(): void {
    const run = this.run;
    if (!run) return;
    const chartOptions = { granularity: this.options.granularity, smoothing: smoothingOf(this.options), maxPoints: MAX_POINTS_PER_LINE, showRaw: true };
    const xTitle = this.options.granularity === 'batch' ? 'Step (batch)' : 'Epoch';
    const draw = (chart: LineChart, family: MetricFamily, yTitle: string, logScale: boolean): void =>
      chart.update(runLines(run, family, chartOptions), { logScale, xTitle, yTitle, colourBy: 'role' });
    draw(this.lossChart, 'loss', 'Loss', this.options.logScale);
    draw(this.accuracyChart, 'accuracy', 'Accuracy', false);
  }

  private renderResults(run: RunView): void {
    const evaluation = run.evaluation;
    const imageCount = Object.keys(run.images).length;
    if (evaluation === this.renderedEvaluation && imageCount === this.renderedImages) return;
    this.renderedEvaluation = evaluation;
    this.renderedImages = imageCount;
    this.results.hidden = !evaluation;
    if (!evaluation) return;
    fill(
      this.results,
      h('h2', {}, 'Test set'),
      h('p', { class: 'headline' },
        'Accuracy ', h('strong', { 'data-testid': 'test-accuracy' }, formatMetric(evaluation.accuracy)),
        ' · Loss ', h('strong', { 'data-testid': 'test-loss' }, formatMetric(evaluation.loss))),
      h('div', { class: 'result-tables' }, confusionMatrix(evaluation), perClassAccuracy(evaluation)),
      misclassifiedGrid(evaluation, run.images),
    );
  }

  private renderSummary(summary: ModelSummary | undefined): void {
    if (summary === this.renderedSummary) return;
    this.renderedSummary = summary;
    if (!summary) {
      fill(this.summary);
      return;
    }
    fill(this.summary, h('h2', {}, `Model: "${summary.name}"`), layerSummaryTable(summary));
  }
}

export function layerSummaryTable(summary: ModelSummary): HTMLElement {
  const header = ['Layer (type)', 'Output Shape', 'Param #', 'FLOPs', 'Activations'];
  const rows = summary.layers.map((layer) =>
    h('tr', {},
      h('td', {}, `${layer.name} (${layer.className})`),
      h('td', { class: 'mono' }, formatShape(layer.outputShape)),
      h('td', { class: 'num' }, formatCount(layer.params)),
      h('td', { class: 'num' }, formatFlops(layer.flops)),
      // float32 activations of one example: 4 bytes per element.
      h('td', { class: 'num' }, formatBytes(layer.activationSize * 4)),
    ),
  );
  const activationBytes = summary.layers.reduce((sum, layer) => sum + layer.activationSize * 4, 0);
  return h('div', {},
    h('table', { class: 'grid', 'data-testid': 'layer-summary', 'aria-label': 'Layer summary' },
      h('thead', {}, h('tr', {}, ...header.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, ...rows),
    ),
    h('p', { class: 'totals', 'data-testid': 'summary-totals' },
      `Total params: ${formatCount(summary.totalParams)} (${formatBytes(summary.weightBytes)})`, h('br'),
      `Trainable params: ${formatCount(summary.trainableParams)}`, h('br'),
      `Non-trainable params: ${formatCount(summary.nonTrainableParams)}`, h('br'),
      `FLOPs per example: ${formatFlops(summary.flops)} · activations per example: ${formatBytes(activationBytes)}`),
  );
}

function confusionMatrix(evaluation: EvaluationResult): HTMLElement {
  const names = evaluation.classNames;
  const largest = Math.max(1, ...evaluation.confusion.flat());
  const table = h('table', { class: 'grid confusion', 'data-testid': 'confusion-matrix', 'aria-label': 'Confusion matrix: rows true class, columns predicted class' },
    h('caption', {}, 'Confusion matrix (rows: true, columns: predicted)'),
    h('thead', {}, h('tr', {}, h('th', {}, ''), ...names.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, ...evaluation.confusion.map((row, trueClass) =>
      h('tr', {}, h('th', { scope: 'row' }, names[trueClass] ?? String(trueClass)), ...row.map((count, predicted) => {
        const cell = h('td', { class: predicted === trueClass ? 'num diagonal' : 'num' }, count);
        // CSSOM assignment is allowed under the page's CSP; an inline style attribute would not be.
        cell.style.setProperty('--weight', (count / largest).toFixed(3));
        return cell;
      })),
    )),
  );
  return table;
}

function perClassAccuracy(evaluation: EvaluationResult): HTMLElement {
  return h('table', { class: 'grid', 'data-testid': 'per-class-accuracy', 'aria-label': 'Accuracy per class' },
    h('caption', {}, 'Accuracy per class'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Class'), h('th', { scope: 'col' }, 'Accuracy'))),
    h('tbody', {}, ...evaluation.perClassAccuracy.map((accuracy, index) =>
      h('tr', {}, h('td', {}, evaluation.classNames[index] ?? String(index)), h('td', { class: 'num' }, formatMetric(accuracy, 3))))),
  );
}

function misclassifiedGrid(evaluation: EvaluationResult, images: Record<string, string>): HTMLElement {
  const names = evaluation.classNames;
  const items = evaluation.misclassified.map((example) => {
    const caption = `true ${names[example.trueClass] ?? example.trueClass} · predicted ${names[example.predictedClass] ?? example.predictedClass} (${(example.confidence * 100).toFixed(0)} %)`;
    const source = images[example.file];
    return h('figure', { class: 'example' },
      source ? h('img', { src: source, alt: caption }) : h('div', { class: 'placeholder', 'aria-label': 'Image not loaded' }),
      h('figcaption', {}, caption));
  });
  return h('section', { 'aria-label': 'Misclassified examples' },
    h('h3', {}, `Misclassified examples (${evaluation.misclassified.length})`),
    h('div', { class: 'examples', 'data-testid': 'misclassified', 'data-count': items.length }, ...items));
}
