// The trainer ↔ host channel: the child process's IPC messages (also the CLI's in-process event
// stream). Discriminated on `type`; each message names its sender → receiver. Checked where it
// enters: the trainer checks commands, the host checks events (see ./guard).

import type { ModelSummary, TrainingConfig } from '../model/types';
import type { BackendInfo, EvaluationResult, ExperimentRef, Logs, RunRecord } from '../runs/format';
import { guardOf, invalidMessage, type ChannelChecks } from './guard';

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
  /** A sweep's variant: its values are applied to the model file's layers and training block, and recorded in run.json. */
  experiment?: ExperimentRef;
  /**
   * `model-file`: start from the weights saved in the model file (fine-tuning a Keras `.keras`/`.h5`
   * file) instead of new ones. Absent: new weights, as the model file's initializers make them.
   */
  initialWeights?: 'model-file';
}

export type TrainerCommand =
  /** host → trainer: train this job (sent once, right after the child starts). */
  | { type: 'start'; job: TrainJob }
  /** host → trainer: stop after the current batch, save, and exit. */
  | { type: 'stop' };

const optionalCount = { optional: (value: unknown) => Number.isInteger(value) && (value as number) > 0 };

/** A job as the host sends it: the paths the trainer will read and write must at least be strings. */
const trainJobChecks: ChannelChecks<{ type: 'job' } & TrainJob> = {
  job: {
    modelFile: 'string',
    runsDir: 'string',
    baseDir: { optional: 'string' },
    overrides: { optional: 'object' },
    dataDir: { optional: 'string' },
    cacheDir: { optional: 'string' },
    trainExamples: optionalCount,
    testExamples: optionalCount,
    resumeFrom: { optional: 'string' },
    experiment: { optional: 'object' },
    initialWeights: { optional: ['model-file'] },
  },
};

const trainerCommandChecks: ChannelChecks<TrainerCommand> = {
  start: { job: (value) => invalidMessage(trainJobChecks, { ...(value as object), type: 'job' }) === undefined },
  stop: {},
};

const trainerEventChecks: ChannelChecks<TrainerEvent> = {
  started: { runId: 'string', runDir: 'string', backend: 'object', summary: 'object', epochs: 'number', stepsPerEpoch: 'number', examples: 'object' },
  progress: { message: 'string', fraction: { optional: 'number' } },
  batches: { epoch: 'number', items: 'array', imagesPerSecond: 'number' },
  epoch: { epoch: 'number', logs: 'object', seconds: 'number' },
  checkpoint: { epoch: 'number', which: ['best', 'last'], path: 'string' },
  evaluation: { result: 'object' },
  finished: { status: ['completed', 'stopped'], record: 'object' },
  failed: { message: 'string', hint: { optional: 'string' }, record: { optional: 'object' } },
};

/** The trainer's check of what the host sends. */
export const isTrainerCommand = guardOf(trainerCommandChecks);
export const whyNotTrainerCommand = (value: unknown): string | undefined => invalidMessage(trainerCommandChecks, value);
/** The host's check of what the trainer sends. */
export const isTrainerEvent = guardOf(trainerEventChecks);
export const whyNotTrainerEvent = (value: unknown): string | undefined => invalidMessage(trainerEventChecks, value);
