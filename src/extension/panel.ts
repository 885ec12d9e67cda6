// The training panel host: one webview panel per run (live or from disk) or per comparison.
// Follows the webview-sample pattern: `createOrShow`-style entry points, a strict CSP with a
// nonce, `localResourceRoots` limited to dist/webview, nothing posted before the page's
// `ready`, and a serializer so panels come back after a window reload.
//
// The page is not kept alive while hidden (no `retainContextWhenHidden`): every `ready`
// rebuilds it from the run on disk plus the live session's events, which costs less memory
// than a hidden page holding 100k points, and is the same path a reload takes.
//
// A run's metrics reach the page as a sample of at most PANEL_METRICS_LINES batch lines and as many
// epoch lines (every line of any ordinary run; a history of millions of lines evenly thinned, its
// first and last lines and each epoch's last batch kept): the page draws at most a few thousand
// points per series anyway, and a whole 1 GB history would not fit in a message. metrics.jsonl is
// streamed, never read as one string; what was skipped or thinned is said on the page.
//
// Misclassified examples reach the page as data: URIs read by the host: the run folder is in
// the workspace, and widening `localResourceRoots` to it for a few small PNGs is not worth it.

import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostToWebview, MetricsLine, PanelRunAction, RunRecord, TrainerEvent, WebviewToHost } from '../protocol';
import { readMisclassifiedImages } from '../runs/images';
import { describeMetricsInfo, readRun, readRunRecord, type MetricsInfo } from '../runs/store';
import { runTitle } from '../runs/grouping';
import type { Ctx } from './ctx';
import type { RunCatalog } from './runCatalog';
import type { TrainerManager, TrainingSession } from './trainerManager';

export const PANEL_VIEW_TYPE = 'cnnLab.runPanel';

/** Most batch lines (and most epoch lines) of one run sent to the page. */
export const PANEL_METRICS_LINES = 20_000;

/** A run as the panel reads it: a bounded sample of its metrics, and what the page should say about them. */
export async function readRunForPanel(runDir: string, maxLines = PANEL_METRICS_LINES): Promise<{ record: RunRecord; metrics: MetricsLine[]; notes: string[]; metricsInfo: MetricsInfo }> {
  const { record, metrics, metricsInfo } = await readRun(runDir, { maxLines });
  const note = describeMetricsInfo(metricsInfo);
  return { record, metrics, notes: note ? [`${note}.`] : [], metricsInfo };
}

export interface PanelDeps {
  ctx: Ctx;
  catalog: RunCatalog;
  trainer: TrainerManager;
  runAction(runId: string, action: PanelRunAction): void;
}

export interface StartingRun {
  modelFile: string;
  dataset: string;
  epochs: number;
}

type Target =
  | { kind: 'run'; runId: string }
  | { kind: 'compare'; runIds: string[] }
  /** A run being started from this window; its id comes with the trainer's `started` event. */
  | { kind: 'training'; starting: StartingRun; session?: TrainingSession; startError?: string; stopRequested?: boolean };

export class RunPanel {
  private static readonly open = new Set<RunPanel>();

  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  private sessionSubscription: vscode.Disposable | undefined;

  /** Shows a run from disk (live or not), revealing its panel when one is open. */
  static showRun(deps: PanelDeps, runId: string): void {
    const existing = [...RunPanel.open].find((panel) => panel.runId === runId);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'CNN Lab', vscode.ViewColumn.Active, RunPanel.options(deps));
    new RunPanel(deps, panel, { kind: 'run', runId });
  }

  static showCompare(deps: PanelDeps, runIds: string[]): void {
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'CNN Lab: Compare', vscode.ViewColumn.Active, RunPanel.options(deps));
    new RunPanel(deps, panel, { kind: 'compare', runIds });
  }

  /** Opens at once on a run being started, and follows it when `start` resolves. */
  static showTraining(deps: PanelDeps, starting: StartingRun, start: Promise<TrainingSession>): void {
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, `CNN Lab: ${path.basename(starting.modelFile)}`, vscode.ViewColumn.Beside, RunPanel.options(deps));
    const instance = new RunPanel(deps, panel, { kind: 'training', starting });
    start.then(
      (session) => instance.attach(session),
      (error: unknown) => instance.startFailed(error instanceof Error ? error.message : String(error)),
    );
  }

  /** Closes the panels showing a run (after it was deleted). */
  static closeRun(runId: string): void {
    for (const panel of [...RunPanel.open]) if (panel.runId === runId) panel.panel.dispose();
  }

  static registerSerializer(deps: PanelDeps): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        panel.webview.options = RunPanel.options(deps);
        const target = persistedTarget(state);
        if (target) {
          new RunPanel(deps, panel, target);
          return;
        }
        // A panel closed before its run had an id: there is nothing to restore.
        panel.dispose();
      },
    });
  }

  private static options(deps: PanelDeps): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(deps.ctx.extension.extensionUri, 'dist', 'webview')],
    };
  }

  private constructor(private readonly deps: PanelDeps, private readonly panel: vscode.WebviewPanel, private target: Target) {
    RunPanel.open.add(this);
    panel.iconPath = vscode.Uri.joinPath(deps.ctx.extension.extensionUri, 'media', 'cnnlab.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: WebviewToHost) => void this.onMessage(message)),
      panel.onDidChangeViewState(() => {
        // A hidden page is torn down; it posts `ready` again when shown.
        if (!panel.visible) this.ready = false;
      }),
      deps.trainer.onDidChangeSessions(() => {
        if (this.target.kind === 'run' && !this.sessionSubscription) void this.followLiveSession();
      }),
    );
    this.updateTitle();
  }

  private get runId(): string | undefined {
    if (this.target.kind === 'run') return this.target.runId;
    if (this.target.kind === 'training') return this.target.session?.runId;
    return undefined;
  }

  private attach(session: TrainingSession): void {
    if (this.target.kind !== 'training') return;
    this.target.session = session;
    this.subscribe(session);
    // Stop was pressed while the trainer was still starting.
    if (this.target.stopRequested) void session.stop();
    void this.sendAll();
  }

  private startFailed(message: string): void {
    if (this.target.kind !== 'training') return;
    this.target.startError = message;
    void this.sendAll();
  }

  private subscribe(session: TrainingSession): void {
    this.sessionSubscription?.dispose();
    this.sessionSubscription = session.onEvent((event) => void this.onTrainerEvent(event));
  }

  private async onTrainerEvent(event: TrainerEvent): Promise<void> {
    if (event.type === 'started') this.updateTitle();
    this.post({ type: 'event', event });
    if (event.type === 'finished' || event.type === 'failed') {
      this.post({ type: 'live', canStop: false });
      // The record on disk now holds the final metrics and evaluation; the images come with it.
      const runId = this.runId;
      if (runId) await this.sendImages(runId);
    }
  }

  private liveSession(runId: string): TrainingSession | undefined {
    return this.deps.trainer.sessions.find((session) => session.runId === runId);
  }

  /** A run opened from disk that this window is training: follow its events too. */
  private async followLiveSession(): Promise<void> {
    if (this.target.kind !== 'run') return;
    const session = this.liveSession(this.target.runId);
    if (!session) return;
    this.subscribe(session);
    for (const event of session.events) this.post({ type: 'event', event });
    this.post({ type: 'live', canStop: true });
  }

  private async onMessage(message: WebviewToHost): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          this.ready = true;
          await this.sendAll();
          return;
        case 'stop':
          await this.stop();
          return;
        case 'runAction':
          this.deps.runAction(message.runId, message.action);
          return;
      }
    } catch (error) {
      this.deps.ctx.output.appendLine(`Panel: ${message.type} failed: ${String(error)}`);
      void vscode.window.showErrorMessage(`CNN Lab: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async stop(): Promise<void> {
    if (this.target.kind === 'training' && !this.target.session) {
      this.target.stopRequested = true;
      return;
    }
    const session = this.target.kind === 'training' ? this.target.session : this.runId ? this.liveSession(this.runId) : undefined;
    if (session) await session.stop();
    else void vscode.window.showWarningMessage('CNN Lab: this run is not being trained by this window; stop it where it was started.');
  }

  /** Everything the page needs from scratch: after `ready`, and when a session attaches. */
  private async sendAll(): Promise<void> {
    if (!this.ready) return;
    const target = this.target;
    switch (target.kind) {
      case 'run': {
        const entry = await this.deps.catalog.lookup(target.runId);
        if (!entry) {
          this.post({ type: 'event', event: { type: 'failed', message: `Run ${target.runId} was not found on disk.`, hint: 'It may have been deleted; refresh the Runs view.' } });
          return;
        }
        const { record, metrics, notes } = await readRunForPanel(entry.runDir);
        this.post({ type: 'load', record, metrics, ...(notes.length > 0 ? { notes } : {}) });
        this.updateTitle(runTitle(record));
        await this.sendImages(target.runId);
        this.sessionSubscription?.dispose();
        this.sessionSubscription = undefined;
        await this.followLiveSession();
        return;
      }
      case 'compare': {
        const runs = [];
        for (const runId of target.runIds) {
          const entry = await this.deps.catalog.lookup(runId);
          if (!entry) continue;
          const { record, metrics, notes } = await readRunForPanel(entry.runDir);
          runs.push({ record, metrics, ...(notes.length > 0 ? { notes } : {}) });
        }
        this.post({ type: 'compare', runs });
        return;
      }
      case 'training': {
        this.post({ type: 'starting', ...target.starting });
        if (target.startError) {
          this.post({ type: 'event', event: { type: 'failed', message: target.startError } });
          return;
        }
        const session = target.session;
        if (!session) {
          // Stop works already: it is passed on when the trainer has started.
          this.post({ type: 'live', canStop: true });
          return;
        }
        for (const event of session.events) this.post({ type: 'event', event });
        const finished = session.events.some((event) => event.type === 'finished' || event.type === 'failed');
        this.post({ type: 'live', canStop: !finished });
        if (finished && session.runId) await this.sendImages(session.runId);
        return;
      }
    }
  }

  private async sendImages(runId: string): Promise<void> {
    const entry = await this.deps.catalog.lookup(runId);
    if (!entry) return;
    // The record alone: no need to read the metrics again.
    const record = await readRunRecord(entry.runDir);
    const images = await readMisclassifiedImages(entry.runDir, record);
    if (images.length > 0) this.post({ type: 'images', runId, images });
  }

  private post(message: HostToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private updateTitle(title?: string): void {
    const target = this.target;
    if (target.kind === 'compare') this.panel.title = `CNN Lab: Compare ${target.runIds.length} runs`;
    else if (title) this.panel.title = `CNN Lab: ${title}`;
    else if (this.runId) this.panel.title = `CNN Lab: ${this.runId}`;
  }

  private html(): string {
    const webview = this.panel.webview;
    const root = vscode.Uri.joinPath(this.deps.ctx.extension.extensionUri, 'dist', 'webview');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css'));
    const nonce = randomBytes(16).toString('base64');
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${style.toString()}">
  <title>CNN Lab</title>
</head>
<body>
  <div id="root"></div>
  <script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  private dispose(): void {
    RunPanel.open.delete(this);
    this.sessionSubscription?.dispose();
    for (const item of this.disposables.splice(0)) item.dispose();
  }
}

function persistedTarget(state: unknown): Target | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const value = state as Partial<Record<string, unknown>>;
  if (value.kind === 'run' && typeof value.runId === 'string' && value.runId !== '') return { kind: 'run', runId: value.runId };
  if (value.kind === 'compare' && Array.isArray(value.runIds)) {
    const runIds = value.runIds.filter((id): id is string => typeof id === 'string' && id !== '');
    if (runIds.length > 0) return { kind: 'compare', runIds };
  }
  return undefined;
}
