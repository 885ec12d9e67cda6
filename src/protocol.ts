// Every message that crosses a process or webview boundary, and the on-disk run format.
// Imported by the extension host, the trainer child process, the CLI and the webview alike.
// Discriminated on `type`; each message names its sender → receiver.

import type { ModelIR, ModelSummary, TrainingConfig } from './model/types';
import type { BackendName } from './model/vocabulary';

// ---------------------------------------------------------------------------------------------
// Backends

// What the user asks for: `auto` walks tensorflow-gpu → tensorflow → webgpu (real GPU) → wasm → webgpu (software adapter) → cpu.
export type { BackendChoice, BackendName } from './model/vocabulary';

export interface BackendInfo {
  name: BackendName;
  /** Human-readable device, e.g. `NVIDIA GeForce RTX 4070 (CUDA)`, `llvmpipe (Vulkan)`, `… (WebAssembly, SIMD, 1 thread)`, `CPU (pure JS)`. */
  device: string;
  /** Why each backend tried before this one was passed over. */
  skipped: { name: BackendName; reason: string }[];
}

// ---------------------------------------------------------------------------------------------
// Runs on disk: .cnnlab/runs/<run-id>/run.json and metrics.jsonl

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
}

/** One line of metrics.jsonl: appended and flushed as written. */
export type MetricsLine =
  /** `seen`: examples trained on so far in the epoch (the running means' weight); absent in runs written before it was recorded. */
  | { kind: 'batch'; epoch: number; batch: number; step: number; seen?: number; logs: Logs; time: number }
  | { kind: 'epoch'; epoch: number; logs: Logs; time: number };

// ---------------------------------------------------------------------------------------------
// Trainer ↔ host (child process IPC; also the CLI's in-process event stream)

export type TrainerEvent =
  /** trainer → host: backend chosen, model built; the run folder exists. */
  | { type: 'started'; runId: string; runDir: string; backend: BackendInfo; summary: ModelSummary; epochs: number; stepsPerEpoch: number; examples: { train: number; validation: number; test: number } }
  /** trainer → host: dataset download or decode progress. */
  | { type: 'progress'; message: string; fraction?: number }
  /** trainer → host: a throttled group of batch results. */
  | { type: 'batches'; epoch: number; items: { batch: number; step: number; seen?: number; logs: Logs }[]; imagesPerSecond: number }
  /** trainer → host: an epoch finished, with every log Keras would print. */
  | { type: 'epoch'; epoch: number; logs: Logs; seconds: number }
  /** trainer → host: a model was saved (`best` or `last`). */
  | { type: 'checkpoint'; epoch: number; which: 'best' | 'last'; path: string }
  /** trainer → host: test evaluation after training. */
  | { type: 'evaluation'; result: EvaluationResult }
  /** trainer → host: the run ended; the process exits after this. */
  | { type: 'finished'; status: 'completed' | 'stopped'; record: RunRecord }
  /** trainer → host: the run failed; `hint` says what to do. */
  | { type: 'failed'; message: string; hint?: string; record?: RunRecord };

/** What to train: everything the trainer needs, sent by the host (`start`) or built by the CLI. */
export interface TrainJob {
  /** Absolute path of the model file (`.model.json`, Keras JSON or `.model.ts`). */
  modelFile: string;
  /** Where run folders go: `<workspace>/.cnnlab/runs` (see `runsDirFor` in src/runs/store.ts). */
  runsDir: string;
  /** Folder that run.json's `modelFile` is made relative to (the workspace, the CLI's current folder). */
  baseDir?: string;
  /** Settings that win over the model file's `training` block (CLI flags, the panel's form). */
  overrides?: TrainingConfig;
  /** Folder holding the built-in datasets' files already (setting / `CNNLAB_DATA_DIR`). */
  dataDir?: string;
  /** Download cache for built-in datasets (default `CNNLAB_CACHE_DIR` or ~/.cache/cnnlab). */
  cacheDir?: string;
  /** Train on the first N training examples only (quick experiments). */
  trainExamples?: number;
  /** Evaluate on the first N test examples only. */
  testExamples?: number;
  /** Run folder or id of a stopped/interrupted run to continue from its last saved model. */
  resumeFrom?: string;
}

export type TrainerCommand =
  /** host → trainer: train this job (sent once, right after the child starts). */
  | { type: 'start'; job: TrainJob }
  /** host → trainer: stop after the current batch, save, and exit. */
  | { type: 'stop' };

// ---------------------------------------------------------------------------------------------
// Host ↔ webview (training panel)

export type HostToWebview =
  /**
   * host → webview: everything needed to draw a run from scratch (after `ready`, on reopen).
   * `notes`: what the page should say about the metrics read (lines skipped, a sampled history).
   */
  | { type: 'load'; record: RunRecord; metrics: MetricsLine[]; notes?: string[] }
  /** host → webview: a live trainer event for the run on screen. */
  | { type: 'event'; event: TrainerEvent }
  /** host → webview: a run was asked for and is being prepared; trainer events follow. */
  | { type: 'starting'; modelFile: string; dataset: string; epochs: number }
  /** host → webview: whether this window's trainer session for the run on screen can be stopped. */
  | { type: 'live'; canStop: boolean }
  /** host → webview: misclassified test examples of the run on screen as data: URIs (PNG files read by the host). */
  | { type: 'images'; runId: string; images: { file: string; dataUri: string }[] }
  /** host → webview: several runs to overlay and tabulate (Compare Runs). */
  /**
   * `name`: the run as the Runs view names it (its label, or `<model> #<n>`). `missing`: runs asked
   * for that are no longer on disk (deleted), named as they were last known (the id when never known).
   */
  | { type: 'compare'; runs: { record: RunRecord; metrics: MetricsLine[]; notes?: string[]; name: string }[]; missing?: { runId: string; name: string }[] }
  /** host → webview: the run on screen as the Runs view names it (its label, or `<model> #<n>`); sent again after a rename. */
  | { type: 'name'; runId: string; name: string }
  /** host → webview: what the run on screen has on disk that actions need (a saved model to export). */
  | { type: 'files'; runId: string; savedModel: boolean }
  /** host → webview: the run on screen continues an earlier run (resume); `title` names it as the Runs view does, `exists` says whether it is still on disk. */
  | { type: 'continues'; runId: string; from: { runId: string; title: string; exists: boolean } }
  /** host → webview: the run on screen (or being restored) is no longer on disk; `folder` is where it was. */
  | { type: 'gone'; runId?: string; folder: string };

/** A run action offered on the page as well as in the sidebar. */
export type PanelRunAction = 'exportModel' | 'exportCsv' | 'exportTensorBoard' | 'revealFolder' | 'rerun';

/** What a panel keeps across hide/show and window reload (webview `setState`, read back by the serializer). */
export type PanelPersistedState =
  | { kind: 'run'; runId: string }
  | { kind: 'compare'; runIds: string[] };

export type WebviewToHost =
  /** webview → host: the page has loaded and listens; the host posts nothing before this. */
  | { type: 'ready' }
  /** webview → host: the Stop button. */
  | { type: 'stop'; runId: string }
  /** webview → host: an action button for the run on screen (export, reveal, re-run). */
  | { type: 'runAction'; runId: string; action: PanelRunAction }
  /** webview → host: open another run in a panel (the run a resumed run continues). */
  | { type: 'openRun'; runId: string }
  /** webview → host: close this panel (its run was deleted). */
  | { type: 'close' };
