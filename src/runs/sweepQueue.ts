// The sweep queue: an experiment's variants trained one after another (or a few at once), with
// experiment.json (src/runs/experiments.ts) updated before and after each, so a window reload, a
// crash or a kill loses nothing and `continue` carries on. Training itself is injected (`train`):
// the CLI trains in process with runTraining, the extension in a trainer child process each.
//
// Carrying on: a variant left `running` by a queue that died is looked up by its run. A completed
// run is kept as the variant's result. Any other (interrupted, or stopped by "stop all" or by its
// trainer process losing its parent) is trained again from scratch as a new run, and the partial
// run is deleted when the new one starts: a resume would continue it with data drawn in another
// order (the batch order is seeded per start epoch) and a learning-rate history of its own, so its
// result would not compare fairly with the variants trained in one go; from scratch, the seeded run
// is the one an uninterrupted queue makes.
// A `queue.lock` file holding the queue's pid keeps two processes off one experiment; a lock whose
// process is gone is taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { checkVariant, expandSweep, experimentName, type SweepSpec } from '../model/sweep';
import type { ModelIR } from '../model/types';
import type { TrainJob } from '../channels/trainer';
import { UserError } from '../util/userError';
import { createExperimentId, experimentRef, readExperimentSync, writeExperiment, type ExperimentFile, type ExperimentJob, type ExperimentVariant } from './experiments';
import type { RunRecord } from './format';
import { deleteRun, isProcessAlive, listRuns, readRun, runDirFor } from './store';

export const QUEUE_LOCK_FILE = 'queue.lock';

/** Another live process runs this experiment's queue. */
export class QueueBusyError extends UserError {}

export interface NewExperiment {
  /** `<base>/.cnnlab/experiments` (experimentsDirFor). */
  experimentsDir: string;
  /** Absolute path of the model file. */
  modelFile: string;
  /** Folder the recorded modelFile is relative to (the workspace, the CLI's current folder). */
  baseDir: string;
  /** The model file's IR, read without errors. */
  ir: ModelIR;
  spec: SweepSpec;
  job?: ExperimentJob;
  now?: Date;
}

/**
 * Expands the sweep, checks every variant with the model core (an invalid one is kept, `invalid`,
 * with the model core's problems, and is never trained) and writes the experiment, `queued`.
 */
export function createExperiment(options: NewExperiment): { experimentDir: string; experiment: ExperimentFile } {
  const now = options.now ?? new Date();
  const variants: ExperimentVariant[] = expandSweep(options.spec).map(({ index, values }) => {
    const { problems } = checkVariant(options.ir, values);
    return problems.length > 0 ? { index, values, status: 'invalid', problems } : { index, values, status: 'pending' };
  });
  const id = createExperimentId(options.ir.name, now);
  const experiment: ExperimentFile = {
    id,
    name: experimentName(options.ir.name, options.spec, variants.length),
    modelFile: relativeTo(options.baseDir, options.modelFile),
    createdAt: now.toISOString(),
    spec: options.spec,
    job: options.job ?? {},
    variants,
    state: 'queued',
  };
  const experimentDir = join(options.experimentsDir, id);
  writeExperiment(experimentDir, experiment);
  return { experimentDir, experiment };
}

/** `path` relative to `baseDir` when it lies below it (as run.json records modelFile), else as it is. */
function relativeTo(baseDir: string, path: string): string {
  const below = relative(baseDir, path);
  return below.startsWith('..') || isAbsolute(below) ? path : below;
}

/** What the queue gives `train` besides the job: the variant's stop signal, and where to say which run it started. */
export interface VariantControl {
  /** Aborted by "stop this variant" or "stop all": the run stops after the current batch and `train` returns its stopped record. */
  signal: AbortSignal;
  /** Call with the run's id once its folder exists (the trainer's `started` event), so experiment.json names it while it trains. */
  started: (runId: string) => void;
}

/**
 * Trains one variant to its end and returns its run (completed, stopped or failed), or undefined
 * when it failed before its run folder existed; it may also throw, with why (the variant is `failed`).
 */
export type TrainVariant = (job: TrainJob, control: VariantControl) => Promise<RunRecord | undefined>;

export interface QueueOptions {
  /** Where the variants' runs go (the runs folder beside the experiments folder). */
  runsDir: string;
  /** Folder the experiment's modelFile is relative to. */
  baseDir: string;
  train: TrainVariant;
  /** How many variants train at once (default 1). */
  parallel?: number;
  /** Stop all: running variants stop and go back to pending (a later continue trains them again), the queue ends `stopped`. */
  signal?: AbortSignal;
  /** After every change of experiment.json, with what it now holds. */
  onChange?: (experiment: ExperimentFile) => void;
  /** To stop one variant while the queue runs. */
  control?: QueueControl;
}

/** Stops one variant of a running queue: the running one stops (and stays `stopped`), a pending one is skipped. */
export class QueueControl {
  private readonly running = new Map<number, AbortController>();
  private experimentDir: string | undefined;

  /** Returns whether the variant was running or pending (false: nothing to stop). */
  stopVariant(index: number): boolean {
    const running = this.running.get(index);
    if (running) {
      running.abort();
      return true;
    }
    return this.experimentDir !== undefined && skipVariant(this.experimentDir, index) !== undefined;
  }

  /** @internal the queue registers itself and each running variant. */
  attach(experimentDir: string): void {
    this.experimentDir = experimentDir;
  }

  /** @internal */
  track(index: number, controller: AbortController | undefined): void {
    if (controller) this.running.set(index, controller);
    else this.running.delete(index);
  }
}

/** Changes one variant in experiment.json (read, change, atomic write, all synchronous: nothing else of this process interleaves). */
export function updateVariant(experimentDir: string, index: number, change: (variant: ExperimentVariant) => ExperimentVariant): ExperimentFile {
  const experiment = readExperimentSync(experimentDir);
  experiment.variants = experiment.variants.map((variant) => (variant.index === index ? change(variant) : variant));
  writeExperiment(experimentDir, experiment);
  return experiment;
}

function updateState(experimentDir: string, state: ExperimentFile['state']): ExperimentFile {
  const experiment = readExperimentSync(experimentDir);
  experiment.state = state;
  writeExperiment(experimentDir, experiment);
  return experiment;
}

/** Marks a pending variant `stopped` so no queue trains it; returns the experiment, or undefined when the variant was not pending. */
export function skipVariant(experimentDir: string, index: number): ExperimentFile | undefined {
  const variant = readExperimentSync(experimentDir).variants.find((candidate) => candidate.index === index);
  if (variant?.status !== 'pending') return undefined;
  return updateVariant(experimentDir, index, (current) => (current.status === 'pending' ? { ...current, status: 'stopped' } : current));
}

/**
 * Takes the experiment's queue lock (a file holding this process's pid), taking over one whose
 * process is gone; returns the function that releases it. Throws QueueBusyError when a live process holds it.
 */
export function acquireQueueLock(experimentDir: string): () => void {
  const path = join(experimentDir, QUEUE_LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      return () => releaseQueueLock(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(path);
    if (holder !== undefined && isProcessAlive(holder)) {
      throw new QueueBusyError(
        `The queue of this experiment is already running in process ${holder}${holder === process.pid ? ' (this one)' : ''}. Received: ${path}.`,
        `Wait for it to end or stop it first. If no CNN Lab sweep is running, delete ${path}.`,
      );
    }
    try {
      unlinkSync(path); // its process is gone
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new QueueBusyError(`Another process keeps taking the queue lock of this experiment. Received: ${path}.`, 'Run one sweep queue per experiment at a time.');
}

/** The pid in a lock file, or undefined when it holds none (its writer died between creating and writing it). */
function lockHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function releaseQueueLock(path: string): void {
  // Only our own lock: a queue that found this one stale may have taken over meanwhile.
  if (lockHolder(path) !== process.pid) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Trains the experiment's pending variants until none is left or `signal` stops all, with the lock
 * held; first carries on after a queue that died (see the file's comment). Returns the experiment
 * as it ends. Throws QueueBusyError when another live process runs it, or an Error when
 * experiment.json cannot be read.
 */
export async function runQueue(experimentDir: string, options: QueueOptions): Promise<ExperimentFile> {
  const release = acquireQueueLock(experimentDir);
  try {
    await recoverVariants(experimentDir, options.runsDir);
    options.control?.attach(experimentDir);
    notify(options, updateState(experimentDir, 'running'));
    const workers = Math.max(1, Math.floor(options.parallel ?? 1));
    await Promise.all(Array.from({ length: workers }, () => work(experimentDir, options)));
    // Not done while a variant is left: stopped by the user, or still training in another process (see recoverVariants).
    const left = readExperimentSync(experimentDir).variants.some((variant) => variant.status === 'pending' || variant.status === 'running');
    const final = updateState(experimentDir, options.signal?.aborted || left ? 'stopped' : 'done');
    options.onChange?.(final);
    return final;
  } finally {
    release();
  }
}

/** Tells the caller what experiment.json now holds (the change is made whether or not anyone listens). */
function notify(options: QueueOptions, experiment: ExperimentFile): void {
  options.onChange?.(experiment);
}

/** One worker: claims the next pending variant and trains it, until none is left or all are stopped. */
async function work(experimentDir: string, options: QueueOptions): Promise<void> {
  while (!options.signal?.aborted) {
    const claimed = claimNext(experimentDir);
    if (!claimed) return;
    notify(options, claimed.experiment);
    await trainVariant(experimentDir, claimed.experiment, claimed.variant, options);
  }
}

/** Marks the first pending variant `running` (synchronously, so two workers never claim the same one). */
function claimNext(experimentDir: string): { experiment: ExperimentFile; variant: ExperimentVariant } | undefined {
  const pending = readExperimentSync(experimentDir).variants.find((variant) => variant.status === 'pending');
  if (!pending) return undefined;
  const experiment = updateVariant(experimentDir, pending.index, ({ index, values }) => ({ index, values, status: 'running' }));
  return { experiment, variant: pending };
}

async function trainVariant(experimentDir: string, experiment: ExperimentFile, variant: ExperimentVariant, options: QueueOptions): Promise<void> {
  if (variant.runId) await deletePartialRun(options.runsDir, variant.runId);
  const controller = new AbortController();
  const stopAll = (): void => controller.abort();
  options.signal?.addEventListener('abort', stopAll);
  options.control?.track(variant.index, controller);
  const job: TrainJob = {
    modelFile: resolve(options.baseDir, experiment.modelFile),
    runsDir: options.runsDir,
    baseDir: options.baseDir,
    overrides: experiment.job.overrides ?? {},
    ...(experiment.job.trainExamples ? { trainExamples: experiment.job.trainExamples } : {}),
    ...(experiment.job.testExamples ? { testExamples: experiment.job.testExamples } : {}),
    experiment: experimentRef(experiment, variant),
  };
  const started = (runId: string): void => notify(options, updateVariant(experimentDir, variant.index, (current) => ({ ...current, runId })));
  let record: RunRecord | undefined;
  let error: string | undefined;
  try {
    record = await options.train(job, { signal: controller.signal, started });
  } catch (failure) {
    error = failure instanceof Error ? failure.message : String(failure);
  } finally {
    options.signal?.removeEventListener('abort', stopAll);
    options.control?.track(variant.index, undefined);
  }
  const status = record?.status === 'completed' ? 'completed' : record?.status === 'stopped' ? (options.signal?.aborted ? 'pending' : 'stopped') : 'failed';
  const why = status === 'failed' && !record ? (error ?? 'The run failed before it started.') : undefined;
  notify(
    options,
    updateVariant(experimentDir, variant.index, (current) => {
      const { index, values } = current;
      const runId = record?.id ?? current.runId;
      return { index, values, status, ...(runId ? { runId } : {}), ...(why ? { error: why } : {}) };
    }),
  );
}

/** The run of an unfinished variant, trained again from scratch: it goes (a completed run is never deleted). */
async function deletePartialRun(runsDir: string, runId: string): Promise<void> {
  const runDir = runDirFor(runsDir, runId);
  try {
    const { record } = await readRun(runDir, { maxLines: 1 });
    if (record.status === 'completed' || record.status === 'running') return;
    await deleteRun(runDir, runsDir);
  } catch {
    // already gone or unreadable: nothing of the variant's to keep or delete
  }
}

/**
 * After a queue that died: each variant it left `running` takes its run's outcome when the run
 * completed or failed; an interrupted or stopped run, or none, makes the variant pending again, to
 * be trained from scratch. A run still live elsewhere keeps its variant `running`.
 */
async function recoverVariants(experimentDir: string, runsDir: string): Promise<void> {
  const experiment = readExperimentSync(experimentDir);
  const left = experiment.variants.filter((variant) => variant.status === 'running');
  if (left.length === 0) return;
  const runs = await listRuns(runsDir);
  for (const variant of left) {
    // The newest run of this variant: a queue killed before recording the run's id still finds it.
    const run = variant.runId ? runs.find((record) => record.id === variant.runId) : runs.find((record) => record.experiment?.id === experiment.id && record.experiment.variant === variant.index);
    // A stopped run counts as unfinished: a user's stop is recorded by the queue as it happens, so a
    // run stopped under a `running` variant was stopped by the queue's end (a trainer child stops
    // when its parent goes away).
    const outcome = run?.status === 'running' ? 'running' : run?.status === 'completed' ? 'completed' : run?.status === 'failed' ? 'failed' : 'pending';
    updateVariant(experimentDir, variant.index, ({ index, values }) => ({ index, values, status: outcome, ...(run ? { runId: run.id } : {}) }));
  }
}
