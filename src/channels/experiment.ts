// What the experiment panel's page is sent about one sweep (the `experiment` message of
// ./webview): the queue's variants with their runs' results, in the sweep's order. The page
// sorts, ranks and draws it; it never reads the disk.

import type { SweepMetric, SweepValue } from '../model/sweep';
import type { ExperimentState, VariantStatus } from '../runs/experimentStatus';

// The page orders its rows by the variant status it is sent.
export type { VariantStatus };

export interface ExperimentRowData {
  /** 0-based index of the variant in the experiment. */
  variant: number;
  values: Record<string, SweepValue>;
  /** The values in one line (`lr=0.004 · conv2d.filters=16`), as the Runs view writes them. */
  label: string;
  status: VariantStatus;
  runId?: string;
  /** The run as the Runs view names it (`cnn #5`). */
  runName?: string;
  /** The run's value of the sweep's metric (best epoch, else final). */
  metric?: number;
  epochsCompleted?: number;
  epochsPlanned?: number;
  durationMs?: number;
  /** For an invalid variant: what the model core said. */
  problems?: string[];
  /** The sweep's metric per epoch (x: epoch from 1), for the overlaid curves. */
  curve?: { x: number; y: number }[];
}

export interface ExperimentPageData {
  id: string;
  name: string;
  /** The model file as the workspace shows it. */
  modelFile: string;
  state: ExperimentState;
  method: 'grid' | 'random';
  metric: SweepMetric;
  /** The swept keys, in the sweep's order (the table's and the plot's columns). */
  keys: string[];
  rows: ExperimentRowData[];
}
