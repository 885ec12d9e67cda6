// The on-disk run format: .cnnlab/runs/<run-id>/run.json and metrics.jsonl, as the trainer writes
// them and the store, the CLI, the extension and the webview read them.

import type { ModelIR, ModelSummary, TrainingConfig } from '../model/types';
import type { SweepMetric, SweepValue } from '../model/sweep';
import type { BackendName } from '../model/vocabulary';

/** The backend a run trained on, as recorded in run.json. */
export interface BackendInfo {
  name: BackendName;
  /** Human-readable device, e.g. `NVIDIA GeForce RTX 4070 (CUDA)`, `llvmpipe (Vulkan)`, `… (WebAssembly, SIMD, 1 thread)`, `CPU (pure JS)`. */
  device: string;
  /** Why each backend tried before this one was passed over. */
  skipped: { name: BackendName; reason: string }[];
}

export type RunStatus = 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted';

/** Keras-style logs: `loss`, `acc`, `val_loss`, `val_acc`, `lr`… */
export type Logs = Record<string, number>;

export interface EvaluationResult {
  loss: number;
  accuracy: number;
  classNames: string[];
  /** confusion[trueClass][predictedClass] = count */
  confusion: number[][];
  perClassAccuracy: number[];
  /** Misclassified test examples saved as PNG inside the run folder. */
  misclassified: { file: string; trueClass: number; predictedClass: number; confidence: number }[];
}

export interface RunRecord {
  id: string;
  /** User-given label (rename/tag in the sidebar); absent means "show the id". */
  label?: string;
  tags?: string[];
  /** Model file path, relative to the workspace (or the CLI's current folder) when inside it. */
  modelFile: string;
  /** Snapshot of the model file's text when the run started. */
  modelSource: string;
  ir: ModelIR;
  summary: ModelSummary;
  dataset: string;
  training: TrainingConfig;
  backend?: BackendInfo;
  status: RunStatus;
  /** ISO-8601 times. */
  startedAt: string;
  endedAt?: string;
  /** Process id of the trainer while `running`, to detect a dead process. */
  pid?: number;
  epochsCompleted: number;
  epochsPlanned: number;
  finalMetrics?: Logs;
  bestMetrics?: Logs & { epoch: number };
  evaluation?: EvaluationResult;
  /** For `failed`: what went wrong and what to do. */
  error?: { message: string; hint?: string };
  /** Run this one resumed from. */
  resumedFrom?: string;
  /** Set when training started from the weights saved in a Keras model file (fine-tuning), not new ones: that file, as `modelFile` names it. */
  initialWeights?: { from: string };
  /** Set when the run is one variant of a sweep. */
  experiment?: ExperimentRef;
  /** The first N examples the run trained and was tested on (quick trials, `--train-examples`): a generated dataset is drawn differently for each N. */
  exampleLimits?: { train?: number; test?: number };
}

/** Which sweep a run belongs to and the values its variant trained with. */
export interface ExperimentRef {
  /** A plain id, like a run id, e.g. `shapes-cnn-sweep-20261201-203000`. */
  id: string;
  /** Shown name, e.g. "shapes-cnn sweep (grid, 4 variants)". */
  name: string;
  /** 0-based index of the variant in the experiment. */
  variant: number;
  variants: number;
  values: Record<string, SweepValue>;
  metric: SweepMetric;
}

/** One line of metrics.jsonl: appended and flushed as written. */
export type MetricsLine =
  /** `seen`: examples trained on so far in the epoch (the running means' weight); absent in runs written before it was recorded. */
  | { kind: 'batch'; epoch: number; batch: number; step: number; seen?: number; logs: Logs; time: number }
  | { kind: 'epoch'; epoch: number; logs: Logs; time: number };
