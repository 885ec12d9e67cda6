// Starts and follows trainer child processes. The extension host never loads tfjs: each run is a
// forked dist/trainer.js, so a crash, an out-of-memory kill or a CUDA error ends that child only.
// Everything the child does arrives here as TrainerEvents; nothing it does can throw in the host.
import type { ExampleLimits } from './trainSettings';
import { fork, type ChildProcess } from 'node:child_process';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { isTrainerEvent, whyNotTrainerEvent, type TrainerCommand, type TrainerEvent, type TrainJob } from '../channels/trainer';
import type { ExperimentRef, RunRecord } from '../runs/format';
import type { TrainingConfig } from '../model/types';
import { epochsDoneAfter, formatEpochProgress, formatRunResult, runTitle } from '../runs/grouping';
import { runsDirFor } from '../runs/store';
import type { NodeSearch } from '../runtime/nodeDiscovery';
import type { Ctx } from './ctx';
import { TrainerRuntimes, type TrainerRuntime } from './nodeRuntime';
import { NoiseFilter } from './outputNoise';

/** How long a trainer gets to save and exit after `stop` before it is killed. */
export const stopGraceMilliseconds = 5000;

export interface TrainingRequest {
  /** Absolute path of the model file. */
  modelFile: string;
  workspaceFolder: string;
  /** Win over the model file's `training` block. */
  overrides?: TrainingConfig;
  /** Continue a stopped or interrupted run from its last saved model. */
  resumeRunId?: string;
  /** Folder holding the built-in datasets' files (the `cnnLab.dataDir` setting). */
  dataDir?: string;
  /** Train and test on the first examples only (a quick trial). */
  limits?: ExampleLimits;
  /** `model-file`: start from the weights saved in the (Keras) model file: fine-tuning. */
  initialWeights?: 'model-file';
  /** A sweep's variant: the trainer applies its values and records them; the sweep's status bar reports it, no toast of its own. */
  experiment?: ExperimentRef;
}

function accuracyOf(logs: Record<string, number>): number | undefined {
  return logs.acc ?? logs.accuracy ?? logs.categoricalAccuracy;
}

/** One trainer child process and everything it has reported so far. */
export class TrainingSession implements vscode.Disposable {
  /** Known once the trainer reports `started`. */
  runId?: string;
  /** Every event so far, so that a panel opened late can catch up before following `onEvent`. */
  readonly events: TrainerEvent[] = [];
  /** Resolves when the child has exited: the final record, or undefined when it died without one. */
  readonly done: Promise<RunRecord | undefined>;
  private readonly emitter = new vscode.EventEmitter<TrainerEvent>();
  readonly onEvent = this.emitter.event;
  private record: RunRecord | undefined;
  private ended = false;
  private stopRequested = false;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly request: TrainingRequest,
    private readonly child: ChildProcess,
    private readonly log: (line: string) => void,
  ) {
    this.done = new Promise((resolve) => {
      child.on('message', (message: unknown) => this.receive(message));
      child.on('error', (error) => {
        // Spawn failures (a bad nodePath) arrive here and may never be followed by 'exit'.
        this.log(`Trainer process error: ${error.message}`);
        if (child.pid === undefined) this.end(resolve, `The trainer could not be started: ${error.message}`);
      });
      child.on('exit', (code, signal) => {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        this.log(`Trainer ${child.pid ?? ''} ended (${how}).`);
        this.end(resolve, this.unexpectedExitMessage(code, signal));
      });
    });
  }

  get modelFile(): string {
    return this.request.modelFile;
  }

  /** Asks the trainer to stop after the current batch and save; kills it if it has not exited in time. */
  stop(): Promise<void> {
    if (this.ended) return Promise.resolve();
    if (!this.stopRequested) {
      this.stopRequested = true;
      this.send({ type: 'stop' });
      this.killTimer = setTimeout(() => {
        this.log(`Trainer did not stop within ${stopGraceMilliseconds / 1000} s; killing it.`);
        this.child.kill('SIGKILL');
      }, stopGraceMilliseconds);
    }
    return this.done.then(() => undefined);
  }

  send(command: TrainerCommand): void {
    if (!this.child.connected) return;
    this.child.send(command, (error) => {
      if (error) this.log(`Could not send '${command.type}' to the trainer: ${error.message}`);
    });
  }

  dispose(): void {
    if (!this.ended) this.child.kill('SIGKILL');
    this.emitter.dispose();
  }

  private receive(message: unknown): void {
    const invalid = whyNotTrainerEvent(message);
    if (invalid !== undefined || !isTrainerEvent(message)) {
      this.log(`Ignored a message from the trainer (${invalid}): ${JSON.stringify(message)?.slice(0, 500)}`);
      return;
    }
    if (message.type === 'started') this.runId = message.runId;
    if (message.type === 'finished') this.record = message.record;
    if (message.type === 'failed') {
      this.record = message.record ?? this.record;
      // A run that failed before `started` (its dataset could not be loaded) has a folder all the same.
      this.runId ??= message.record?.id;
      this.log(`Run failed: ${message.message}${message.hint ? ` — ${message.hint}` : ''}`);
    }
    this.publish(message);
  }

  private publish(event: TrainerEvent): void {
    this.events.push(event);
    try {
      this.emitter.fire(event);
    } catch (error) {
      // A listener's bug must not take the session (or the host) down with it.
      this.log(`A trainer event listener failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private unexpectedExitMessage(code: number | null, signal: NodeJS.Signals | null): string {
    if (this.stopRequested) return `The trainer did not stop within ${stopGraceMilliseconds / 1000} s and was ended; the run keeps what it had saved.`;
    if (signal === 'SIGKILL') return 'The trainer was killed (signal SIGKILL), most likely for running out of memory: try a smaller batch size or model.';
    return `The trainer ended unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); see the CNN Lab output for its messages.`;
  }

  private end(resolve: (record: RunRecord | undefined) => void, messageIfUnfinished: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.killTimer);
    const reportedEnd = this.events.some((event) => event.type === 'finished' || event.type === 'failed');
    if (!reportedEnd) this.publish({ type: 'failed', message: messageIfUnfinished, record: this.record });
    resolve(this.record);
  }
}

/**
 * The latest progress line of a session, e.g. `epoch 3/10 · acc 0.91`: epochs completed, as the
 * panel counts them (trainer events number epochs from 0), and the latest training accuracy under
 * its Keras name.
 */
export function progressText(events: readonly TrainerEvent[]): string {
  const started = events.find((event): event is Extract<TrainerEvent, { type: 'started' }> => event.type === 'started');
  if (!started) {
    const progress = [...events].reverse().find((event) => event.type === 'progress');
    return progress?.type === 'progress' ? progress.message : 'starting';
  }
  let epochsDone = 0;
  for (const event of events) if (event.type === 'epoch') epochsDone = Math.max(epochsDone, epochsDoneAfter(event.epoch));
  let accuracy: number | undefined;
  for (const event of events) {
    if (event.type === 'batches') accuracy = accuracyOf(event.items[event.items.length - 1]?.logs ?? {}) ?? accuracy;
    if (event.type === 'epoch') accuracy = accuracyOf(event.logs) ?? accuracy;
  }
  return `${formatEpochProgress(epochsDone, started.epochs)}${accuracy === undefined ? '' : ` · acc ${accuracy.toFixed(2)}`}`;
}

/** Fraction of all planned steps done, from the latest batch group. */
function stepFraction(events: readonly TrainerEvent[]): number {
  const started = events.find((event) => event.type === 'started');
  if (started?.type !== 'started') return 0;
  const total = started.epochs * started.stepsPerEpoch;
  const last = [...events].reverse().find((event) => event.type === 'batches');
  const step = last?.type === 'batches' ? (last.items[last.items.length - 1]?.step ?? 0) : 0;
  return total > 0 ? Math.min(1, step / total) : 0;
}

export class TrainerManager implements vscode.Disposable {
  private readonly running = new Set<TrainingSession>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeSessions = this.changeEmitter.event;
  private readonly statusItem = vscode.window.createStatusBarItem('cnnLab.training', vscode.StatusBarAlignment.Left, 10);
  readonly runtimes: TrainerRuntimes;
  /** How notifications name a run (`cnn #3`); the sidebar sets it to number runs among the catalog's. */
  nameRun: (record: RunRecord) => string = (record) => runTitle(record);

  constructor(private readonly ctx: Ctx) {
    this.runtimes = new TrainerRuntimes(ctx);
    this.statusItem.name = 'CNN Lab training';
  }

  /** Running sessions, oldest first. */
  get sessions(): readonly TrainingSession[] {
    return [...this.running];
  }

  /**
   * Spawns a trainer for a request the TrainingLauncher prepared (trust checked, settings merged).
   * Rejects when the trainer cannot be built; a failure after that arrives as a `failed` event.
   */
  async start(request: TrainingRequest): Promise<TrainingSession> {
    const runtime = await this.runtimes.resolve();
    const { dataDir } = request;
    const backend = request.overrides?.backend;
    const job: TrainJob = {
      modelFile: request.modelFile,
      runsDir: runsDirFor(request.workspaceFolder),
      baseDir: request.workspaceFolder,
      overrides: request.overrides,
      dataDir,
      resumeFrom: request.resumeRunId,
      ...request.limits,
      ...(request.initialWeights ? { initialWeights: request.initialWeights } : {}),
      ...(request.experiment ? { experiment: request.experiment } : {}),
    };
    const child = this.spawn(join(this.ctx.extension.extensionPath, 'dist', 'trainer.js'), [], runtime, request.workspaceFolder, dataDir, true);
    const label = basename(request.modelFile);
    const session = new TrainingSession(request, child, (line) => this.ctx.output.appendLine(`[${label}] ${line}`));
    this.ctx.output.appendLine(`[${label}] Training with ${runtime.description}, backend ${backend ?? 'from the model file or auto'}.`);
    this.track(session);
    session.send({ type: 'start', job });
    return session;
  }

  /** Runs `cnnlab doctor` with `args` in the trainer's runtime: what it printed, and how that runtime was found. */
  async runDoctor(args: string[]): Promise<{ stdout: string; search: NodeSearch }> {
    const runtime = await this.runtimes.resolve();
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.ctx.extension.extensionPath;
    const child = this.spawn(join(this.ctx.extension.extensionPath, 'dist', 'cli.js'), ['doctor', ...args], runtime, cwd, undefined);
    return { stdout: await collectStdout(child, 120_000), search: runtime.search };
  }

  /** Starts `cnnlab ARGS` (dist/cli.js) in the trainer's Node, its stderr followed in the output channel; the caller reads its stdout. */
  async startCli(args: string[]): Promise<ChildProcess> {
    const runtime = await this.runtimes.resolve();
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.ctx.extension.extensionPath;
    return this.spawn(join(this.ctx.extension.extensionPath, 'dist', 'cli.js'), args, runtime, cwd, undefined);
  }

  dispose(): void {
    for (const session of this.running) session.dispose();
    this.running.clear();
    this.statusItem.dispose();
    this.changeEmitter.dispose();
  }

  private spawn(script: string, args: string[], runtime: TrainerRuntime, cwd: string, dataDir: string | undefined, showStdout = false): ChildProcess {
    const env: NodeJS.ProcessEnv = { ...process.env, ...runtime.env };
    // The extension host itself runs with ELECTRON_RUN_AS_NODE; a system Node has no use for it.
    if (runtime.systemNode) delete env.ELECTRON_RUN_AS_NODE;
    if (dataDir) env.CNNLAB_DATA_DIR = dataDir;
    const child = fork(script, args, {
      execPath: runtime.execPath,
      // The host's own flags (inspector ports, Electron switches) mean nothing to, or break, a plain Node.
      execArgv: [],
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const prefix = basename(script, '.js');
    // Known harmless messages (tfjs's Node.js banner, Dawn's limit notes) stay out of the channel; see outputNoise.ts.
    const follow = (stream: NodeJS.ReadableStream | null, label: string): void => {
      if (!stream) return;
      const filter = new NoiseFilter((line) => this.ctx.output.appendLine(`[${prefix} ${label}] ${line}`));
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => filter.write(chunk));
      stream.on('end', () => filter.end());
    };
    follow(child.stderr, 'stderr');
    // The doctor's stdout is its report, read by the caller; a trainer's is shown (and drained, so the child never blocks on a full pipe).
    if (showStdout) follow(child.stdout, 'stdout');
    return child;
  }

  private track(session: TrainingSession): void {
    this.running.add(session);
    this.changeEmitter.fire();
    this.updateStatus();
    const subscription = session.onEvent(() => this.updateStatus());
    // A sweep's variants are followed by the sweep's status bar item and panel: a toast each would bury the window.
    if (!session.request.experiment) this.showProgress(session);
    void session.done.then(() => {
      subscription.dispose();
      this.running.delete(session);
      this.changeEmitter.fire();
      this.updateStatus();
      this.announce(session);
    });
  }

  private showProgress(session: TrainingSession): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `CNN Lab: training ${basename(session.modelFile)}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => void session.stop());
        let reported = 0;
        const report = () => {
          const fraction = stepFraction(session.events);
          progress.report({ message: progressText(session.events), increment: Math.max(0, (fraction - reported) * 100) });
          reported = Math.max(reported, fraction);
        };
        const progressSubscription = session.onEvent(report);
        return session.done.finally(() => progressSubscription.dispose());
      },
    );
  }

  private updateStatus(): void {
    const sessions = this.sessions;
    const latest = sessions[sessions.length - 1];
    if (!latest) {
      this.statusItem.hide();
      return;
    }
    const others = sessions.length > 1 ? ` (+${sessions.length - 1} more)` : '';
    this.statusItem.text = `$(sync~spin) CNN Lab: ${progressText(latest.events)}${others}`;
    this.statusItem.tooltip = sessions.map((session) => `${basename(session.modelFile)}: ${progressText(session.events)}`).join('\n');
    this.statusItem.show();
  }

  private announce(session: TrainingSession): void {
    const last = session.events[session.events.length - 1];
    if (last?.type === 'failed') {
      void vscode.window.showErrorMessage(`CNN Lab: training ${basename(session.modelFile)} failed: ${last.message}${last.hint ? ` ${last.hint}` : ''}`);
    } else if (last?.type === 'finished' && !session.request.experiment) {
      void vscode.window.showInformationMessage(completionMessage(last.record, last.status, this.nameRun(last.record)));
    }
  }
}

/** The toast at the end of a run: `CNN Lab: cnn #3 completed · test acc 0.908 (val_acc 0.927) · 5/5 epochs.` — every number named. */
export function completionMessage(record: RunRecord, status: 'completed' | 'stopped', name: string): string {
  const result = formatRunResult(record);
  const epochs = `${record.epochsCompleted}/${record.epochsPlanned} epochs`;
  return `CNN Lab: ${name} ${status}${result ? ` · ${result}` : ''} · ${epochs}.`;
}

function collectStdout(child: ChildProcess, timeoutMilliseconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMilliseconds);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`the doctor ended with ${signal ? `signal ${signal}` : `exit code ${code}`}; see the CNN Lab output`));
    });
  });
}

export function register(ctx: Ctx): TrainerManager {
  return ctx.own(new TrainerManager(ctx));
}
