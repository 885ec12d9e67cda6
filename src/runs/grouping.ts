// How the sidebar and the compare table describe runs: grouping by model file, the best
// validation accuracy, duration and "started … ago". Pure: no vscode, no Node, so it is tested
// with fixed clocks and reused by the webview.

import type { SweepMetric, SweepValue } from '../model/sweep';
import type { Logs, RunRecord, RunStatus } from './format';

export interface RunRow {
  record: RunRecord;
  title: string;
  status: RunStatus;
  bestValAccuracy?: number;
  durationMs?: number;
}

export interface ModelGroup {
  /** The grouping key: the model file as the run records it, or the caller's `modelKey`. */
  modelFile: string;
  /** Newest first. */
  runs: RunRow[];
  latest: RunRow;
}

// Keras 2 logs `acc`/`val_acc`, tf.keras and tfjs with `metrics: ['accuracy']` log `accuracy`.
const VAL_ACCURACY_KEYS = ['val_acc', 'val_accuracy'];
const ACCURACY_KEYS = ['acc', 'accuracy'];

export function pickMetric(logs: Logs | undefined, keys: readonly string[]): number | undefined {
  if (!logs) return undefined;
  for (const key of keys) {
    const value = logs[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

export function valAccuracy(logs: Logs | undefined): number | undefined {
  return pickMetric(logs, VAL_ACCURACY_KEYS);
}

export function trainAccuracy(logs: Logs | undefined): number | undefined {
  return pickMetric(logs, ACCURACY_KEYS);
}

/**
 * Orders values by a sweep's goal, best first; a missing value (a variant not trained yet, or
 * failed) after every known one.
 */
export function compareByGoal(a: number | undefined, b: number | undefined, goal: SweepMetric['goal']): number {
  if (a === undefined || b === undefined) return (a === undefined ? 1 : 0) - (b === undefined ? 1 : 0);
  return goal === 'max' ? b - a : a - b;
}

/** Best validation accuracy of a run: the recorded best, else the final value. */
export function bestValAccuracy(record: RunRecord): number | undefined {
  return valAccuracy(record.bestMetrics) ?? valAccuracy(record.finalMetrics);
}

/** Wall time of the run; a run still going counts up to `now`. */
export function runDurationMs(record: RunRecord, now: number): number | undefined {
  const start = Date.parse(record.startedAt);
  if (Number.isNaN(start)) return undefined;
  const end = record.endedAt ? Date.parse(record.endedAt) : record.status === 'running' ? now : NaN;
  if (Number.isNaN(end)) return undefined;
  return Math.max(0, end - start);
}

/** The model's name as runs show it: the model file's name without folders or `.model.json`/`.model.ts`. */
export function modelName(modelFile: string): string {
  const base = modelFile.split(/[\\/]/).pop() ?? modelFile;
  return base.replace(/\.model\.(json|ts)$/i, '').replace(/\.(json|ts)$/i, '') || base;
}

/**
 * Each run's number among the runs of its model, counted from 1 in the order they started (ties
 * by id), so "cnn #3" is the third run of cnn and keeps its number when newer runs appear.
 * `modelKey` says which runs share a model (by default run.json's `modelFile`).
 */
export function runNumbers(records: readonly RunRecord[], modelKey: (record: RunRecord) => string = (record) => record.modelFile): Map<RunRecord, number> {
  const byModel = new Map<string, RunRecord[]>();
  for (const record of records) {
    const key = modelKey(record);
    byModel.set(key, [...(byModel.get(key) ?? []), record]);
  }
  const numbers = new Map<RunRecord, number>();
  for (const runs of byModel.values()) {
    runs.sort((a, b) => startTime(a) - startTime(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    runs.forEach((record, index) => numbers.set(record, index + 1));
  }
  return numbers;
}

/**
 * The short readable name of a run, used wherever a run is named (Runs view, quick picks,
 * notifications, panel titles, compare legends): the user's label when set, else
 * `<model name> #<run number of that model>`. Give `siblings` (the runs known, this one included)
 * for the number; without them the start time stands in (`cnn · 2026-12-01 11:02`). The id is for
 * tooltips only.
 */
export function runTitle(record: RunRecord, siblings?: readonly RunRecord[]): string {
  if (record.label && record.label.trim() !== '') return record.label.trim();
  const name = modelName(record.modelFile);
  if (siblings) {
    // The run among its siblings by id: `record` may be another copy of the same run.json.
    const same = siblings.some((other) => other.id === record.id) ? siblings.map((other) => (other.id === record.id ? record : other)) : [...siblings, record];
    const number = runNumbers(same.filter((other) => other.modelFile === record.modelFile)).get(record);
    if (number !== undefined) return `${name} #${number}`;
  }
  const started = new Date(record.startedAt);
  if (Number.isNaN(started.getTime())) return name;
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${name} · ${started.getFullYear()}-${two(started.getMonth() + 1)}-${two(started.getDate())} ${two(started.getHours())}:${two(started.getMinutes())}`;
}

/** Best validation loss of a run: the recorded best, else the final value. */
export function bestValLoss(record: RunRecord): number | undefined {
  return pickMetric(record.bestMetrics, ['val_loss']) ?? pickMetric(record.finalMetrics, ['val_loss']);
}

/**
 * The result that matters, each number named: `test acc 0.908 (val_acc 0.927)` once the run was
 * evaluated, else `val_acc 0.927` (best), else `val_loss 0.312`; `undefined` before any.
 */
export function formatRunResult(record: RunRecord): string | undefined {
  const val = bestValAccuracy(record);
  const valText = val !== undefined ? `val_acc ${formatAccuracy(val)}` : undefined;
  const test = record.evaluation?.accuracy;
  if (typeof test === 'number' && Number.isFinite(test)) return `test acc ${formatAccuracy(test)}${valText ? ` (${valText})` : ''}`;
  if (valText) return valText;
  const loss = bestValLoss(record);
  return loss !== undefined ? `val_loss ${loss.toFixed(3)}` : undefined;
}

/**
 * Epochs done out of planned, as the panel counts them (`epoch 1/5` once the first epoch ended).
 * Trainer events number epochs from 0: pass `event.epoch + 1` (see `epochsDoneAfter`).
 */
export function formatEpochProgress(epochsCompleted: number, epochsPlanned: number): string {
  return `epoch ${epochsCompleted}/${epochsPlanned || '?'}`;
}

/** Epochs completed once the epoch numbered `epochIndex` (from 0, as in trainer events) ended. */
export function epochsDoneAfter(epochIndex: number): number {
  return epochIndex + 1;
}

/** A run's state in a few words: `running, epoch 1/5`, or its status and result (`completed · test acc 0.908 (val_acc 0.927)`). */
export function runStatusText(record: RunRecord, liveEpochsCompleted?: number): string {
  if (record.status === 'running') return `running, ${formatEpochProgress(Math.max(record.epochsCompleted, liveEpochsCompleted ?? 0), record.epochsPlanned)}`;
  const result = formatRunResult(record);
  return result ? `${record.status} · ${result}` : record.status;
}

/** `#fast #augmented` from the run's tags, or '' without any. */
export function formatTags(record: RunRecord): string {
  return (record.tags ?? []).filter((tag) => tag.trim() !== '').map((tag) => `#${tag.trim()}`).join(' ');
}

/**
 * Groups runs by model file, newest run first in each group and the group with the newest run
 * first. `modelKey` says which file a run belongs to (the sidebar passes the absolute path, so
 * equal relative paths in two workspace folders stay apart).
 */
export function groupRunsByModel(records: readonly RunRecord[], now: number, modelKey: (record: RunRecord) => string = (record) => record.modelFile): ModelGroup[] {
  const byModel = new Map<string, RunRow[]>();
  const numbers = runNumbers(records, modelKey);
  for (const record of records) {
    const row: RunRow = {
      record,
      title: record.label && record.label.trim() !== '' ? record.label.trim() : `${modelName(record.modelFile)} #${numbers.get(record)}`,
      status: record.status,
      bestValAccuracy: bestValAccuracy(record),
      durationMs: runDurationMs(record, now),
    };
    const key = modelKey(record);
    const rows = byModel.get(key) ?? [];
    rows.push(row);
    byModel.set(key, rows);
  }
  const groups: ModelGroup[] = [];
  for (const [modelFile, runs] of byModel) {
    runs.sort((a, b) => startTime(b.record) - startTime(a.record));
    groups.push({ modelFile, runs, latest: runs[0] });
  }
  groups.sort((a, b) => startTime(b.latest.record) - startTime(a.latest.record));
  return groups;
}

function startTime(record: RunRecord): number {
  const time = Date.parse(record.startedAt);
  return Number.isNaN(time) ? 0 : time;
}

/** `42s`, `3m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** `just now`, `3 min ago`, `2 h ago`, `yesterday`, `5 days ago`, then the date. */
export function formatRelativeTime(thenIso: string, now: number): string {
  const then = Date.parse(thenIso);
  if (Number.isNaN(then)) return 'unknown time';
  const seconds = Math.max(0, (now - then) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 30) return `${days} days ago`;
  return new Date(then).toISOString().slice(0, 10);
}

export function formatAccuracy(value: number | undefined): string {
  return value === undefined ? '—' : value.toFixed(3);
}

/**
 * One line for a run: `val_acc 0.912 · shapes · 3m 05s · 3 min ago`, with the test accuracy first
 * once evaluated (`test acc 0.908 (val_acc 0.927) · …`), `running, epoch 1/5` for a live run. Its
 * tags come first (`#fast · test acc …`): the line is cut at the sidebar's edge, and tags cut off
 * are tags never seen.
 */
export function describeRun(record: RunRecord, now: number, liveEpochsCompleted?: number): string {
  const parts: string[] = [];
  const tags = formatTags(record);
  if (tags) parts.push(tags);
  if (record.status === 'running') parts.push(runStatusText(record, liveEpochsCompleted));
  else {
    const result = formatRunResult(record);
    if (result !== undefined) parts.push(result);
  }
  parts.push(record.dataset);
  const duration = runDurationMs(record, now);
  if (duration !== undefined) parts.push(formatDuration(duration));
  parts.push(formatRelativeTime(record.startedAt, now));
  return parts.join(' · ');
}

export function formatSweepValue(value: SweepValue): string {
  return typeof value === 'string' ? value : String(value);
}

/** When the newest of `runs` started (ms since the epoch; 0 when none can be read). */
export function newestStart(runs: readonly RunRecord[]): number {
  return Math.max(0, ...runs.map(startTime));
}
