// The panel's view state and the reducer that applies host messages to it. The DOM layer only
// renders what is here, so everything the page shows can be tested without a browser.
//
// Series arrays are appended in place: copying a 100k-point run on every message would make a
// long run quadratic. `version` counts changes, so the renderer can skip frames with none.
// Applying the same data twice is harmless (batches at or before the last step and epochs
// already seen are dropped), which lets the host replay a live session's events after loading
// the same run from disk.

import type { TrainerEvent } from '../../../src/channels/trainer';
import type { HostToWebview, PanelRunAction } from '../../../src/channels/webview';
import type { ExperimentPageData } from '../../../src/channels/experiment';
import type { BackendInfo, EvaluationResult, MetricsLine, RunRecord, RunStatus } from '../../../src/runs/format';
import type { ModelSummary } from '../../../src/model/types';
import { batchValue, examplesSeen } from './batchValues';
import { applyInsideMessage, emptyInside, type InsideState } from './inside';
import type { Point } from './decimate';

export interface RunView {
  runId?: string;
  /** The run as the Runs view names it (sent by the host, which knows the other runs to number it). */
  name?: string;
  record?: RunRecord;
  modelFile?: string;
  dataset?: string;
  status: RunStatus | 'starting';
  summary?: ModelSummary;
  backend?: BackendInfo;
  epochsPlanned: number;
  stepsPerEpoch?: number;
  /** Epoch and batch (as the trainer numbers them, from 0) of the latest batch seen. */
  currentEpoch?: number;
  currentBatch?: number;
  lastStep: number;
  /**
   * Per-batch values by name, x = global step. The trainer reports running means over the epoch
   * so far (Keras's progress bar); these are the values of the batches themselves, recovered from
   * consecutive running means (see `batchValue`), so the curve does not drop at each new epoch.
   */
  batchSeries: Record<string, Point[]>;
  /** Examples per batch (run.json's training block), to weigh running means; unknown → every batch counts the same. */
  batchSize?: number;
  /** Training examples per epoch (the `started` event), the size of an epoch's last, possibly smaller, batch. */
  trainExamples?: number;
  /** The running means of the latest batch accepted, to recover the next batch's own value. */
  lastRunning?: { epoch: number; batch: number; seen?: number; logs: Record<string, number> };
  /** Per-epoch logs by name, x = epoch number counted from 1 (as Keras prints `Epoch 1/10`). */
  epochSeries: Record<string, Point[]>;
  /** Last global step of each finished epoch (key: epoch from 1), to place epoch values on the step axis. */
  epochEndStep: Record<number, number>;
  epochsCompleted: number;
  imagesPerSecond?: number;
  startedAtMs?: number;
  endedAtMs?: number;
  progressMessage?: string;
  progressFraction?: number;
  evaluation?: EvaluationResult;
  error?: { message: string; hint?: string };
  /** What the host says about the metrics it read (unreadable lines skipped, a sampled history). */
  notes?: string[];
  /** Misclassified example images (key: file path relative to the run folder) as data: URIs. */
  images: Record<string, string>;
  canStop: boolean;
  /** Whether the run folder holds a saved model (the host's `files` message, a `checkpoint` event); unknown → not offered. */
  savedModel?: boolean;
  /** The earlier run a resumed run continues: its id, its name as the Runs view shows it, whether it is still on disk. */
  continues?: { runId: string; title: string; exists: boolean };
  /** The run folder is gone (deleted): the page says so and offers only to close. */
  gone?: { folder: string };
  /** The Inside tab: filters, feature maps and Grad-CAM of the run's model for an image (see ./inside). */
  inside?: InsideState;
}

export type ViewState =
  | { mode: 'empty'; version: number }
  | { mode: 'run'; version: number; run: RunView }
  /** `missing`: runs asked for that are gone from disk (deleted), by the name they had; the page says they were left out. */
  | { mode: 'compare'; version: number; runs: RunView[]; missing?: { runId: string; name: string }[] }
  /** A sweep's variants and results (the experiment panel), replaced whole by each `experiment` message. */
  | { mode: 'experiment'; version: number; experiment: ExperimentPageData };

export function initialState(): ViewState {
  return { mode: 'empty', version: 0 };
}

export function emptyRun(): RunView {
  return {
    status: 'starting',
    epochsPlanned: 0,
    lastStep: -1,
    batchSeries: {},
    epochSeries: {},
    epochEndStep: {},
    epochsCompleted: 0,
    images: {},
    canStop: false,
  };
}

export function runFromDisk(record: RunRecord, metrics: readonly MetricsLine[], notes?: readonly string[]): RunView {
  const run = emptyRun();
  applyRecord(run, record);
  if (notes && notes.length > 0) run.notes = [...notes];
  for (const line of metrics) applyMetricsLine(run, line);
  // The record is authoritative for the count (a resumed run's metrics may start mid-way).
  run.epochsCompleted = Math.max(run.epochsCompleted, record.epochsCompleted);
  run.stepsPerEpoch = stepsPerEpochFrom(run.epochEndStep);
  return run;
}

function applyRecord(run: RunView, record: RunRecord): void {
  run.record = record;
  run.runId = record.id;
  run.modelFile = record.modelFile;
  run.dataset = record.dataset;
  run.status = record.status;
  run.summary = record.summary;
  run.backend = record.backend ?? run.backend;
  run.epochsPlanned = record.epochsPlanned;
  run.batchSize = record.training?.batchSize ?? run.batchSize;
  run.evaluation = record.evaluation ?? run.evaluation;
  run.error = record.error ?? run.error;
  if (record.resumedFrom && run.continues?.runId !== record.resumedFrom) {
    // Named by id until the host says how the Runs view names it.
    run.continues = { runId: record.resumedFrom, title: record.resumedFrom, exists: true };
  }
  const started = Date.parse(record.startedAt);
  if (!Number.isNaN(started)) run.startedAtMs = started;
  const ended = record.endedAt ? Date.parse(record.endedAt) : NaN;
  if (!Number.isNaN(ended)) run.endedAtMs = ended;
}

/** run.json does not record steps per epoch; the last steps of consecutive epochs (or of epoch 1, steps counting from 0) give it. */
function stepsPerEpochFrom(epochEndStep: Record<number, number>): number | undefined {
  const epochs = Object.keys(epochEndStep).map(Number).sort((a, b) => a - b);
  for (let i = 1; i < epochs.length; i++) {
    if (epochs[i] === epochs[i - 1] + 1) return epochEndStep[epochs[i]] - epochEndStep[epochs[i - 1]];
  }
  return epochs[0] === 1 ? epochEndStep[1] + 1 : undefined;
}

export function applyMetricsLine(run: RunView, line: MetricsLine): void {
  if (line.kind === 'batch') addBatch(run, line.epoch, line.batch, line.step, line.logs, seenOf(line));
  else addEpoch(run, line.epoch, line.logs);
}

/**
 * Examples the trainer had seen in the epoch when it reported a running mean, if it says so (a
 * `seen` field on batch items and lines); older runs do not, and it is worked out from the batch.
 */
function seenOf(item: object): number | undefined {
  const seen = (item as { seen?: unknown }).seen;
  return typeof seen === 'number' && seen > 0 ? seen : undefined;
}

function addBatch(run: RunView, epoch: number, batch: number, step: number, logs: Record<string, number>, reportedSeen?: number): void {
  if (step <= run.lastStep) return;
  run.lastStep = step;
  run.currentEpoch = epoch;
  run.currentBatch = batch;
  const last = run.lastRunning;
  const sameEpoch = last !== undefined && last.epoch === epoch && last.batch < batch;
  // Counts the trainer reported are used only in pairs: never one reported and one worked out.
  const reported = reportedSeen !== undefined && last?.seen !== undefined ? { seen: reportedSeen, previous: last.seen } : undefined;
  const seen = reported?.seen ?? examplesSeen(batch, run.batchSize, run.trainExamples);
  const previousSeen = !sameEpoch ? 0 : (reported?.previous ?? examplesSeen(last.batch, run.batchSize, run.trainExamples));
  for (const [name, value] of Object.entries(logs)) {
    const previousMean = sameEpoch ? last.logs[name] : undefined;
    const y = previousMean === undefined ? value : batchValue(value, seen, { mean: previousMean, seen: previousSeen });
    (run.batchSeries[name] ??= []).push({ x: step, y });
  }
  run.lastRunning = { epoch, batch, seen: reportedSeen, logs };
}

function addEpoch(run: RunView, epoch: number, logs: Record<string, number>): void {
  const epochNumber = epoch + 1;
  if (run.epochEndStep[epochNumber] !== undefined) return;
  run.epochEndStep[epochNumber] = run.lastStep >= 0 ? run.lastStep : epochNumber * (run.stepsPerEpoch ?? 1);
  run.epochsCompleted += 1;
  for (const [name, value] of Object.entries(logs)) {
    (run.epochSeries[name] ??= []).push({ x: epochNumber, y: value });
  }
}

export function applyTrainerEvent(run: RunView, event: TrainerEvent, now: number): void {
  switch (event.type) {
    case 'started':
      run.runId = event.runId;
      run.backend = event.backend;
      run.summary = event.summary;
      run.epochsPlanned = event.epochs;
      run.stepsPerEpoch = event.stepsPerEpoch;
      run.trainExamples = event.examples?.train ?? run.trainExamples;
      run.status = 'running';
      run.startedAtMs ??= now;
      run.progressMessage = undefined;
      run.progressFraction = undefined;
      return;
    case 'progress':
      run.progressMessage = event.message;
      run.progressFraction = event.fraction;
      return;
    case 'batches':
      for (const item of event.items) addBatch(run, event.epoch, item.batch, item.step, item.logs, seenOf(item));
      run.imagesPerSecond = event.imagesPerSecond;
      run.progressMessage = undefined;
      return;
    case 'epoch':
      addEpoch(run, event.epoch, event.logs);
      return;
    case 'checkpoint':
      run.savedModel = true;
      return;
    case 'evaluation':
      run.evaluation = event.result;
      return;
    case 'finished':
      applyRecord(run, event.record);
      run.epochsCompleted = Math.max(run.epochsCompleted, event.record.epochsCompleted);
      run.status = event.status;
      run.endedAtMs ??= now;
      run.canStop = false;
      run.progressMessage = undefined;
      run.progressFraction = undefined;
      return;
    case 'failed':
      if (event.record) applyRecord(run, event.record);
      run.status = 'failed';
      run.error = { message: event.message, hint: event.hint ?? event.record?.error?.hint };
      run.endedAtMs ??= now;
      run.canStop = false;
      // "Preparing · Loading mnist" no longer describes anything: the failure does.
      run.progressMessage = undefined;
      run.progressFraction = undefined;
      return;
  }
}

/** Applies one host message. Returns the same object when it was changed in place, a new one when the mode changed. */
export function reduce(state: ViewState, message: HostToWebview, now: number): ViewState {
  switch (message.type) {
    case 'load': {
      const run = runFromDisk(message.record, message.metrics, message.notes);
      if (state.mode === 'run' && state.run.runId === message.record.id) {
        run.images = state.run.images;
        run.canStop = state.run.canStop && run.status === 'running';
        run.savedModel ??= state.run.savedModel;
        if (state.run.continues?.runId === run.continues?.runId) run.continues = state.run.continues ?? run.continues;
        run.gone = state.run.gone;
        run.name = state.run.name;
        run.inside = state.run.inside;
      }
      return { mode: 'run', version: state.version + 1, run };
    }
    case 'starting': {
      const run = emptyRun();
      run.modelFile = message.modelFile;
      run.dataset = message.dataset;
      run.epochsPlanned = message.epochs;
      run.startedAtMs = now;
      run.canStop = true;
      return { mode: 'run', version: state.version + 1, run };
    }
    case 'event':
      if (state.mode !== 'run') return state;
      applyTrainerEvent(state.run, message.event, now);
      state.version += 1;
      return state;
    case 'live':
      if (state.mode !== 'run') return state;
      state.run.canStop = message.canStop && (state.run.status === 'running' || state.run.status === 'starting');
      state.version += 1;
      return state;
    case 'images':
      if (state.mode !== 'run' || state.run.runId !== message.runId) return state;
      for (const image of message.images) state.run.images[image.file] = image.dataUri;
      state.version += 1;
      return state;
    case 'files':
      if (state.mode !== 'run' || state.run.runId !== message.runId) return state;
      state.run.savedModel = message.savedModel;
      state.version += 1;
      return state;
    case 'name':
      // A live run learns its id from the `started` event, which the host posts before the name.
      if (state.mode !== 'run' || state.run.runId !== message.runId) return state;
      state.run.name = message.name;
      state.version += 1;
      return state;
    case 'continues':
      if (state.mode !== 'run' || state.run.runId !== message.runId) return state;
      state.run.continues = { ...message.from };
      state.version += 1;
      return state;
    case 'gone': {
      if (state.mode === 'compare') return state;
      if (state.mode === 'run' && message.runId !== undefined && state.run.runId !== undefined && state.run.runId !== message.runId) return state;
      if (state.mode === 'run') {
        state.run.gone = { folder: message.folder };
        state.run.canStop = false;
        state.version += 1;
        return state;
      }
      // Restored after a reload with nothing on disk: a page that says so, not "Loading run…" forever.
      const run = emptyRun();
      run.runId = message.runId;
      run.gone = { folder: message.folder };
      return { mode: 'run', version: state.version + 1, run };
    }
    case 'insideBusy':
    case 'insideResult':
    case 'insideError':
      if (state.mode !== 'run' || state.run.runId !== message.runId) return state;
      state.run.inside = applyInsideMessage(state.run.inside ?? emptyInside(), message);
      state.version += 1;
      return state;
    case 'compare':
      return {
        mode: 'compare',
        version: state.version + 1,
        runs: message.runs.map(({ record, metrics, notes, name }) => ({ ...runFromDisk(record, metrics, notes), name })),
        ...(message.missing && message.missing.length > 0 ? { missing: message.missing.map((run) => ({ ...run })) } : {}),
      };
    case 'experiment':
      return { mode: 'experiment', version: state.version + 1, experiment: message.experiment };
  }
}

/**
 * The run actions that can work for the run on screen, in toolbar order: none for a deleted run or
 * one without an id yet; Export Model only with a saved model; CSV and TensorBoard only with metrics.
 */
export function availableActions(run: RunView): PanelRunAction[] {
  if (run.gone || run.runId === undefined) return [];
  const hasMetrics = Object.values(run.batchSeries).some((points) => points.length > 0) || Object.values(run.epochSeries).some((points) => points.length > 0);
  const actions: PanelRunAction[] = [];
  if (run.savedModel) actions.push('exportModel');
  if (hasMetrics) actions.push('exportCsv', 'exportTensorBoard');
  actions.push('revealFolder', 'rerun');
  return actions;
}

/** What the status badge says: a deleted run is `deleted`, whatever run.json said before. */
export function displayStatus(run: RunView): RunView['status'] | 'deleted' {
  return run.gone ? 'deleted' : run.status;
}

export interface Progress {
  /** 0…1 of the planned epochs. */
  fraction: number;
  elapsedSeconds?: number;
  etaSeconds?: number;
}

export function progressOf(run: RunView, now: number): Progress {
  const planned = run.epochsPlanned;
  let done = run.epochsCompleted;
  const inEpoch = run.currentEpoch !== undefined && run.epochEndStep[run.currentEpoch + 1] === undefined;
  if (inEpoch && run.stepsPerEpoch && run.currentBatch !== undefined) {
    done += Math.min(1, (run.currentBatch + 1) / run.stepsPerEpoch);
  }
  const finished = run.status === 'completed';
  const fraction = finished ? 1 : planned > 0 ? Math.min(1, done / planned) : 0;
  const end = run.endedAtMs ?? now;
  const elapsedSeconds = run.startedAtMs !== undefined ? Math.max(0, (end - run.startedAtMs) / 1000) : undefined;
  const live = run.status === 'running';
  const etaSeconds =
    live && elapsedSeconds !== undefined && fraction > 0 && fraction < 1
      ? (elapsedSeconds * (1 - fraction)) / fraction
      : undefined;
  return { fraction, elapsedSeconds, etaSeconds };
}

/** `1:05:09`, `4:07`, `0:42`, for elapsed time and ETA. */
export function formatClock(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
