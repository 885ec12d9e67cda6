// How an experiment's variants compare: each variant's metric from its run and the best variant by
// the sweep's metric and goal. Pure (no Node, no vscode), so the extension, the CLI table and the
// webview's experiment panel rank variants the same way.

import { metricKeys, type SweepMetric } from '../model/sweep';
import type { ExperimentFile, ExperimentVariant } from './experiments';
import type { RunRecord } from './format';
import { pickMetric } from './grouping';

/**
 * The run's value of the sweep's metric: at its best epoch (run.json's bestMetrics, the epoch the
 * checkpoint kept), else at its last epoch.
 */
export function runMetric(record: RunRecord | undefined, metric: SweepMetric): number | undefined {
  if (!record) return undefined;
  const keys = metricKeys(metric);
  return pickMetric(record.bestMetrics, keys) ?? pickMetric(record.finalMetrics, keys);
}

export interface RankedVariant {
  variant: ExperimentVariant;
  record: RunRecord;
  value: number;
}

/** The completed variants that have a value of the metric, best first (ties: the earlier variant first). */
export function rankVariants(experiment: Pick<ExperimentFile, 'variants' | 'spec'>, records: Iterable<RunRecord>): RankedVariant[] {
  const byId = new Map<string, RunRecord>();
  for (const record of records) byId.set(record.id, record);
  const { metric } = experiment.spec;
  const ranked: RankedVariant[] = [];
  for (const variant of experiment.variants) {
    const record = variant.status === 'completed' && variant.runId ? byId.get(variant.runId) : undefined;
    const value = runMetric(record, metric);
    if (record && value !== undefined) ranked.push({ variant, record, value });
  }
  const sign = metric.goal === 'max' ? -1 : 1;
  return ranked.sort((a, b) => sign * (a.value - b.value) || a.variant.index - b.variant.index);
}

/** The best completed variant by the sweep's metric and goal, or undefined before any completed with that metric. */
export function bestVariant(experiment: Pick<ExperimentFile, 'variants' | 'spec'>, records: Iterable<RunRecord>): RankedVariant | undefined {
  return rankVariants(experiment, records)[0];
}
