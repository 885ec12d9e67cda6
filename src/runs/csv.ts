// metrics.jsonl as CSV (RFC 4180): one row per batch group and per epoch, one column per log
// name in order of first appearance, so `loss, acc, val_loss, val_acc` read as Keras prints them.

import type { MetricsLine } from '../protocol';

const FIXED_COLUMNS = ['kind', 'epoch', 'batch', 'step', 'time'] as const;

export function metricsToCsv(lines: readonly MetricsLine[]): string {
  const logNames: string[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    for (const name of Object.keys(line.logs)) {
      if (!seen.has(name)) {
        seen.add(name);
        logNames.push(name);
      }
    }
  }
  const rows: string[] = [[...FIXED_COLUMNS, ...logNames].map(csvField).join(',')];
  for (const line of lines) {
    const fixed = [
      line.kind,
      line.epoch,
      line.kind === 'batch' ? line.batch : '',
      line.kind === 'batch' ? line.step : '',
      line.time,
    ];
    const logs = logNames.map((name) => (name in line.logs ? line.logs[name] : ''));
    rows.push([...fixed, ...logs].map(csvField).join(','));
  }
  return rows.join('\r\n') + '\r\n';
}

function csvField(value: string | number): string {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan') : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
