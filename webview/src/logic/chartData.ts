// From a run's series to the lines a chart draws: which log names make up a family (loss,
// accuracy), smoothing, and decimation. Smoothing runs over the full series before decimation,
// so the smoothed curve does not depend on the chart's width.

import { decimateMinMax, type Point } from './decimate';
import { IncrementalSmoother, type Smoothing } from './smooth';
import type { RunView } from './state';

export type Granularity = 'batch' | 'epoch';
export type MetricFamily = 'loss' | 'accuracy';

export interface ChartOptions {
  granularity: Granularity;
  smoothing: Smoothing;
  /** Most points drawn per line. */
  maxPoints: number;
  /** Draw the unsmoothed batch line faintly behind the smoothed one (off when overlaying runs: too busy). */
  showRaw: boolean;
}

export interface LineSeries {
  label: string;
  role: 'train' | 'validation';
  /** The unsmoothed line drawn faintly behind its smoothed version. */
  faint: boolean;
  runIndex: number;
  points: Point[];
  /** Points in the series before decimation. */
  rawCount: number;
}

const FAMILY_KEYS: Record<MetricFamily, string[]> = {
  loss: ['loss'],
  accuracy: ['acc', 'accuracy'],
};

function firstPresent(series: Record<string, Point[]>, names: readonly string[]): string | undefined {
  return names.find((name) => (series[name]?.length ?? 0) > 0);
}

export function familyKeys(run: RunView, family: MetricFamily): { train?: string; validation?: string } {
  const names = FAMILY_KEYS[family];
  const all = { ...run.epochSeries, ...run.batchSeries };
  return {
    train: firstPresent(all, names),
    validation: firstPresent(run.epochSeries, names.map((name) => `val_${name}`)),
  };
}

// One smoother per raw series, extended as the series grows; dropped with the series.
const smoothers = new WeakMap<readonly Point[], IncrementalSmoother>();

export function smoothPoints(points: readonly Point[], smoothing: Smoothing): readonly Point[] {
  let smoother = smoothers.get(points);
  if (!smoother) {
    smoother = new IncrementalSmoother();
    smoothers.set(points, smoother);
  }
  return smoother.update(points, smoothing);
}

export function runLines(run: RunView, family: MetricFamily, options: ChartOptions, runIndex = 0, labelPrefix = ''): LineSeries[] {
  const keys = familyKeys(run, family);
  const lines: LineSeries[] = [];
  const add = (label: string, role: LineSeries['role'], faint: boolean, points: readonly Point[], rawCount: number): void => {
    lines.push({ label: labelPrefix + label, role, faint, runIndex, points: decimateMinMax(points, options.maxPoints), rawCount });
  };
  const batchTrain = keys.train ? run.batchSeries[keys.train] : undefined;
  if (options.granularity === 'batch' && batchTrain && batchTrain.length > 0) {
    if (options.smoothing.kind === 'none') {
      add(`${keys.train} (batch)`, 'train', false, batchTrain, batchTrain.length);
    } else {
      if (options.showRaw) add(`${keys.train} (batch, raw)`, 'train', true, batchTrain, batchTrain.length);
      add(`${keys.train} (batch, smoothed)`, 'train', false, smoothPoints(batchTrain, options.smoothing), batchTrain.length);
    }
    if (keys.validation) {
      const onSteps = run.epochSeries[keys.validation].map((point) => ({ x: run.epochEndStep[point.x] ?? point.x, y: point.y }));
      add(keys.validation, 'validation', false, onSteps, onSteps.length);
    }
    return lines;
  }
  const epochTrain = keys.train ? run.epochSeries[keys.train] : undefined;
  if (keys.train && epochTrain && epochTrain.length > 0) add(keys.train, 'train', false, epochTrain, epochTrain.length);
  if (keys.validation) {
    const validation = run.epochSeries[keys.validation];
    add(keys.validation, 'validation', false, validation, validation.length);
  }
  return lines;
}

/** Total points drawn, exposed on the page for tests and for the curious. */
export function drawnPoints(lines: readonly LineSeries[]): number {
  return lines.reduce((sum, line) => sum + line.points.length, 0);
}
