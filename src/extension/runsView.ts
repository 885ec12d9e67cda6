// The sidebar: Runs (grouped by model file) and Models (the workspace's model files with their
// size and last result), plus the "▶ Train" and "last run" CodeLenses on model files.

import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { analyzeModel } from '../model';
import type { RunRecord, RunStatus } from '../protocol';
import { describeMetricsInfo, type MetricsCount } from '../runs/store';
import { bestValAccuracy, describeRun, formatAccuracy, formatDuration, formatRelativeTime, groupRunsByModel, runDurationMs, runTitle } from '../runs/grouping';
import type { RunCatalog, RunEntry, UnreadableRun } from './runCatalog';

export const MODEL_FILE_GLOB = '**/*.{model.json,model.ts}';
const EXCLUDE_GLOB = '**/{node_modules,.cnnlab,dist,out}/**';

const STATUS_ICONS: Record<RunStatus, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  stopped: new vscode.ThemeIcon('debug-stop', new vscode.ThemeColor('charts.yellow')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  interrupted: new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.orange')),
};

export class ModelGroupNode {
  constructor(readonly modelPath: string, readonly runs: RunNode[]) {}
}

export class RunNode {
  constructor(readonly entry: RunEntry) {}
  get runId(): string {
    return this.entry.record.id;
  }
}

/** A folder under `.cnnlab/runs` that cannot be read as a run: one row that says why. */
export class UnreadableRunNode {
  constructor(readonly unreadable: UnreadableRun) {}
}

export type RunsTreeNode = ModelGroupNode | RunNode | UnreadableRunNode;

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsTreeNode> {
  private readonly changed = new vscode.EventEmitter<RunsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly catalog: RunCatalog) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  async getChildren(node?: RunsTreeNode): Promise<RunsTreeNode[]> {
    if (node instanceof RunNode || node instanceof UnreadableRunNode) return [];
    if (node instanceof ModelGroupNode) return node.runs;
    const entries = await this.catalog.ready();
    const entryOf = new Map(entries.map((entry) => [entry.record, entry]));
    const pathOf = (record: RunRecord): string => entryOf.get(record)?.modelPath ?? record.modelFile;
    const groups: RunsTreeNode[] = groupRunsByModel(entries.map((entry) => entry.record), Date.now(), pathOf).map(
      (group) =>
        new ModelGroupNode(
          group.modelFile,
          group.runs.map((row) => new RunNode(entryOf.get(row.record) as RunEntry)),
        ),
    );
    return [...groups, ...this.catalog.unreadable.map((unreadable) => new UnreadableRunNode(unreadable))];
  }

  getTreeItem(node: RunsTreeNode): vscode.TreeItem {
    if (node instanceof UnreadableRunNode) return unreadableRunItem(node.unreadable);
    if (node instanceof ModelGroupNode) {
      const item = new vscode.TreeItem(path.basename(node.modelPath), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `model:${node.modelPath}`;
      item.description = `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}`;
      item.tooltip = node.modelPath;
      item.resourceUri = vscode.Uri.file(node.modelPath);
      item.iconPath = new vscode.ThemeIcon('symbol-class');
      item.contextValue = 'cnnLab.modelGroup';
      return item;
    }
    const record = node.entry.record;
    const now = Date.now();
    const item = new vscode.TreeItem(runTitle(record), vscode.TreeItemCollapsibleState.None);
    item.id = `run:${node.entry.runDir}`;
    item.description = record.status === 'running' ? `running · epoch ${record.epochsCompleted}/${record.epochsPlanned} · ${record.dataset}` : describeRun(record, now);
    // The tooltip is built on hover (resolveTreeItem): it counts the unreadable lines of metrics.jsonl.
    item.iconPath = STATUS_ICONS[record.status];
    // `run-<status>` drives which context-menu actions appear (see package.json menus).
    item.contextValue = `run-${record.status}`;
    item.accessibilityInformation = { label: `Run ${runTitle(record)}, ${record.status}, ${describeRun(record, now)}` };
    item.command = { command: 'cnnLab.openRun', title: 'Open Run', arguments: [node] };
    return item;
  }

  /** Called on hover for a row without a tooltip: the run's tooltip, with what metrics.jsonl holds. */
  async resolveTreeItem(item: vscode.TreeItem, node: RunsTreeNode): Promise<vscode.TreeItem> {
    if (node instanceof RunNode) item.tooltip = runTooltip(node.entry.record, Date.now(), await this.catalog.metricsCount(node.entry));
    return item;
  }
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
 * `text` as Markdown that shows exactly `text`: every ASCII punctuation character backslash-escaped
 * (CommonMark allows it for all of them), so no link, image, autolink, HTML, entity, emphasis, code
 * or theme icon can come out of a name read from the workspace; line breaks and other control
 * characters become spaces, so it cannot start a new block (a heading, a link definition).
 */
export function escapeMarkdown(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/**
 * The Runs view tooltip. Everything in it but the field names comes from run.json and
 * metrics.jsonl, which a cloned repository may carry: each such text is escaped (`escapeMarkdown`),
 * and the Markdown is untrusted (no command links) with HTML off.
 */
export function runTooltip(record: RunRecord, now: number, metrics?: MetricsCount): vscode.MarkdownString {
  const duration = runDurationMs(record, now);
  const text = (value: unknown): string => escapeMarkdown(String(value));
  const metricsNote = metrics ? describeMetricsInfo(metrics) : undefined;
  const lines = [
    `**${text(runTitle(record))}** — ${text(record.status)}`,
    '',
    `- id: ${text(record.id)}`,
    `- model: ${text(record.modelFile)}`,
    `- dataset: ${text(record.dataset)}`,
    `- epochs: ${text(record.epochsCompleted)} / ${text(record.epochsPlanned)}`,
    `- best val\\_acc: ${text(formatAccuracy(bestValAccuracy(record)))}`,
    record.evaluation ? `- test accuracy: ${text(record.evaluation.accuracy.toFixed(4))}` : undefined,
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

/** "last run: val_acc 0.912 · 3 min ago" */
export function lastRunText(record: RunRecord, now: number): string {
  const best = bestValAccuracy(record);
  const result = record.status === 'running' ? `running, epoch ${record.epochsCompleted}/${record.epochsPlanned}` : best !== undefined ? `val_acc ${formatAccuracy(best)}` : record.status;
  return `last run: ${result} · ${formatRelativeTime(record.startedAt, now)}`;
}

export class ModelNode {
  constructor(readonly uri: vscode.Uri, readonly totalParams: number | undefined, readonly errors: number) {}
}

export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelNode> {
  private readonly changed = new vscode.EventEmitter<ModelNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly catalog: RunCatalog) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  async getChildren(node?: ModelNode): Promise<ModelNode[]> {
    if (node) return [];
    const uris = await vscode.workspace.findFiles(MODEL_FILE_GLOB, EXCLUDE_GLOB, 500);
    uris.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    return Promise.all(uris.map((uri) => this.modelNode(uri)));
  }

  // The view refreshes whenever a run.json changes (every epoch of a live run); a file is analysed
  // again only when it changed on disk.
  private readonly analysed = new Map<string, { mtimeMs: number; node: ModelNode }>();

  private async modelNode(uri: vscode.Uri): Promise<ModelNode> {
    try {
      const { mtimeMs } = await stat(uri.fsPath);
      const cached = this.analysed.get(uri.fsPath);
      if (cached && cached.mtimeMs === mtimeMs) return cached.node;
      const analysis = analyzeModel(await readFile(uri.fsPath, 'utf8'), uri.fsPath);
      const errors = analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
      const node = new ModelNode(uri, analysis.summary?.totalParams, errors);
      this.analysed.set(uri.fsPath, { mtimeMs, node });
      return node;
    } catch {
      return new ModelNode(uri, undefined, 1);
    }
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    const item = new vscode.TreeItem(path.basename(node.uri.fsPath), vscode.TreeItemCollapsibleState.None);
    item.id = `modelfile:${node.uri.fsPath}`;
    item.resourceUri = node.uri;
    const parts: string[] = [];
    if (node.totalParams !== undefined) parts.push(`${node.totalParams.toLocaleString('en-US')} params`);
    if (node.errors > 0) parts.push(`${node.errors} error${node.errors === 1 ? '' : 's'}`);
    const last = this.catalog.runsOf(node.uri.fsPath)[0];
    if (last) parts.push(lastRunText(last.record, Date.now()));
    item.description = parts.join(' · ');
    item.tooltip = `${vscode.workspace.asRelativePath(node.uri)}\n${parts.join('\n')}`;
    item.iconPath = new vscode.ThemeIcon(node.errors > 0 ? 'warning' : 'symbol-class');
    item.contextValue = 'cnnLab.modelFile';
    item.command = { command: 'vscode.open', title: 'Open Model', arguments: [node.uri] };
    return item;
  }
}

/** "▶ Train" and the last run's result at the top of every model file. */
export class TrainCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly catalog: RunCatalog) {}

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
    const last = this.catalog.runsOf(document.uri.fsPath)[0];
    if (last) {
      lenses.push(new vscode.CodeLens(top, { title: lastRunText(last.record, Date.now()), command: 'cnnLab.openRun', arguments: [last.record.id], tooltip: `Open run ${runTitle(last.record)}` }));
    }
    return lenses;
  }
}
