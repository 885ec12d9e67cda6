// metrics.jsonl as CSV (RFC 4180): one row per batch group and per epoch, one column per log
// name in order of first appearance, so `loss, acc, val_loss, val_acc` read as Keras prints them.
// `writeMetricsCsv` streams a run's metrics.jsonl of any size to a file (two passes: the log names
// for the header, then the rows), skipping and counting lines that are not metrics lines.

import { open } from 'node:fs/promises';
import type { MetricsLine } from './format';
import { streamRunMetrics, type MetricsCount } from './store';

const FIXED_COLUMNS = ['kind', 'epoch', 'batch', 'step', 'time'] as const;
/** More log names than any model has metrics: the rest are left out of the CSV (and the result says how many). */
export const MAX_CSV_LOG_COLUMNS = 1024;
/** Rows gathered before they are written. */
const WRITE_BYTES = 1024 * 1024;

/** Collects log names in order of first appearance, up to `MAX_CSV_LOG_COLUMNS`. */
class LogNames {
  readonly names: string[] = [];
  private readonly seen = new Set<string>();
  leftOut = 0;
  add(line: MetricsLine): void {
    for (const name of Object.keys(line.logs)) {
      if (this.seen.has(name)) continue;
      this.seen.add(name);
      if (this.names.length < MAX_CSV_LOG_COLUMNS) this.names.push(name);
      else this.leftOut += 1;
    }
  }
}

function csvHeader(logNames: readonly string[]): string {
  return [...FIXED_COLUMNS, ...logNames].map(csvField).join(',');
}

function csvRow(line: MetricsLine, logNames: readonly string[]): string {
  const fixed = [line.kind, line.epoch, line.kind === 'batch' ? line.batch : '', line.kind === 'batch' ? line.step : '', line.time];
  const logs = logNames.map((name) => (Object.prototype.hasOwnProperty.call(line.logs, name) ? line.logs[name] : ''));
  return [...fixed, ...logs].map(csvField).join(',');
}

export function metricsToCsv(lines: readonly MetricsLine[]): string {
  const names = new LogNames();
  for (const line of lines) names.add(line);
  const rows: string[] = [csvHeader(names.names)];
  for (const line of lines) rows.push(csvRow(line, names.names));
  return rows.join('\r\n') + '\r\n';
}

export interface CsvExport extends MetricsCount {
  /** Data rows written (one per metrics line). */
  rows: number;
  /** Log names beyond `MAX_CSV_LOG_COLUMNS`, left out. */
  columnsLeftOut: number;
}

/** Writes the metrics of the run folder `runDir` to `target` as CSV, streaming both. */
export async function writeMetricsCsv(runDir: string, target: string): Promise<CsvExport> {
  const names = new LogNames();
  await streamRunMetrics(runDir, (line) => names.add(line));
  const file = await open(target, 'w');
  try {
    let pending: string[] = [csvHeader(names.names)];
    let pendingBytes = 0;
    let rows = 0;
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const text = pending.join('\r\n') + '\r\n';
      pending = [];
      pendingBytes = 0;
      await file.write(text);
    };
    const count = await streamRunMetrics(
      runDir,
      (line) => {
        const row = csvRow(line, names.names);
        pending.push(row);
        pendingBytes += row.length;
        rows += 1;
      },
      { afterChunk: async () => (pendingBytes >= WRITE_BYTES ? flush() : undefined) },
    );
    await flush();
    return { ...count, rows, columnsLeftOut: names.leftOut };
  } finally {
    await file.close();
  }
}

function csvField(value: string | number): string {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan') : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
