// The runs of sweeps as the Runs view shows them: grouped by experiment, best first by the
// sweep's metric and goal (runMetric: val_acc and val_accuracy the same), each named by its values
// and result. Pure (no vscode, no Node). Kept apart from ./grouping, which the panel's page also
// loads: this one needs the model core's sweep vocabulary.

import { variantLabel as variantValuesText, type SweepMetric, type SweepValue } from '../model/sweep';
import { runMetric } from './experimentResults';
import type { ExperimentRef, RunRecord } from './format';
import { compareByGoal, formatAccuracy, newestStart } from './grouping';

/** A run of a sweep. */
export type VariantRun = RunRecord & { experiment: ExperimentRef };

/** `lr=0.004 · conv2d.filters=16`: a variant's values in the order the sweep lists its keys. */
export function formatVariantValues(values: Readonly<Record<string, SweepValue>>): string {
  return Object.entries(values)
    .map(([key, value]) => variantValuesText({ [key]: value }))
    .join(' · ');
}

/** `lr=0.004 · conv2d.filters=16 — val_acc 0.912`: a sweep's run named by its values and its result. */
export function variantLabel(record: VariantRun): string {
  const values = formatVariantValues(record.experiment.values) || `variant ${record.experiment.variant + 1}`;
  const value = runMetric(record, record.experiment.metric);
  return value === undefined ? values : `${values} — ${record.experiment.metric.name} ${formatAccuracy(value)}`;
}

export interface ExperimentGroup {
  /** The experiment as its newest run records it (name, metric, variant count). */
  ref: ExperimentRef;
  /** Best first by the experiment's metric and goal; runs without a value last, by variant. */
  runs: VariantRun[];
}

/** The runs of sweeps by experiment id (newest experiment first), and the runs of no sweep, in their order. */
export function groupByExperiment(records: readonly RunRecord[]): { experiments: ExperimentGroup[]; others: RunRecord[] } {
  const byId = new Map<string, VariantRun[]>();
  const others: RunRecord[] = [];
  for (const record of records) {
    if (!record.experiment) {
      others.push(record);
      continue;
    }
    byId.set(record.experiment.id, [...(byId.get(record.experiment.id) ?? []), record as VariantRun]);
  }
  const experiments = [...byId.values()].map((runs) => {
    const newest = runs.reduce((latest, run) => (newestStart([run]) > newestStart([latest]) ? run : latest));
    return { ref: newest.experiment, runs: rankExperimentRuns(runs, newest.experiment.metric) };
  });
  experiments.sort((a, b) => newestStart(b.runs) - newestStart(a.runs));
  return { experiments, others };
}

/** Runs best first by `metric`; ties and runs without a value by variant index, then start time. */
export function rankExperimentRuns(runs: readonly VariantRun[], metric: SweepMetric): VariantRun[] {
  return [...runs].sort(
    (a, b) =>
      compareByGoal(runMetric(a, metric), runMetric(b, metric), metric.goal) ||
      a.experiment.variant - b.experiment.variant ||
      newestStart([a]) - newestStart([b]),
  );
}
