// The experiment panel: one webview panel per sweep, on the same page bundle as the run and
// compare panels (dist/webview, strict CSP, nothing posted before `ready`, every message checked).
// It is redrawn whenever the sweep's queue changes experiment.json or a run of it writes run.json
// (each epoch), so it follows a sweep live. "Apply the best values" writes the variant's values
// into the model file as one undoable edit.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentPageData, ExperimentRowData } from '../channels/experiment';
import { isWebviewToHost, whyNotWebviewToHost, type WebviewToHost } from '../channels/webview';
import type { ExperimentFile } from '../runs/experiments';
import type { MetricsLine, RunRecord } from '../runs/format';
import { formatVariantValues } from '../runs/experimentGrouping';
import { runMetric } from '../runs/experimentResults';
import { runDurationMs } from '../runs/grouping';
import { metricKeys } from '../model/sweep';
import { readRun, runsDirFor } from '../runs/store';
import type { Ctx } from './ctx';
import { applyValuesToModelText } from './experimentEdits';
import { panelColumn, panelHtml } from './panel';
import type { RunCatalog } from './runCatalog';
import { runDisplayName } from './runsView';
import type { KnownExperiment, SweepController } from './sweepRunner';

export const EXPERIMENT_VIEW_TYPE = 'cnnLab.experimentPanel';

/** Epoch lines read per run for its curve (a sweep's runs are short; a long one is sampled). */
const CURVE_LINES = 2000;

export interface ExperimentPanelDeps {
  ctx: Ctx;
  catalog: RunCatalog;
  sweeps: SweepController;
}

/** A run's curve of the sweep's metric, per epoch (x: epoch from 1). */
export function metricCurve(metrics: readonly MetricsLine[], metric: ExperimentFile['spec']['metric']): { x: number; y: number }[] {
  const keys = metricKeys(metric);
  return metrics.flatMap((line) => {
    if (line.kind !== 'epoch') return [];
    const key = keys.find((candidate) => typeof line.logs[candidate] === 'number' && Number.isFinite(line.logs[candidate]));
    return key === undefined ? [] : [{ x: line.epoch + 1, y: line.logs[key] }];
  });
}

/** What the page is sent: each variant with its run's result, named as the Runs view names runs. */
export function experimentPageData(
  experiment: ExperimentFile,
  modelFile: string,
  runOf: (runId: string) => { record: RunRecord; name?: string } | undefined,
  curveOf: (runId: string) => { x: number; y: number }[] | undefined,
  now: number,
): ExperimentPageData {
  const rows = experiment.variants.map((variant): ExperimentRowData => {
    const run = variant.runId ? runOf(variant.runId) : undefined;
    const record = run?.record;
    const metric = runMetric(record, experiment.spec.metric);
    const duration = record ? runDurationMs(record, now) : undefined;
    const curve = variant.runId ? curveOf(variant.runId) : undefined;
    return {
      variant: variant.index,
      values: variant.values,
      label: formatVariantValues(variant.values),
      status: variant.status,
      ...(variant.runId ? { runId: variant.runId } : {}),
      ...(run?.name ? { runName: run.name } : {}),
      ...(metric !== undefined ? { metric } : {}),
      ...(record ? { epochsCompleted: record.epochsCompleted, epochsPlanned: record.epochsPlanned } : {}),
      ...(duration !== undefined ? { durationMs: duration } : {}),
      ...(variant.problems?.length ? { problems: variant.problems } : variant.error ? { problems: [variant.error] } : {}),
      ...(curve?.length ? { curve } : {}),
    };
  });
  return { id: experiment.id, name: experiment.name, modelFile, state: experiment.state, method: experiment.spec.method, metric: experiment.spec.metric, keys: Object.keys(experiment.spec.parameters), rows };
}

export class ExperimentPanel {
  private static readonly open = new Map<string, ExperimentPanel>();
  private ready = false;
  /**
   * Each variant's run as its folder holds it (run.json and its curve), read by the panel itself:
   * the run catalog may not have read the last run.json yet when the queue says the variant ended.
   * A finished run is read once; a running one again at each change.
   */
  private readonly runs = new Map<string, { record: RunRecord; curve: { x: number; y: number }[] }>();
  private readonly disposables: vscode.Disposable[] = [];
  private sending: Promise<void> = Promise.resolve();

  /** Opens the sweep's panel, or reveals it when open. */
  static show(deps: ExperimentPanelDeps, experimentId: string): void {
    const existing = ExperimentPanel.open.get(experimentId);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(EXPERIMENT_VIEW_TYPE, 'CNN Lab: Experiment', panelColumn(), ExperimentPanel.options(deps));
    new ExperimentPanel(deps, panel, experimentId);
  }

  static registerSerializer(deps: ExperimentPanelDeps): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(EXPERIMENT_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const experimentId = typeof state === 'object' && state !== null && (state as { kind?: unknown }).kind === 'experiment' ? (state as { experimentId?: unknown }).experimentId : undefined;
        if (typeof experimentId !== 'string' || experimentId === '') {
          panel.dispose();
          return;
        }
        panel.webview.options = ExperimentPanel.options(deps);
        new ExperimentPanel(deps, panel, experimentId);
      },
    });
  }

  private static options(deps: ExperimentPanelDeps): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(deps.ctx.extension.extensionUri, 'dist', 'webview')] };
  }

  private constructor(
    private readonly deps: ExperimentPanelDeps,
    private readonly panel: vscode.WebviewPanel,
    private readonly experimentId: string,
  ) {
    ExperimentPanel.open.set(experimentId, this);
    panel.iconPath = vscode.Uri.joinPath(deps.ctx.extension.extensionUri, 'media', 'cnnlab.svg');
    panel.webview.html = panelHtml(panel.webview, deps.ctx.extension.extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      panel.onDidChangeViewState(() => {
        // A hidden page is torn down; it posts `ready` again when shown.
        if (!panel.visible) this.ready = false;
      }),
      // The list read again (undefined) redraws only a sweep still known: a gone one would read the list again, and again.
      deps.sweeps.onDidChange((experiment) => {
        if (experiment ? experiment.id === experimentId : deps.sweeps.get(experimentId)) this.scheduleSend();
      }),
      deps.catalog.onDidChange(() => this.scheduleSend()),
    );
  }

  private receive(message: unknown): void {
    const invalid = whyNotWebviewToHost(message);
    if (invalid !== undefined || !isWebviewToHost(message)) {
      this.deps.ctx.output.appendLine(`Ignored a message from the experiment panel (${invalid}).`);
      return;
    }
    void this.onMessage(message).catch((error: unknown) => {
      this.deps.ctx.output.appendLine(`Experiment panel: ${message.type} failed: ${String(error)}`);
      void vscode.window.showErrorMessage(`CNN Lab: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async onMessage(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.scheduleSend();
        return;
      case 'openRun':
        await vscode.commands.executeCommand('cnnLab.openRun', message.runId);
        return;
      case 'applyValues':
        await this.applyValues(message.variant);
        return;
      case 'sweepAction':
        await vscode.commands.executeCommand(message.action === 'stop' ? 'cnnLab.stopSweep' : 'cnnLab.continueSweep', this.experimentId);
        return;
      default:
        // The run panel's messages (stop, run actions) mean nothing here.
        return;
    }
  }

  /** Sends are chained: each reads the disk, and the page must get them in order. */
  private scheduleSend(): void {
    this.sending = this.sending.then(() => this.send()).catch((error: unknown) => this.deps.ctx.output.appendLine(`Experiment panel: ${String(error)}`));
  }

  /** The sweep as this window knows it, reading the experiments again when it knows none by this id (a restored panel). */
  private async known(): Promise<KnownExperiment | undefined> {
    if (!this.deps.sweeps.get(this.experimentId)) await this.deps.sweeps.refresh();
    return this.deps.sweeps.get(this.experimentId);
  }

  private async send(): Promise<void> {
    if (!this.ready) return;
    const entry = await this.known();
    if (!entry) {
      this.panel.title = 'CNN Lab: Experiment (gone)';
      return;
    }
    const { experiment } = entry;
    for (const variant of experiment.variants) if (variant.runId) await this.readVariantRun(entry, variant.runId);
    const modelFile = vscode.workspace.asRelativePath(path.resolve(entry.folder.uri.fsPath, experiment.modelFile), false);
    const data = experimentPageData(
      experiment,
      modelFile,
      (runId) => {
        const run = this.runs.get(runId);
        return run ? { record: run.record, name: runDisplayName(this.deps.catalog, runId, run.record) } : undefined;
      },
      (runId) => this.runs.get(runId)?.curve,
      Date.now(),
    );
    this.panel.title = `CNN Lab: ${experiment.name}`;
    if (this.ready) void this.panel.webview.postMessage({ type: 'experiment', experiment: data });
  }

  private async readVariantRun({ folder, experiment }: KnownExperiment, runId: string): Promise<void> {
    if (this.runs.has(runId) && this.runs.get(runId)?.record.status !== 'running') return;
    const runDir = this.deps.catalog.find(runId)?.runDir ?? path.join(runsDirFor(folder.uri.fsPath), runId);
    try {
      const { record, metrics } = await readRun(runDir, { maxLines: CURVE_LINES });
      this.runs.set(runId, { record, curve: metricCurve(metrics, experiment.spec.metric) });
    } catch {
      // Not written yet, or deleted: the row shows its queue status alone.
      this.runs.delete(runId);
    }
  }

  /** Writes the variant's values into the model file: one edit, undone with Ctrl+Z; .model.ts and Keras JSON are refused with what to set by hand. */
  private async applyValues(index: number): Promise<void> {
    const entry = await this.known();
    const variant = entry?.experiment.variants.find((candidate) => candidate.index === index);
    if (!entry || !variant) return;
    const uri = vscode.Uri.file(path.resolve(entry.folder.uri.fsPath, entry.experiment.modelFile));
    const document = await vscode.workspace.openTextDocument(uri);
    const result = applyValuesToModelText(document.getText(), path.basename(uri.fsPath), variant.values);
    if ('problem' in result) {
      void vscode.window.showWarningMessage(`CNN Lab: ${result.problem}`);
      return;
    }
    const replacement = result.replacement;
    if (!replacement) {
      void vscode.window.showInformationMessage(`CNN Lab: ${path.basename(uri.fsPath)} already holds these values.`);
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    const start = document.positionAt(replacement.offset);
    const end = document.positionAt(replacement.offset + replacement.length);
    edit.replace(uri, new vscode.Range(start.line, start.character, end.line, end.character), replacement.newText);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`${path.basename(uri.fsPath)} could not be edited (is it read-only?).`);
    await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.One });
    void vscode.window.showInformationMessage(`CNN Lab: wrote variant ${index + 1}'s values into ${path.basename(uri.fsPath)} (undo with Ctrl+Z; save to keep them).`);
  }

  private dispose(): void {
    ExperimentPanel.open.delete(this.experimentId);
    for (const item of this.disposables.splice(0)) item.dispose();
  }
}
