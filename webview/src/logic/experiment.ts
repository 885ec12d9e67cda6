// The experiment panel's logic, apart from the DOM: the table's columns and sorting, the best
// variant, which rows the curves show at first, and the parallel-coordinates plot's axes (each
// swept key, then the metric) with every value placed on them from 0 (bottom) to 1 (top).

import type { ExperimentPageData, ExperimentRowData, VariantStatus } from '../../../src/channels/experiment';
import type { SweepMetric, SweepValue } from '../../../src/model/sweep';
import { compareByGoal, formatSweepValue } from '../../../src/runs/grouping';

/** A table column: `value:<key>` for a swept key, else one of the fixed columns. */
export type ColumnId = `value:${string}` | 'variant' | 'metric' | 'epochs' | 'time' | 'status';

export interface SortOrder {
  column: ColumnId;
  descending: boolean;
}

export interface Column {
  id: ColumnId;
  label: string;
}

/** Where each status sorts: results first, then what is still to come, then what never trained. */
const STATUS_ORDER: Record<VariantStatus, number> = { completed: 0, running: 1, stopped: 2, pending: 3, failed: 4, invalid: 5 };

export function columnsOf(data: Pick<ExperimentPageData, 'keys' | 'metric'>): Column[] {
  return [
    { id: 'variant', label: '#' },
    ...data.keys.map((key): Column => ({ id: `value:${key}`, label: key })),
    { id: 'metric', label: data.metric.name },
    { id: 'epochs', label: 'Epochs' },
    { id: 'time', label: 'Time' },
    { id: 'status', label: 'Status' },
  ];
}

/** The table's first order: best first by the sweep's metric. */
export function defaultSort(metric: SweepMetric): SortOrder {
  return { column: 'metric', descending: metric.goal === 'max' };
}

/** A header click: the same column flips its direction, another column starts ascending (the metric: best first). */
export function nextSort(current: SortOrder, column: ColumnId, metric: SweepMetric): SortOrder {
  if (current.column === column) return { column, descending: !current.descending };
  return column === 'metric' ? defaultSort(metric) : { column, descending: false };
}

function sortKey(row: ExperimentRowData, column: ColumnId): SweepValue | undefined {
  switch (column) {
    case 'variant':
      return row.variant;
    case 'metric':
      return row.metric;
    case 'epochs':
      return row.epochsCompleted;
    case 'time':
      return row.durationMs;
    case 'status':
      return STATUS_ORDER[row.status];
    default:
      return row.values[column.slice('value:'.length)];
  }
}

/** Numbers by value, text alphabetically, false before true; across types by type name. */
export function compareValues(a: SweepValue, b: SweepValue): number {
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  if (typeof a === 'number') return a - (b as number);
  if (typeof a === 'boolean') return Number(a) - Number(b);
  return a.localeCompare(b as string);
}

/** The rows in the order asked for; a row without a value in that column last either way, ties by variant. */
export function sortRows(rows: readonly ExperimentRowData[], order: SortOrder): ExperimentRowData[] {
  return [...rows].sort((a, b) => {
    const x = sortKey(a, order.column);
    const y = sortKey(b, order.column);
    if (x === undefined || y === undefined) return (x === undefined ? 1 : 0) - (y === undefined ? 1 : 0) || a.variant - b.variant;
    return (order.descending ? -1 : 1) * compareValues(x, y) || a.variant - b.variant;
  });
}

/** The rows with a result, best first by the sweep's goal (ties by variant). */
export function rankedRows(data: Pick<ExperimentPageData, 'rows' | 'metric'>): ExperimentRowData[] {
  return data.rows
    .filter((row) => row.metric !== undefined && row.status !== 'invalid')
    .sort((a, b) => compareByGoal(a.metric, b.metric, data.metric.goal) || a.variant - b.variant);
}

/** The best variant's index, once any has a result. */
export function bestVariant(data: Pick<ExperimentPageData, 'rows' | 'metric'>): number | undefined {
  return rankedRows(data)[0]?.variant;
}

/** The rows whose curves are shown before the user ticks any: the best and the next ones. */
export function defaultTicked(data: Pick<ExperimentPageData, 'rows' | 'metric'>, count = 3): number[] {
  return rankedRows(data)
    .slice(0, count)
    .map((row) => row.variant);
}

/** One vertical axis of the parallel-coordinates plot. */
export interface Axis {
  key: string;
  label: string;
  scale: 'linear' | 'log' | 'categorical';
  /** The labels written on the axis, at their positions (0 bottom, 1 top). */
  ticks: { label: string; position: number }[];
  position(value: SweepValue | undefined): number | undefined;
}

/** A swept key's axis: numbers on a linear scale (logarithmic when they span a factor of 10 or more, as learning rates do), anything else as evenly spaced categories. */
export function valueAxis(key: string, values: readonly SweepValue[]): Axis {
  const distinct = [...new Set(values)].sort(compareValues);
  const numbers = distinct.filter((value): value is number => typeof value === 'number');
  if (numbers.length === distinct.length && numbers.length > 0) {
    const log = numbers[0] > 0 && numbers[numbers.length - 1] / numbers[0] >= 10;
    const scaled = (value: number): number => (log ? Math.log10(value) : value);
    const position = linear(scaled(numbers[0]), scaled(numbers[numbers.length - 1]));
    const place = (value: SweepValue | undefined): number | undefined => (typeof value === 'number' ? position(scaled(value)) : undefined);
    return { key, label: key, scale: log ? 'log' : 'linear', ticks: numbers.map((value) => ({ label: formatSweepValue(value), position: place(value) as number })), position: place };
  }
  const spacing = (index: number): number => (distinct.length === 1 ? 0.5 : index / (distinct.length - 1));
  return {
    key,
    label: key,
    scale: 'categorical',
    ticks: distinct.map((value, index) => ({ label: formatSweepValue(value), position: spacing(index) })),
    position: (value) => {
      const index = value === undefined ? -1 : distinct.indexOf(value);
      return index < 0 ? undefined : spacing(index);
    },
  };
}

/** The metric's axis: the best value at the top whatever the goal. */
export function metricAxis(metric: SweepMetric, values: readonly number[]): Axis {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const position = linear(low, high);
  const place = (value: SweepValue | undefined): number | undefined => {
    if (typeof value !== 'number') return undefined;
    const fraction = position(value);
    return metric.goal === 'max' ? fraction : 1 - fraction;
  };
  const ticks = values.length === 0 ? [] : [...new Set([low, high])].map((value) => ({ label: value.toFixed(3), position: place(value) as number }));
  return { key: metric.name, label: `${metric.name} (${metric.goal === 'max' ? 'higher' : 'lower'} is better)`, scale: 'linear', ticks, position: place };
}

/** 0…1 across [low, high]; a single value sits in the middle. */
function linear(low: number, high: number): (value: number) => number {
  return (value) => (high === low ? 0.5 : (value - low) / (high - low));
}

export interface ParallelLine {
  variant: number;
  /** One position per axis (the metric's last). */
  positions: number[];
  best: boolean;
}

/** The plot: an axis per swept key, then the metric; a line per variant with a result (values → metric). */
export function parallelCoordinates(data: Pick<ExperimentPageData, 'rows' | 'metric' | 'keys'>): { axes: Axis[]; lines: ParallelLine[] } {
  const rows = rankedRows(data);
  const axes = [
    ...data.keys.map((key) => valueAxis(key, data.rows.flatMap((row) => (row.values[key] === undefined ? [] : [row.values[key]])))),
    metricAxis(data.metric, rows.map((row) => row.metric as number)),
  ];
  const best = rows[0]?.variant;
  const lines = rows.flatMap((row) => {
    const positions = axes.map((axis, index) => axis.position(index < data.keys.length ? row.values[axis.key] : row.metric));
    return positions.every((position) => position !== undefined) ? [{ variant: row.variant, positions: positions as number[], best: row.variant === best }] : [];
  });
  return { axes, lines };
}
