// Every run of every workspace folder, read from `.cnnlab/runs` and kept current by a file
// watcher, so runs started from the CLI or another window appear as well. The sidebar, the
// CodeLens, the panel and the commands all read runs through here.

import { lstat, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../runs/format';
import { isInside, METRICS_FILE, runsDirFor, scanRuns, streamRunMetrics, type MetricsCount } from '../runs/store';
import type { Ctx } from './ctx';

export interface RunEntry {
  /** The run's id is its folder's name (`record.id` is set to it when read). */
  record: RunRecord;
  /** `<runsDir>/<record.id>`: the folder the run was found in, never a path taken from run.json. */
  runDir: string;
  runsDir: string;
  folder: vscode.WorkspaceFolder;
  /** Absolute path of the run's model file. */
  modelPath: string;
}

/** A folder under `.cnnlab/runs` (or the runs folder itself) that cannot be shown as a run, and why. */
export interface UnreadableRun {
  /** The folder's name. */
  name: string;
  /** The folder that was found. */
  path: string;
  folder: vscode.WorkspaceFolder;
  /** What is wrong, where, and what to do. */
  problem: string;
}

// run.json is rewritten at every epoch; metrics.jsonl at every batch group. Waiting a little
// merges a burst of writes into one re-read.
const REFRESH_DELAY_MS = 300;

export class RunCatalog implements vscode.Disposable {
  private entries: RunEntry[] = [];
  private broken: UnreadableRun[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private loading: Promise<void> | undefined;
  /** Line counts of each run's metrics.jsonl, by run folder, for the file as it was (size and time). */
  private readonly metricsCounts = new Map<string, { key: string; count: Promise<MetricsCount | undefined> }>();

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

  /** Folders under `.cnnlab/runs` that could not be read as runs, as last read. */
  get unreadable(): readonly UnreadableRun[] {
    return this.broken;
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

  /**
   * How many lines of the run's metrics.jsonl are metrics and how many were skipped as unreadable,
   * streamed (any size) on first use and kept until the file changes; undefined when it cannot be read.
   */
  async metricsCount(entry: RunEntry): Promise<MetricsCount | undefined> {
    let key: string;
    try {
      const info = await lstat(path.join(entry.runDir, METRICS_FILE));
      key = `${info.ino}:${info.size}:${info.mtimeMs}`;
    } catch {
      return { lines: 0, skipped: 0 };
    }
    const cached = this.metricsCounts.get(entry.runDir);
    if (cached?.key === key) return cached.count;
    const count = streamRunMetrics(entry.runDir, () => undefined).catch(() => undefined);
    this.metricsCounts.set(entry.runDir, { key, count });
    return count;
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
    const broken: UnreadableRun[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const runsDir = runsDirFor(folder.uri.fsPath);
      try {
        const outside = await runsDirOutside(folder.uri.fsPath, runsDir);
        if (outside) {
          broken.push({ name: '.cnnlab/runs', path: runsDir, folder, problem: outside });
          continue;
        }
        for (const listing of await scanRuns(runsDir)) {
          if (!listing.record) {
            broken.push({ name: listing.id, path: listing.runDir, folder, problem: listing.problem });
            continue;
          }
          next.push({
            record: listing.record,
            runDir: listing.runDir,
            runsDir,
            folder,
            modelPath: path.resolve(folder.uri.fsPath, listing.record.modelFile),
          });
        }
      } catch (error) {
        const problem = error instanceof Error ? error.message : String(error);
        this.ctx.output.appendLine(`Could not list runs in ${runsDir}: ${problem}`);
        broken.push({ name: '.cnnlab/runs', path: runsDir, folder, problem });
      }
    }
    this.entries = next;
    this.broken = broken;
    for (const runDir of this.metricsCounts.keys()) if (!next.some((entry) => entry.runDir === runDir)) this.metricsCounts.delete(runDir);
    this.changed.fire();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const item of this.disposables) item.dispose();
  }
}

/**
 * Why `runsDir` cannot be used when it resolves outside its workspace folder (`.cnnlab` or
 * `.cnnlab/runs` is a link out of it): listing would otherwise read, rewrite and delete elsewhere.
 */
async function runsDirOutside(workspaceDir: string, runsDir: string): Promise<string | undefined> {
  let realRuns: string;
  let realWorkspace: string;
  try {
    [realWorkspace, realRuns] = await Promise.all([realpath(workspaceDir), realpath(runsDir)]);
  } catch {
    return undefined; // no runs folder yet (a dangling link is read as none, and scanRuns says so)
  }
  if (isInside(realWorkspace, realRuns) && realRuns !== realWorkspace) return undefined;
  return `${runsDir} resolves to ${realRuns}, outside the workspace folder ${workspaceDir}; CNN Lab does not follow a .cnnlab link out of the workspace. Remove the link (runs are then kept in a new .cnnlab folder).`;
}
