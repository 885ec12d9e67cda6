// How the sidebar and the compare table describe runs: grouping by model file, the best
// validation accuracy, duration and "started … ago". Pure: no vscode, no Node, so it is tested
// with fixed clocks and reused by the webview.

import type { Logs, RunRecord, RunStatus } from '../protocol';

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

export function runTitle(record: RunRecord): string {
  return record.label && record.label.trim() !== '' ? record.label : record.id;
}

/**
 * Groups runs by model file, newest run first in each group and the group with the newest run
 * first. `modelKey` says which file a run belongs to (the sidebar passes the absolute path, so
 * equal relative paths in two workspace folders stay apart).
 */
export function groupRunsByModel(records: readonly RunRecord[], now: number, modelKey: (record: RunRecord) => string = (record) => record.modelFile): ModelGroup[] {
  const byModel = new Map<string, RunRow[]>();
  for (const record of records) {
    const row: RunRow = {
      record,
      title: runTitle(record),
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

/** One line for a run: `val_acc 0.912 · shapes · 3m 05s · 3 min ago`. */
export function describeRun(record: RunRecord, now: number): string {
  const parts: string[] = [];
  const best = bestValAccuracy(record);
  if (best !== undefined) parts.push(`val_acc ${formatAccuracy(best)}`);
  parts.push(record.dataset);
  const duration = runDurationMs(record, now);
  if (duration !== undefined) parts.push(formatDuration(duration));
  parts.push(formatRelativeTime(record.startedAt, now));
  return parts.join(' · ');
}
