// Sweep queues in the extension: each experiment's variants trained one after another (or
// `cnnLab.sweep.parallel` at once) by the queue of src/runs/sweepQueue.ts, each variant a normal
// run in its own trainer child process. The queue lives on disk (experiment.json), so a window
// reload or a crash loses nothing: on activation the unfinished ones carry on. The status bar says
// "Sweep 3 of 8"; clicking it offers to stop.

import * as vscode from 'vscode';
import { experimentsDirFor, listExperiments, type ExperimentFile } from '../runs/experiments';
import { bestVariant } from '../runs/experimentResults';
import { formatVariantValues } from '../runs/experimentGrouping';
import { formatAccuracy } from '../runs/grouping';
import { listRuns, runsDirFor } from '../runs/store';
import { QueueBusyError, QueueControl, runQueue, type TrainVariant } from '../runs/sweepQueue';
import type { TrainJob } from '../channels/trainer';
import type { Ctx } from './ctx';
import type { TrainerManager } from './trainerManager';
import { trainingRequest, type LaunchSettings } from './trainingLauncher';
import type { ExampleLimits } from './trainSettings';

/** What the queue needs of the trainer manager: start a run, follow it, stop it. */
export type SweepTrainer = Pick<TrainerManager, 'start'>;

/** An experiment this window knows: where it is and what its experiment.json last said. */
export interface KnownExperiment {
  experimentDir: string;
  folder: vscode.WorkspaceFolder;
  experiment: ExperimentFile;
}

interface RunningQueue {
  stopAll: AbortController;
  control: QueueControl;
  done: Promise<ExperimentFile | undefined>;
}

/**
 * The job's example limits as a training request takes them. A sweep started from a terminal may
 * limit one of the two (`--train-examples` alone): the other stays absent, as the trainer's job allows.
 */
function limitsOf(job: TrainJob): ExampleLimits | undefined {
  if (job.trainExamples === undefined && job.testExamples === undefined) return undefined;
  return { ...(job.trainExamples !== undefined ? { trainExamples: job.trainExamples } : {}), ...(job.testExamples !== undefined ? { testExamples: job.testExamples } : {}) } as ExampleLimits;
}

/** `Sweep 3 of 8`: the variant being trained (the highest, with several at once) among those that can train. */
export function sweepProgressText(experiment: ExperimentFile): string {
  const trainable = experiment.variants.filter((variant) => variant.status !== 'invalid');
  const reached = trainable.filter((variant) => variant.status !== 'pending').length;
  return `Sweep ${Math.max(1, reached)} of ${trainable.length}`;
}

/** The toast at the end of a queue: how many completed, and the best values with their metric. */
export function sweepEndMessage(experiment: ExperimentFile, best: ReturnType<typeof bestVariant>): string {
  const completed = experiment.variants.filter((variant) => variant.status === 'completed').length;
  const how = experiment.state === 'stopped' ? 'stopped' : 'done';
  const result = best ? `; best ${formatVariantValues(best.variant.values)} — ${experiment.spec.metric.name} ${formatAccuracy(best.value)}` : '';
  return `CNN Lab: ${experiment.name} ${how}: ${completed} of ${experiment.variants.length} variants completed${result}.`;
}

export class SweepController implements vscode.Disposable {
  private readonly known = new Map<string, KnownExperiment>();
  private readonly queues = new Map<string, RunningQueue>();
  private readonly changed = new vscode.EventEmitter<ExperimentFile | undefined>();
  /** Fires after an experiment.json changed (its new content), or after the list was read again (undefined). */
  readonly onDidChange = this.changed.event;
  private readonly statusItem = vscode.window.createStatusBarItem('cnnLab.sweep', vscode.StatusBarAlignment.Left, 9);
  /** Experiments shown in the status bar, newest queue last. */
  private readonly shown: string[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly trainer: SweepTrainer,
  ) {
    this.statusItem.name = 'CNN Lab sweep';
    this.statusItem.command = 'cnnLab.stopSweep';
  }

  /** Where the experiment's queue stands, as far as this window knows (the Runs view's menus). */
  stateOf(experimentId: string): ExperimentFile['state'] | undefined {
    return this.known.get(experimentId)?.experiment.state;
  }

  get(experimentId: string): KnownExperiment | undefined {
    return this.known.get(experimentId);
  }

  isRunning(experimentId: string): boolean {
    return this.queues.has(experimentId);
  }

  /** Reads every workspace folder's experiments again; unreadable ones are logged and left out. */
  async refresh(): Promise<KnownExperiment[]> {
    const found: KnownExperiment[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      for (const listing of await listExperiments(experimentsDirFor(runsDirFor(folder.uri.fsPath))).catch(() => [])) {
        if (listing.experiment) found.push({ experimentDir: listing.experimentDir, folder, experiment: listing.experiment });
        else this.ctx.output.appendLine(`Experiment ${listing.id} left out: ${listing.problem}`);
      }
    }
    for (const entry of found) this.known.set(entry.experiment.id, entry);
    this.changed.fire(undefined);
    return found;
  }

  /**
   * Runs the experiment's queue in this window until it is done or stopped; resolves with the
   * experiment as it ended, or undefined when it could not run (said in a notification).
   */
  run(folder: vscode.WorkspaceFolder, experimentDir: string, experimentId: string): Promise<ExperimentFile | undefined> {
    const running = this.queues.get(experimentId);
    if (running) return running.done;
    const queue: RunningQueue = { stopAll: new AbortController(), control: new QueueControl(), done: Promise.resolve(undefined) };
    const parallel = vscode.workspace.getConfiguration('cnnLab', folder.uri).get<number>('sweep.parallel', 1);
    queue.done = runQueue(experimentDir, {
      runsDir: runsDirFor(folder.uri.fsPath),
      baseDir: folder.uri.fsPath,
      train: this.trainVariant(folder),
      parallel,
      signal: queue.stopAll.signal,
      control: queue.control,
      onChange: (experiment) => this.update({ experimentDir, folder, experiment }),
    }).then(
      (experiment) => {
        // Not awaited: the toast stays until dismissed, and the queue is over now.
        void this.announceEnd(folder, experiment);
        return experiment;
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.ctx.output.appendLine(`Sweep ${experimentId}: ${message}`);
        const hint = error instanceof QueueBusyError && error.hint ? ` ${error.hint}` : '';
        void (error instanceof QueueBusyError ? vscode.window.showWarningMessage(`CNN Lab: ${message}${hint}`) : vscode.window.showErrorMessage(`CNN Lab: the sweep stopped: ${message}`));
        return undefined;
      },
    );
    this.queues.set(experimentId, queue);
    void queue.done.finally(() => {
      this.queues.delete(experimentId);
      const position = this.shown.indexOf(experimentId);
      if (position >= 0) this.shown.splice(position, 1);
      this.updateStatus();
    });
    return queue.done;
  }

  /** Stop all: the running variants stop (trained again by Continue Sweep), the queue ends `stopped`. False when no queue of it runs in this window. */
  stop(experimentId: string): boolean {
    const queue = this.queues.get(experimentId);
    if (!queue) return false;
    queue.stopAll.abort();
    return true;
  }

  /** Experiments whose queue runs in this window. */
  runningIds(): string[] {
    return [...this.queues.keys()];
  }

  /**
   * After a window reload or a crash: every experiment left `running` or `queued` whose queue no
   * live process holds carries on, with a notification offering to stop it.
   */
  async carryOn(): Promise<void> {
    for (const entry of await this.refresh()) {
      const { experiment } = entry;
      if ((experiment.state !== 'running' && experiment.state !== 'queued') || this.queues.has(experiment.id)) continue;
      const left = experiment.variants.filter((variant) => variant.status === 'pending' || variant.status === 'running').length;
      void this.run(entry.folder, entry.experimentDir, experiment.id);
      void vscode.window.showInformationMessage(`CNN Lab: carrying on with ${experiment.name} (${left} variant${left === 1 ? '' : 's'} left).`, 'Stop', 'Open Experiment').then((choice) => {
        if (choice === 'Stop') this.stop(experiment.id);
        if (choice === 'Open Experiment') void vscode.commands.executeCommand('cnnLab.openExperiment', experiment.id);
      });
    }
  }

  dispose(): void {
    // The queues are not stopped: their experiment.json says `running`, and the next window carries on.
    this.statusItem.dispose();
    this.changed.dispose();
  }

  /** One variant: a normal run with the window's backend and data settings, its values applied by the trainer. */
  private trainVariant(folder: vscode.WorkspaceFolder): TrainVariant {
    return async (job, control) => {
      const config = vscode.workspace.getConfiguration('cnnLab', folder.uri);
      const settings: LaunchSettings = { backend: config.get<string>('backend'), dataDir: config.get<string>('dataDir') };
      const limits = limitsOf(job);
      const session = await this.trainer.start(trainingRequest({ modelFile: job.modelFile, folder, overrides: job.overrides, ...(limits ? { limits } : {}), ...(job.experiment ? { experiment: job.experiment } : {}) }, settings));
      const stop = (): void => void session.stop();
      control.signal.addEventListener('abort', stop, { once: true });
      if (control.signal.aborted) stop();
      if (session.runId) control.started(session.runId);
      const subscription = session.onEvent((event) => {
        if (event.type === 'started') control.started(event.runId);
      });
      try {
        return await session.done;
      } finally {
        subscription.dispose();
        control.signal.removeEventListener('abort', stop);
      }
    };
  }

  private update(entry: KnownExperiment): void {
    this.known.set(entry.experiment.id, entry);
    if (this.queues.has(entry.experiment.id) && !this.shown.includes(entry.experiment.id)) this.shown.push(entry.experiment.id);
    this.updateStatus();
    this.changed.fire(entry.experiment);
  }

  private updateStatus(): void {
    const latest = this.shown.at(-1);
    const experiment = latest ? this.known.get(latest)?.experiment : undefined;
    if (!experiment) {
      this.statusItem.hide();
      return;
    }
    const others = this.shown.length > 1 ? ` (+${this.shown.length - 1} more)` : '';
    this.statusItem.text = `$(beaker~spin) ${sweepProgressText(experiment)}${others}`;
    this.statusItem.tooltip = `${this.shown.map((id) => { const known = this.known.get(id)?.experiment; return known ? `${known.name}: ${sweepProgressText(known)}` : id; }).join('\n')}\nClick to stop the sweep.`;
    this.statusItem.show();
  }

  private async announceEnd(folder: vscode.WorkspaceFolder, experiment: ExperimentFile): Promise<void> {
    const best = bestVariant(experiment, await listRuns(runsDirFor(folder.uri.fsPath)).catch(() => []));
    const choice = await vscode.window.showInformationMessage(sweepEndMessage(experiment, best), 'Open Experiment');
    if (choice) await vscode.commands.executeCommand('cnnLab.openExperiment', experiment.id);
  }
}
