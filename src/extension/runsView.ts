// The sidebar: Runs (grouped by model file) and Models (the workspace's model files with their
// size and last result), plus the "▶ Train" and "last run" CodeLenses on model files.

import { MODEL_FILE_EXCLUDE_GLOB, MODEL_FILE_GLOB } from '../model/vocabulary';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { analyzeModel } from '../model';
import { shouldEvaluate } from '../model/documents';
import type { ModelAnalysis } from '../model/types';
import type { RunRecord, RunStatus } from '../runs/format';
import { describeMetricsInfo, type MetricsCount } from '../runs/store';
import type { ExperimentState } from '../runs/experiments';
import type { ExperimentRef } from '../runs/format';
import { bestValAccuracy, describeRun, formatAccuracy, formatDuration, formatRelativeTime, formatRunResult, groupRunsByModel, newestStart, runDurationMs, runStatusText, runTitle } from '../runs/grouping';
import { groupByExperiment, variantLabel, type ExperimentGroup } from '../runs/experimentGrouping';
import { runMetric } from '../runs/experimentResults';
import { escapeMarkdown } from '../model/markdownText';
import type { ModelDocuments } from './modelDocuments';
import type { RunCatalog, RunEntry, UnreadableRun } from './runCatalog';


const STATUS_ICONS: Record<RunStatus, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  stopped: new vscode.ThemeIcon('debug-stop', new vscode.ThemeColor('charts.yellow')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  interrupted: new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.orange')),
};

export class ModelGroupNode {
  /** `runs`: the model's runs of no sweep; `experiments`: its sweeps, each with its runs. */
  constructor(
    readonly modelPath: string,
    readonly runs: RunNode[],
    readonly experiments: ExperimentNode[] = [],
  ) {}

  /** Sweeps and single runs, the one with the newest run first. */
  get children(): (ExperimentNode | RunNode)[] {
    const start = (node: ExperimentNode | RunNode): number => newestStart(node instanceof ExperimentNode ? node.runs.map((run) => run.entry.record) : [node.entry.record]);
    return [...this.experiments, ...this.runs].sort((a, b) => start(b) - start(a));
  }

  /** How many runs the group holds, its sweeps' included. */
  get runCount(): number {
    return this.runs.length + this.experiments.reduce((sum, experiment) => sum + experiment.runs.length, 0);
  }
}

/** Where a sweep's queue stands on disk (experiment.json), when this window knows it. */
export type ExperimentStateOf = (experimentId: string) => ExperimentState | undefined;

/** A sweep: its runs under it, best first by its metric. */
export class ExperimentNode {
  constructor(
    readonly modelPath: string,
    readonly ref: ExperimentRef,
    readonly runs: VariantRunNode[],
    readonly queueState?: ExperimentState,
  ) {}

  get experimentId(): string {
    return this.ref.id;
  }
}

export class RunNode {
  /** `title`: the run's readable name (`cnn #3` or its label); without it one is made from the run alone. */
  constructor(
    readonly entry: RunEntry,
    readonly title: string = runTitle(entry.record),
  ) {}
  get runId(): string {
    return this.entry.record.id;
  }
}

/** A run of a sweep: labelled by its variant's values and the sweep's metric (`lr=0.004 · conv2d.filters=16 — val_acc 0.912`). */
export class VariantRunNode extends RunNode {
  /** `rank`: 1 for the best run of its sweep. */
  constructor(
    entry: RunEntry,
    title: string,
    readonly rank: number,
  ) {
    super(entry, title);
  }
}

/** A folder under `.cnnlab/runs` that cannot be read as a run: one row that says why. */
export class UnreadableRunNode {
  constructor(readonly unreadable: UnreadableRun) {}
}

export type RunsTreeNode = ModelGroupNode | ExperimentNode | RunNode | UnreadableRunNode;

/** Epochs completed by a run trained in this window, as its trainer last reported (run.json may lag behind). */
export type LiveEpochs = (runId: string) => number | undefined;

/**
 * The readable name of one run (`cnn #3`, or the user's label), numbered among every run the catalog
 * knows: what panel titles and compare legends should show. `record` (optional) is a newer copy of
 * the run's record (a label just changed). Falls back to `runTitle(record)` for a run not listed.
 */
export function runDisplayName(catalog: Pick<RunCatalog, 'runs'>, runId: string, record?: RunRecord): string | undefined {
  const entry = catalog.runs.find((candidate) => candidate.record.id === runId);
  const current = record ?? entry?.record;
  if (!current) return undefined;
  if (current.label && current.label.trim() !== '') return current.label.trim();
  if (entry) return runTitles(catalog.runs).get(entry) ?? runTitle(current);
  return runTitle(current, [...catalog.runs.map((other) => other.record), current]);
}

/** The readable names of every run the catalog knows (`cnn #3`, or the user's label), numbered per model file. */
export function runTitles(entries: readonly RunEntry[]): Map<RunEntry, string> {
  const byRecord = new Map(entries.map((entry) => [entry.record, entry]));
  const titles = new Map<RunEntry, string>();
  for (const group of groupRunsByModel(entries.map((entry) => entry.record), 0, (record) => byRecord.get(record)?.modelPath ?? record.modelFile)) {
    for (const row of group.runs) titles.set(byRecord.get(row.record) as RunEntry, row.title);
  }
  return titles;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsTreeNode> {
  private readonly changed = new vscode.EventEmitter<RunsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly catalog: RunCatalog,
    private readonly live: LiveEpochs = () => undefined,
    private readonly experimentState: ExperimentStateOf = () => undefined,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  async getChildren(node?: RunsTreeNode): Promise<RunsTreeNode[]> {
    if (node instanceof RunNode || node instanceof UnreadableRunNode) return [];
    if (node instanceof ModelGroupNode) return node.children;
    if (node instanceof ExperimentNode) return node.runs;
    const entries = await this.catalog.ready();
    const entryOf = new Map(entries.map((entry) => [entry.record, entry]));
    const pathOf = (record: RunRecord): string => entryOf.get(record)?.modelPath ?? record.modelFile;
    const groups: RunsTreeNode[] = groupRunsByModel(entries.map((entry) => entry.record), Date.now(), pathOf).map((group) => {
      const titles = new Map(group.runs.map((row) => [row.record, row.title]));
      const { experiments, others } = groupByExperiment(group.runs.map((row) => row.record));
      const nodeOf = (record: RunRecord): RunNode => new RunNode(entryOf.get(record) as RunEntry, titles.get(record));
      return new ModelGroupNode(
        group.modelFile,
        others.map(nodeOf),
        experiments.map((experiment) => this.experimentNode(group.modelFile, experiment, entryOf, titles)),
      );
    });
    return [...groups, ...this.catalog.unreadable.map((unreadable) => new UnreadableRunNode(unreadable))];
  }

  private experimentNode(modelPath: string, experiment: ExperimentGroup, entryOf: Map<RunRecord, RunEntry>, titles: Map<RunRecord, string>): ExperimentNode {
    const runs = experiment.runs.map((record, index) => new VariantRunNode(entryOf.get(record) as RunEntry, titles.get(record) ?? runTitle(record), index + 1));
    return new ExperimentNode(modelPath, experiment.ref, runs, this.experimentState(experiment.ref.id));
  }

  getTreeItem(node: RunsTreeNode): vscode.TreeItem {
    if (node instanceof UnreadableRunNode) return unreadableRunItem(node.unreadable);
    if (node instanceof ExperimentNode) return experimentItem(node);
    if (node instanceof VariantRunNode) return this.variantItem(node);
    if (node instanceof ModelGroupNode) {
      const item = new vscode.TreeItem(path.basename(node.modelPath), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `model:${node.modelPath}`;
      item.description = `${node.runCount} run${node.runCount === 1 ? '' : 's'}`;
      item.tooltip = node.modelPath;
      item.resourceUri = vscode.Uri.file(node.modelPath);
      item.iconPath = new vscode.ThemeIcon('symbol-class');
      item.contextValue = 'cnnLab.modelGroup';
      return item;
    }
    return this.getRunItem(node);
  }

  private getRunItem(node: RunNode, label: string = node.title): vscode.TreeItem {
    const record = node.entry.record;
    const now = Date.now();
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${node.entry.runDir}`;
    const description = describeRun(record, now, this.live(record.id));
    item.description = description;
    // The tooltip is built on hover (resolveTreeItem): it counts the unreadable lines of metrics.jsonl.
    item.iconPath = STATUS_ICONS[record.status];
    // `run-<status>` drives which context-menu actions appear (see package.json menus).
    item.contextValue = `run-${record.status}`;
    item.accessibilityInformation = { label: `Run ${node.title}, ${record.status}, ${description}` };
    item.command = { command: 'cnnLab.openRun', title: 'Open Run', arguments: [node] };
    return item;
  }

  /** A sweep's run: its values and result as the label, its name and state beside; the run's own commands. */
  private variantItem(node: VariantRunNode): vscode.TreeItem {
    const record = node.entry.record as RunRecord & { experiment: ExperimentRef };
    const label = variantLabel(record);
    const item = this.getRunItem(node, label);
    const state = record.status === 'running' ? runStatusText(record, this.live(record.id)) : record.status === 'completed' ? undefined : record.status;
    const duration = runDurationMs(record, Date.now());
    item.description = [node.rank === 1 && runMetric(record, record.experiment.metric) !== undefined ? '★ best' : undefined, node.title, state, duration !== undefined ? formatDuration(duration) : undefined]
      .filter((part) => part !== undefined)
      .join(' · ');
    item.accessibilityInformation = { label: `Run ${node.title}, variant ${record.experiment.variant + 1} of ${record.experiment.variants}: ${label}, ${record.status}` };
    return item;
  }

  /** Called on hover for a row without a tooltip: the run's tooltip, with what metrics.jsonl holds. */
  async resolveTreeItem(item: vscode.TreeItem, node: RunsTreeNode): Promise<vscode.TreeItem> {
    if (node instanceof RunNode) item.tooltip = runTooltip(node.entry.record, Date.now(), await this.catalog.metricsCount(node.entry), node.title);
    return item;
  }
}

function experimentItem(node: ExperimentNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.ref.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `experiment:${node.modelPath}:${node.ref.id}`;
  const finished = node.runs.filter((run) => run.entry.record.status === 'completed').length;
  const best = node.runs[0]?.entry.record;
  const bestValue = best ? runMetric(best, node.ref.metric) : undefined;
  item.description = [
    `${finished} of ${node.ref.variants} done`,
    node.queueState && node.queueState !== 'done' ? node.queueState : undefined,
    bestValue !== undefined ? `best ${node.ref.metric.name} ${formatAccuracy(bestValue)}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(' · ');
  item.tooltip = `${node.ref.name}\n${node.ref.id}\nranked by ${node.ref.metric.name} (${node.ref.metric.goal === 'max' ? 'higher is better' : 'lower is better'})`;
  item.iconPath = new vscode.ThemeIcon(node.queueState === 'running' || node.queueState === 'queued' ? 'beaker~spin' : 'beaker');
  // `cnnLab.experiment-running` offers Stop Sweep, `cnnLab.experiment-stopped` Continue Sweep (package.json menus).
  item.contextValue = `cnnLab.experiment${node.queueState === 'running' || node.queueState === 'queued' ? '-running' : node.queueState === 'stopped' ? '-stopped' : ''}`;
  item.command = { command: 'cnnLab.openExperiment', title: 'Open Experiment', arguments: [node] };
  return item;
}

function unreadableRunItem(unreadable: UnreadableRun): vscode.TreeItem {
  const item = new vscode.TreeItem(unreadable.name, vscode.TreeItemCollapsibleState.None);
  item.id = `unreadable:${unreadable.path}`;
  item.description = 'unreadable';
  // Plain text, not Markdown: the reason quotes names and text from the folder.
  item.tooltip = unreadable.problem;
  item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  // Not `run-…`: no run command applies to it.
  item.contextValue = 'cnnLab.unreadableRun';
  item.accessibilityInformation = { label: `Unreadable run folder ${unreadable.name}: ${unreadable.problem}` };
  item.command = { command: 'revealInExplorer', title: 'Reveal in Explorer', arguments: [vscode.Uri.file(unreadable.path)] };
  return item;
}

/**
 * The Runs view tooltip. Everything in it but the field names comes from run.json and
 * metrics.jsonl, which a cloned repository may carry: each such text is escaped (`escapeMarkdown`),
 * and the Markdown is untrusted (no command links) with HTML off.
 */
export function runTooltip(record: RunRecord, now: number, metrics?: MetricsCount, title: string = runTitle(record)): vscode.MarkdownString {
  const duration = runDurationMs(record, now);
  const text = (value: unknown): string => escapeMarkdown(String(value));
  const metricsNote = metrics ? describeMetricsInfo(metrics) : undefined;
  const lines = [
    `**${text(title)}** — ${text(record.status)}`,
    '',
    `- id: ${text(record.id)}`,
    `- model: ${text(record.modelFile)}`,
    record.initialWeights ? `- fine-tuned from the weights saved in ${text(record.initialWeights.from)}` : undefined,
    `- dataset: ${text(record.dataset)}`,
    `- epochs: ${text(record.epochsCompleted)} / ${text(record.epochsPlanned)}`,
    `- best val\\_acc: ${text(formatAccuracy(bestValAccuracy(record)))}`,
    record.evaluation ? `- test acc: ${text(record.evaluation.accuracy.toFixed(4))}` : undefined,
    record.backend ? `- backend: ${text(record.backend.name)} · ${text(record.backend.device)}` : undefined,
    `- started: ${text(new Date(record.startedAt).toLocaleString())} (${text(formatRelativeTime(record.startedAt, now))})`,
    duration !== undefined ? `- duration: ${text(formatDuration(duration))}` : undefined,
    record.tags && record.tags.length > 0 ? `- tags: ${text(record.tags.join(', '))}` : undefined,
    record.error ? `- error: ${text(record.error.message)}` : undefined,
    metricsNote ? `- ⚠ ${text(metricsNote)}` : undefined,
  ];
  const markdown = new vscode.MarkdownString(lines.filter((line): line is string => line !== undefined).join('\n'));
  markdown.isTrusted = false;
  markdown.supportHtml = false;
  markdown.supportThemeIcons = false;
  return markdown;
}

/**
 * "last run cnn #3: test acc 0.908 (val_acc 0.927) · 3 min ago", "last run cnn #4: running, epoch 1/5 · just now".
 * `liveEpochsCompleted`: what the trainer of a run in this window last reported (run.json may lag).
 */
export function lastRunText(record: RunRecord, now: number, title: string = runTitle(record), liveEpochsCompleted?: number): string {
  const result = record.status === 'running' ? runStatusText(record, liveEpochsCompleted) : (formatRunResult(record) ?? record.status);
  return `last run ${title}: ${result} · ${formatRelativeTime(record.startedAt, now)}`;
}

export class ModelNode {
  /**
   * `totalParams`: the model's parameter count, only when it is known to be right; `note` says why
   * there is none (`resolving…` while the module runs, `needs a trusted workspace to count`).
   */
  constructor(
    readonly uri: vscode.Uri,
    readonly totalParams: number | undefined,
    readonly errors: number,
    readonly note?: string,
  ) {}
}

/** Runs a `*.model.ts` module for its shapes (the trusted path, as in the editor). */
export type ModelEvaluator = (fileName: string, text: string) => Promise<ModelAnalysis>;

/** How long the Models view lets a module run for its shapes. */
const modelsViewEvaluationTimeoutMs = 5000;

const evaluateModule: ModelEvaluator = (fileName, text) => {
  // Loaded on first use, as in modelDocuments.ts: JSON-only users never load the compiler.
  const { evaluateTypeScriptModel } = require('../model/evaluate') as typeof import('../model/evaluate');
  return evaluateTypeScriptModel(fileName, text, { timeoutMs: modelsViewEvaluationTimeoutMs });
};

export const RESOLVING_NOTE = 'resolving…';
export const NEEDS_TRUST_NOTE = 'needs a trusted workspace to count';
export const CANNOT_COUNT_NOTE = 'cannot count: see the file';

/** The static reader stopped early (loops, helpers): its totals cover only part of the model. */
function staticallyIncomplete(analysis: ModelAnalysis | undefined): boolean {
  return analysis?.format === 'typescript' && (analysis.ir?.incomplete === true || shouldEvaluate(analysis, true));
}

export interface ModelsTreeOptions {
  /** The open documents' analyses, evaluated ones included (see modelDocuments.ts). */
  documents?: () => ModelDocuments | undefined;
  evaluate?: ModelEvaluator;
  live?: LiveEpochs;
}

export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelNode> {
  private readonly changed = new vscode.EventEmitter<ModelNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly documents: () => ModelDocuments | undefined;
  private readonly evaluate: ModelEvaluator;
  private readonly live: LiveEpochs;

  constructor(
    private readonly catalog: RunCatalog,
    options: ModelsTreeOptions = {},
  ) {
    this.documents = options.documents ?? (() => undefined);
    this.evaluate = options.evaluate ?? evaluateModule;
    this.live = options.live ?? (() => undefined);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
    this.evaluations.clear();
  }

  async getChildren(node?: ModelNode): Promise<ModelNode[]> {
    if (node) return [];
    const uris = await vscode.workspace.findFiles(MODEL_FILE_GLOB, MODEL_FILE_EXCLUDE_GLOB, 500);
    uris.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    return Promise.all(uris.map((uri) => this.modelNode(uri)));
  }

  // The view refreshes whenever a run.json changes (every epoch of a live run); a file is analysed
  // (and, when needed, run) again only when it changed on disk.
  private readonly analysed = new Map<string, { mtimeMs: number; analysis: ModelAnalysis }>();
  private readonly evaluations = new Map<string, { mtimeMs: number; analysis?: ModelAnalysis; failed?: boolean }>();

  private async modelNode(uri: vscode.Uri): Promise<ModelNode> {
    try {
      // An open document: the editor's analysis of the text on screen, evaluated when that was needed.
      const documents = this.documents();
      const open = vscode.workspace.textDocuments.find((document) => document.uri.scheme === 'file' && document.uri.fsPath === uri.fsPath);
      if (documents && open) {
        const analysis = documents.analysisOf(open);
        if (documents.isResolving(open)) return new ModelNode(uri, undefined, 0, RESOLVING_NOTE);
        if (analysis) return nodeFrom(uri, analysis);
      }
      const { mtimeMs } = await stat(uri.fsPath);
      let cached = this.analysed.get(uri.fsPath);
      let text: string | undefined;
      if (!cached || cached.mtimeMs !== mtimeMs) {
        text = await readFile(uri.fsPath, 'utf8');
        cached = { mtimeMs, analysis: analyzeModel(text, uri.fsPath) };
        this.analysed.set(uri.fsPath, cached);
      }
      if (!staticallyIncomplete(cached.analysis)) return nodeFrom(uri, cached.analysis);
      if (!vscode.workspace.isTrusted) return new ModelNode(uri, undefined, 0, NEEDS_TRUST_NOTE);
      const evaluation = this.evaluations.get(uri.fsPath);
      if (evaluation?.mtimeMs === mtimeMs) {
        if (evaluation.analysis) return nodeFrom(uri, evaluation.analysis);
        return new ModelNode(uri, undefined, 0, evaluation.failed ? CANNOT_COUNT_NOTE : RESOLVING_NOTE);
      }
      this.startEvaluation(uri.fsPath, mtimeMs, text ?? (await readFile(uri.fsPath, 'utf8')));
      return new ModelNode(uri, undefined, 0, RESOLVING_NOTE);
    } catch {
      return new ModelNode(uri, undefined, 1);
    }
  }

  private startEvaluation(file: string, mtimeMs: number, text: string): void {
    const pending = { mtimeMs } as { mtimeMs: number; analysis?: ModelAnalysis; failed?: boolean };
    this.evaluations.set(file, pending);
    void Promise.resolve()
      .then(() => this.evaluate(file, text))
      .then(
        (analysis) => {
          pending.analysis = analysis;
        },
        () => {
          pending.failed = true;
        },
      )
      .then(() => {
        if (this.evaluations.get(file) === pending) this.refresh();
      });
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    const item = new vscode.TreeItem(path.basename(node.uri.fsPath), vscode.TreeItemCollapsibleState.None);
    item.id = `modelfile:${node.uri.fsPath}`;
    item.resourceUri = node.uri;
    const parts: string[] = [];
    if (node.totalParams !== undefined) parts.push(`${node.totalParams.toLocaleString('en-US')} params`);
    else if (node.note) parts.push(node.note);
    if (node.errors > 0) parts.push(`${node.errors} error${node.errors === 1 ? '' : 's'}`);
    const runs = this.catalog.runsOf(node.uri.fsPath);
    const last = runs[0];
    if (last) parts.push(lastRunText(last.record, Date.now(), runTitles(runs).get(last), this.live(last.record.id)));
    item.description = parts.join(' · ');
    item.tooltip = `${vscode.workspace.asRelativePath(node.uri)}\n${parts.join('\n')}`;
    item.iconPath = new vscode.ThemeIcon(node.errors > 0 ? 'warning' : 'symbol-class');
    item.contextValue = 'cnnLab.modelFile';
    item.command = { command: 'vscode.open', title: 'Open Model', arguments: [node.uri] };
    return item;
  }
}

/** A node from an analysis: its total only when the analysis covers the whole model. */
function nodeFrom(uri: vscode.Uri, analysis: ModelAnalysis): ModelNode {
  const errors = analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  if (staticallyIncomplete(analysis)) return new ModelNode(uri, undefined, errors, vscode.workspace.isTrusted ? CANNOT_COUNT_NOTE : NEEDS_TRUST_NOTE);
  // With errors the summary stops at the first one: its total would be wrong (the model lens shows none either).
  return new ModelNode(uri, errors > 0 ? undefined : analysis.summary?.totalParams, errors);
}

/** "▶ Train" and the last run's result at the top of every model file. */
export class TrainCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly catalog: RunCatalog,
    private readonly live: LiveEpochs = () => undefined,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = vscode.workspace.isTrusted
      ? [new vscode.CodeLens(top, { title: '▶ Train', command: 'cnnLab.train', arguments: [document.uri], tooltip: 'Train this model (CNN Lab)' })]
      : [];
    const runs = this.catalog.runsOf(document.uri.fsPath);
    const last = runs[0];
    if (last) {
      const title = runTitles(runs).get(last) ?? runTitle(last.record);
      lenses.push(
        new vscode.CodeLens(top, { title: lastRunText(last.record, Date.now(), title, this.live(last.record.id)), command: 'cnnLab.openRun', arguments: [last.record.id], tooltip: `Open run ${title} (${last.record.id})` }),
      );
    }
    return lenses;
  }
}
