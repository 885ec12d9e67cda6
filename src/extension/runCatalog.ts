// Every run of every workspace folder, read from `.cnnlab/runs` and kept current by a file
// watcher, so runs started from the CLI or another window appear as well. The sidebar, the
// CodeLens, the panel and the commands all read runs through here.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../protocol';
import { listRuns, runsDirFor } from '../runs/store';
import type { Ctx } from './ctx';

export interface RunEntry {
  record: RunRecord;
  runDir: string;
  folder: vscode.WorkspaceFolder;
  /** Absolute path of the run's model file. */
  modelPath: string;
}

// run.json is rewritten at every epoch; metrics.jsonl at every batch group. Waiting a little
// merges a burst of writes into one re-read.
const REFRESH_DELAY_MS = 300;

export class RunCatalog implements vscode.Disposable {
  private entries: RunEntry[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private loading: Promise<void> | undefined;

  constructor(private readonly ctx: Ctx) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/.cnnlab/runs/**');
    const onFile = (uri: vscode.Uri): void => {
      if (!uri.path.endsWith('/metrics.jsonl')) this.scheduleRefresh();
    };
    this.disposables.push(
      watcher,
      watcher.onDidCreate(onFile),
      watcher.onDidChange(onFile),
      watcher.onDidDelete(onFile),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.scheduleRefresh()),
    );
  }

  get runs(): readonly RunEntry[] {
    return this.entries;
  }

  /** Runs as last read; the first call waits for the first read. */
  async ready(): Promise<readonly RunEntry[]> {
    if (!this.loading) this.loading = this.refresh();
    await this.loading;
    return this.entries;
  }

  find(runId: string): RunEntry | undefined {
    return this.entries.find((entry) => entry.record.id === runId);
  }

  /** Finds a run, re-reading the disk once when it is not known yet (just started, or created by the CLI). */
  async lookup(runId: string): Promise<RunEntry | undefined> {
    await this.ready();
    const known = this.find(runId);
    if (known) return known;
    await this.refresh();
    return this.find(runId);
  }

  /** Runs of one model file, newest first. */
  runsOf(modelPath: string): RunEntry[] {
    return this.entries
      .filter((entry) => entry.modelPath === modelPath)
      .sort((a, b) => Date.parse(b.record.startedAt) - Date.parse(a.record.startedAt));
  }

  scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, REFRESH_DELAY_MS);
  }

  async refresh(): Promise<void> {
    const next: RunEntry[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const runsDir = runsDirFor(folder.uri.fsPath);
      try {
        for (const record of await listRuns(runsDir)) {
          next.push({
            record,
            runDir: path.join(runsDir, record.id),
            folder,
            modelPath: path.resolve(folder.uri.fsPath, record.modelFile),
          });
        }
      } catch (error) {
        this.ctx.output.appendLine(`Could not list runs in ${runsDir}: ${String(error)}`);
      }
    }
    this.entries = next;
    this.changed.fire();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const item of this.disposables) item.dispose();
  }
}
