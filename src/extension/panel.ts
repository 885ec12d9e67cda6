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
import { access } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrainerEvent } from '../channels/trainer';
import { isWebviewToHost, whyNotWebviewToHost, type HostToWebview, type PanelRunAction, type WebviewToHost } from '../channels/webview';
import type { MetricsLine, RunRecord } from '../runs/format';
import { readMisclassifiedImages } from '../runs/images';
import { describeMetricsInfo, readRun, readRunRecord, resolveRunFile, RUN_FILE, type MetricsInfo } from '../runs/store';
import { runTitle } from '../runs/grouping';
import { runDisplayName } from './runsView';
import type { Ctx } from './ctx';
import { PanelInside } from './insideClient';
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

/**
 * The editor column a new CNN Lab panel (run, compare, doctor) opens in: beside the active editor
 * (the model) while no CNN Lab panel is open, else the column of the CNN Lab panel last shown, so
 * every run and comparison shares one group instead of opening a new one each time.
 */
export function panelColumn(): vscode.ViewColumn {
  return RunPanel.sharedColumn() ?? vscode.ViewColumn.Beside;
}

/** Whether the run folder still holds its run.json (false once the run was deleted). */
async function runFolderExists(runDir: string): Promise<boolean> {
  try {
    await access(path.join(runDir, RUN_FILE));
    return true;
  } catch {
    return false;
  }
}

/** A saved model the Export Model command would find (`model/best`, else `model/last`). */
async function hasSavedModel(runDir: string): Promise<boolean> {
  for (const which of ['best', 'last']) {
    if (await resolveRunFile(runDir, path.join('model', which, 'model.json'))) return true;
  }
  return false;
}

type Target =
  | { kind: 'run'; runId: string }
  | { kind: 'compare'; runIds: string[] }
  /** A run being started from this window; its id comes with the trainer's `started` event. */
  | { kind: 'training'; starting: StartingRun; session?: TrainingSession; startError?: string; stopRequested?: boolean };

export class RunPanel {
  private static readonly open = new Set<RunPanel>();
  /** The CNN Lab panel shown last (open or not; `sharedColumn` checks). */
  private static lastShown: RunPanel | undefined;

  /** The column of the CNN Lab panel shown last, while one is open. */
  static sharedColumn(): vscode.ViewColumn | undefined {
    const last = RunPanel.lastShown && RunPanel.open.has(RunPanel.lastShown) ? RunPanel.lastShown : [...RunPanel.open].at(-1);
    return last?.panel.viewColumn ?? last?.column;
  }

  private ready = false;
  /** Column last reported for this panel (viewColumn is undefined while it is hidden in some hosts). */
  private column: vscode.ViewColumn | undefined;
  /** The run folder shown, once known: to notice it was deleted. */
  private runDir: string | undefined;
  /** Where the run was, once it is known to be gone. */
  private goneFolder: string | undefined;
  /** Trainer events are handled one at a time, in order (some read the disk first). */
  private eventChain: Promise<void> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];
  private sessionSubscription: vscode.Disposable | undefined;
  /** The run's name last put in the tab title and on the page (`cnn #3`, or its label). */
  private shownName: string | undefined;
  /** Compare: each run's name as last shown (to name a run deleted since), and the names last sent. */
  private readonly compareNames = new Map<string, string>();
  private sentCompareNames: string | undefined;
  /** The Inside tab's looks, each in a child process. */
  private readonly inside: PanelInside;

  /** Shows a run from disk (live or not), revealing its panel when one is open. */
  static showRun(deps: PanelDeps, runId: string): void {
    const existing = [...RunPanel.open].find((panel) => panel.runId === runId);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'CNN Lab', panelColumn(), RunPanel.options(deps));
    new RunPanel(deps, panel, { kind: 'run', runId });
  }

  static showCompare(deps: PanelDeps, runIds: string[]): void {
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'CNN Lab: Compare', panelColumn(), RunPanel.options(deps));
    new RunPanel(deps, panel, { kind: 'compare', runIds });
  }

  /** Opens at once on a run being started, and follows it when `start` resolves. */
  static showTraining(deps: PanelDeps, starting: StartingRun, start: Promise<TrainingSession>): void {
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, `CNN Lab: ${path.basename(starting.modelFile)}`, panelColumn(), RunPanel.options(deps));
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
    RunPanel.lastShown = this;
    this.column = panel.viewColumn;
    this.inside = new PanelInside({ ctx: deps.ctx, runtime: () => deps.trainer.runtimes.resolve(), post: (message) => this.post(message) });
    panel.iconPath = vscode.Uri.joinPath(deps.ctx.extension.extensionUri, 'media', 'cnnlab.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      panel.onDidChangeViewState(() => {
        // A hidden page is torn down; it posts `ready` again when shown.
        if (!panel.visible) this.ready = false;
        if (panel.viewColumn !== undefined) this.column = panel.viewColumn;
        if (panel.active) RunPanel.lastShown = this;
      }),
      deps.trainer.onDidChangeSessions(() => {
        if (this.target.kind === 'run' && !this.sessionSubscription) void this.followLiveSession();
      }),
      // A run deleted outside the Runs view (a file manager, the CLI, another window) leaves the catalog too.
      deps.catalog.onDidChange(() => void this.checkGone()),
      // A rename (or a run deleted from a comparison): the tab title, the page's heading, the legends.
      deps.catalog.onDidChange(() => this.refreshNames()),
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
    this.sessionSubscription = session.onEvent((event) => {
      this.eventChain = this.eventChain.then(() => this.onTrainerEvent(event)).catch((error: unknown) => this.deps.ctx.output.appendLine(`Panel: trainer event failed: ${String(error)}`));
    });
  }

  private async onTrainerEvent(event: TrainerEvent): Promise<void> {
    if (event.type === 'started') {
      this.runDir = event.runDir;
      // A resumed run: the earlier run's curve is already in this run's folder; draw it before the new steps.
      if (this.target.kind === 'training' && (await this.sendResumedHistory(event.runDir))) this.post({ type: 'live', canStop: true });
    }
    this.post({ type: 'event', event });
    if (event.type === 'started') {
      // Named as the Runs view names it (`cnn #3`), once the catalog has read its run.json; never by its id.
      await this.deps.catalog.lookup(event.runId);
      this.showName(true);
    }
    if (event.type === 'failed' && (await this.findFailedEarly(event))) this.showName(true);
    if (event.type === 'finished' || event.type === 'failed') {
      this.post({ type: 'live', canStop: false });
      // The record on disk now holds the final metrics and evaluation; the images come with it.
      const runId = this.runId;
      if (runId) {
        await this.sendImages(runId);
        await this.sendFiles(runId);
      }
    }
  }

  /**
   * A run that failed before the trainer said `started` (its dataset could not be loaded) still has
   * a folder and a run.json: found by the failed record's id, so that it can be named, noticed when
   * deleted, and closed with its run. True when the folder was found.
   */
  private async findFailedEarly(event: Extract<TrainerEvent, { type: 'failed' }>): Promise<boolean> {
    if (this.runDir || !event.record) return false;
    const entry = await this.deps.catalog.lookup(event.record.id);
    if (!entry) return false;
    this.runDir = entry.runDir;
    return true;
  }

  /** For a run that resumes another: its history from disk and the earlier run's name. True when it was one. */
  private async sendResumedHistory(runDir: string): Promise<boolean> {
    let loaded;
    try {
      loaded = await readRunForPanel(runDir);
    } catch {
      return false;
    }
    if (!loaded.record.resumedFrom) return false;
    this.post({ type: 'load', record: loaded.record, metrics: loaded.metrics, ...(loaded.notes.length > 0 ? { notes: loaded.notes } : {}) });
    await this.sendContinues(loaded.record);
    return true;
  }

  private async sendContinues(record: RunRecord): Promise<void> {
    const earlier = record.resumedFrom;
    if (!earlier) return;
    const entry = await this.deps.catalog.lookup(earlier);
    this.post({ type: 'continues', runId: record.id, from: { runId: earlier, title: entry ? (runDisplayName(this.deps.catalog, earlier, entry.record) ?? runTitle(entry.record)) : earlier, exists: entry !== undefined } });
  }

  private async sendFiles(runId: string): Promise<void> {
    const runDir = this.runDir ?? (await this.deps.catalog.lookup(runId))?.runDir;
    if (!runDir) return;
    this.post({ type: 'files', runId, savedModel: await hasSavedModel(runDir) });
  }

  /**
   * Whether the run on screen is gone from disk; when it is (first noticed), the page says so and
   * offers only Close. Runs not yet named (a run still starting) are never gone.
   */
  private async checkGone(): Promise<boolean> {
    if (this.goneFolder !== undefined) return true;
    if (this.target.kind === 'compare' || !this.runDir) return false;
    if (await runFolderExists(this.runDir)) return false;
    this.markGone(this.runDir);
    return true;
  }

  private markGone(folder: string): void {
    this.goneFolder = folder;
    this.sessionSubscription?.dispose();
    this.sessionSubscription = undefined;
    this.post({ type: 'gone', ...(this.runId ? { runId: this.runId } : {}), folder: this.displayFolder(folder) });
    // Noticed by the panel first (an action, a reveal, a restore: the file watcher may miss a
    // deletion, or the window was closed): the Runs view is read again so that it drops the run too.
    this.deps.catalog.scheduleRefresh();
  }

  /** The run folder as the user knows it: relative to the workspace when inside it. */
  private displayFolder(folder: string): string {
    const relative = vscode.workspace.asRelativePath?.(folder, false);
    return relative ?? folder;
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

  /** The page's messages are checked before anything acts on them: the page is web content. */
  private receive(message: unknown): void {
    const invalid = whyNotWebviewToHost(message);
    if (invalid !== undefined || !isWebviewToHost(message)) {
      this.deps.ctx.output.appendLine(`Ignored a message from a CNN Lab panel (${invalid}).`);
      return;
    }
    void this.onMessage(message);
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
          // A run deleted since the page was drawn: say so rather than do nothing.
          if (await this.checkGone()) return;
          this.deps.runAction(message.runId, message.action);
          return;
        case 'openRun':
          await vscode.commands.executeCommand('cnnLab.openRun', message.runId);
          return;
        case 'close':
          this.panel.dispose();
          return;
        case 'inside':
          await this.lookInside(message);
          return;
      }
    } catch (error) {
      this.deps.ctx.output.appendLine(`Panel: ${message.type} failed: ${String(error)}`);
      void vscode.window.showErrorMessage(`CNN Lab: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The Inside tab of the run on screen (a request for another run, from a stale page, is ignored). */
  private async lookInside(message: Extract<WebviewToHost, { type: 'inside' }>): Promise<void> {
    if (message.runId !== this.runId || (await this.checkGone())) return;
    const runDir = this.runDir ?? (await this.deps.catalog.lookup(message.runId))?.runDir;
    if (runDir) await this.inside.handle(message, runDir);
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

  /**
   * Everything the page needs from scratch: after `ready`, and when a session attaches. Never
   * rejects: a run folder deleted while it is read (by the Runs view, a file manager, the CLI) makes
   * the page say the run is gone; any other failure is logged, and the page keeps what it has.
   */
  private async sendAll(): Promise<void> {
    try {
      await this.sendEverything();
    } catch (error) {
      if (await this.checkGone()) return;
      this.deps.ctx.output.appendLine(`CNN Lab panel: could not show the run: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async sendEverything(): Promise<void> {
    if (!this.ready) return;
    const target = this.target;
    if (this.goneFolder !== undefined) {
      this.post({ type: 'gone', ...(this.runId ? { runId: this.runId } : {}), folder: this.displayFolder(this.goneFolder) });
      return;
    }
    switch (target.kind) {
      case 'run': {
        const entry = await this.deps.catalog.lookup(target.runId);
        if (!entry || !(await runFolderExists(entry.runDir))) {
          // Deleted, or missing when the panel was restored after a reload.
          this.markGone(entry?.runDir ?? this.runDir ?? path.join('.cnnlab', 'runs', target.runId));
          return;
        }
        this.runDir = entry.runDir;
        const { record, metrics, notes } = await readRunForPanel(entry.runDir);
        this.post({ type: 'load', record, metrics, ...(notes.length > 0 ? { notes } : {}) });
        this.showName(true, runDisplayName(this.deps.catalog, record.id, record) ?? runTitle(record));
        await this.sendContinues(record);
        await this.sendFiles(target.runId);
        await this.sendImages(target.runId);
        this.sessionSubscription?.dispose();
        this.sessionSubscription = undefined;
        await this.followLiveSession();
        return;
      }
      case 'compare': {
        const runs = [];
        // Runs deleted since they were picked (or before a reload restored the panel) are named on the page, not dropped silently.
        const missing: { runId: string; name: string }[] = [];
        for (const runId of target.runIds) {
          const entry = await this.deps.catalog.lookup(runId);
          const loaded = entry && (await runFolderExists(entry.runDir)) ? await readRunForPanel(entry.runDir) : undefined;
          if (!loaded) {
            missing.push({ runId, name: this.compareNames.get(runId) ?? runId });
            continue;
          }
          const { record, metrics, notes } = loaded;
          const name = runDisplayName(this.deps.catalog, record.id, record) ?? runTitle(record);
          this.compareNames.set(runId, name);
          runs.push({ record, metrics, name, ...(notes.length > 0 ? { notes } : {}) });
        }
        this.sentCompareNames = this.compareNamesKey();
        this.post({ type: 'compare', runs, ...(missing.length > 0 ? { missing } : {}) });
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
        const started = session.events.find((event) => event.type === 'started');
        if (started?.type === 'started') {
          this.runDir = started.runDir;
          // A resumed run's earlier curve comes from disk, the events after it.
          await this.sendResumedHistory(started.runDir);
        }
        for (const event of session.events) this.post({ type: 'event', event });
        const failed = session.events.find((event) => event.type === 'failed');
        if (failed?.type === 'failed') await this.findFailedEarly(failed);
        // Its folder is known once it started, or failed before that with a run.json.
        if (this.runDir) this.showName(true);
        const finished = session.events.some((event) => event.type === 'finished' || event.type === 'failed');
        this.post({ type: 'live', canStop: !finished });
        if (finished && session.runId) {
          await this.sendImages(session.runId);
          await this.sendFiles(session.runId);
        } else if (session.events.some((event) => event.type === 'checkpoint') && session.runId) {
          await this.sendFiles(session.runId);
        }
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
    if (target.kind === 'compare') {
      this.panel.title = `CNN Lab: Compare ${target.runIds.length} runs`;
      return;
    }
    // Until the run is known by name the tab keeps the model file's name: the id is for tooltips only.
    const name = title ?? (this.runId ? runDisplayName(this.deps.catalog, this.runId) : undefined);
    if (name) this.panel.title = `CNN Lab: ${name}`;
  }

  /**
   * Puts the run's name (as the Runs view shows it) in the tab title and on the page: `force` after
   * the page was (re)drawn, else only when it changed (a rename). `name`: a fresher one than the catalog's.
   */
  private showName(force: boolean, name?: string): void {
    const runId = this.runId;
    if (this.target.kind === 'compare' || !runId) return;
    const current = name ?? runDisplayName(this.deps.catalog, runId);
    if (!current || (!force && current === this.shownName)) return;
    this.shownName = current;
    this.updateTitle(current);
    this.post({ type: 'name', runId, name: current });
  }

  /** The compared runs' names as the catalog has them now; a deleted run counts as a change. */
  private compareNamesKey(): string {
    const runIds = this.target.kind === 'compare' ? this.target.runIds : [];
    return runIds.map((runId) => runDisplayName(this.deps.catalog, runId) ?? '').join('\n');
  }

  /** After the catalog changed: a renamed run gets its new name, a comparison is redrawn when a name changed or a run went. */
  private refreshNames(): void {
    if (this.goneFolder !== undefined) return;
    if (this.target.kind !== 'compare') {
      this.showName(false);
      return;
    }
    if (this.sentCompareNames !== undefined && this.compareNamesKey() !== this.sentCompareNames) void this.sendAll();
  }

  private html(): string {
    return panelHtml(this.panel.webview, this.deps.ctx.extension.extensionUri);
  }

  private dispose(): void {
    RunPanel.open.delete(this);
    if (RunPanel.lastShown === this) RunPanel.lastShown = undefined;
    this.sessionSubscription?.dispose();
    this.inside.dispose();
    for (const item of this.disposables.splice(0)) item.dispose();
  }
}

/** The page every CNN Lab panel loads (run, compare, experiment): the built webview under a strict CSP with a nonce. */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const root = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
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
