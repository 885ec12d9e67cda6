// Where a run's model, its source and its settings come from: the model file, or the run being
// resumed (its saved model/last, and the curve up to the epoch that model reached).
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadKerasFileWeights } from '../keras/loadModel';
import { installSavedModelReader } from '../keras/modelReader';
import { kerasFileKind, readKerasModelConfig } from '../keras/savedModel';
import { analyzeModel } from '../model';
import { evaluateTypeScriptModel } from '../model/evaluate';
import { shouldEvaluate } from '../model/documents';
import { checkVariant, variantLabel } from '../model/sweep';
import type { ModelIR, ModelSummary, TrainingConfig } from '../model/types';
import type { TrainJob } from '../channels/trainer';
import type { ExperimentRef, MetricsLine, RunRecord } from '../runs/format';
import { MODEL_DIR, readRun, runDirFor } from '../runs/store';
import { buildModel } from './buildModel';
import { TrainingError } from './errors';
import { freezeAsWritten, runFrozenBatchNormInInference } from './freezing';
import { hasSavedModel, loadSavedModel, savedTrainingState } from './modelFiles';
import { loadPretrainedWeights, type PretrainedOptions } from './pretrained';
import { runSeed } from './trainingConfig';

export interface RunSource {
  modelFile: string;
  modelSource: string;
  ir: ModelIR;
  summary: ModelSummary;
  training: TrainingConfig;
  resumed?: ResumedRun;
  /** `model-file`: the run starts from the weights saved in the Keras model file (TrainJob.initialWeights). */
  initialWeights?: 'model-file';
}

export interface ResumedRun {
  runDir: string;
  record: RunRecord;
  /** The curve up to `epochsCompleted`, which the new run continues. */
  metrics: MetricsLine[];
  epochsCompleted: number;
}

// Model modules are run (against a shape-only stand-in) only when reading the source cannot
// follow them; training already requires a trusted workspace, so running the module is allowed here.
const moduleEvaluationTimeoutMs = 10_000;

export async function readRunSource(job: TrainJob): Promise<RunSource> {
  if (job.initialWeights && job.resumeFrom) {
    throw new TrainingError(
      `A run resumes from its own last saved model, so it cannot also start from the weights saved in the model file. Received: resume ${job.resumeFrom} and initialWeights "${job.initialWeights}".`,
      'Resume the run alone (--resume RUN), or fine-tune the Keras file in a new run (--fine-tune).',
    );
  }
  return job.resumeFrom ? readResumedRun(job, job.resumeFrom) : readModelFile(job);
}

/**
 * The model to train: the resumed run's last saved one, or a new one built from the IR with the run
 * seed, its pretrained bases loaded with the weights they name (./pretrained; `pretrained` says where
 * from), or for fine-tuning, with every weight the Keras model file saved. In each case its layers
 * are frozen as the model file says (tfjs forgets a nested model's flag when it saves), and its
 * frozen BatchNormalization layers run in inference mode, as in Keras (./freezing).
 */
export async function loadModel(source: RunSource, pretrained?: PretrainedOptions): Promise<tf.LayersModel> {
  const model = source.resumed ? await loadSavedModel(join(source.resumed.runDir, MODEL_DIR, 'last')) : buildModel(source.ir, runSeed(source.training));
  if (!source.resumed) {
    try {
      if (source.initialWeights) {
        await loadKerasFileWeights(model, source.modelFile);
        pretrained?.progress(`Starting from the weights saved in ${basename(source.modelFile)}`);
      } else {
        await loadPretrainedWeights(model, source.ir, pretrained ?? { baseDir: dirname(resolve(source.modelFile)), progress: () => undefined });
      }
    } catch (error) {
      model.dispose();
      throw error;
    }
  }
  freezeAsWritten(model, source.ir.layers);
  runFrozenBatchNormInInference(model);
  if (model.trainableWeights.length === 0 && model.weights.length > 0) {
    const total = model.countParams();
    model.dispose();
    throw new TrainingError(
      `Every layer with weights is frozen (trainable: false), so training would change nothing. Received: 0 trainable params of ${total.toLocaleString('en-US')}.`,
      'Unfreeze the layers to train, e.g. the classification head: remove its `trainable: false`, or set `layer.trainable = true` in a .model.ts.',
    );
  }
  return model;
}

/** The learning rate the resumed run ended with (ReduceLROnPlateau may have lowered it). */
export function resumedLearningRate(resumed: ResumedRun): number | undefined {
  for (let index = resumed.metrics.length - 1; index >= 0; index--) {
    const line = resumed.metrics[index];
    if (line.kind === 'epoch' && line.logs.lr !== undefined) return line.logs.lr;
  }
  return undefined;
}

/**
 * The model file's text: a Keras `.keras`/`.h5` file's architecture (Keras's to_json() structure),
 * any other file as it is. Starting from the file's weights needs a Keras file.
 */
async function readModelText(job: TrainJob): Promise<string> {
  if (kerasFileKind(job.modelFile)) return (await readKerasModelConfig(job.modelFile)).configText;
  if (job.initialWeights === 'model-file') {
    throw new TrainingError(
      `Only a Keras saved model holds weights to fine-tune from: expected a .keras or .h5 file (model.save). Received: ${basename(job.modelFile)}.`,
      'Train this model from new weights (without --fine-tune), or resume one of its CNN Lab runs (--resume RUN) to continue from its weights.',
    );
  }
  try {
    return readFileSync(job.modelFile, 'utf8');
  } catch (error) {
    throw new TrainingError(`Cannot read the model file ${job.modelFile}: ${(error as Error).message}.`, 'Check the path of the model file.');
  }
}

async function readModelFile(job: TrainJob): Promise<RunSource> {
  const text = await readModelText(job);
  // A saved model used as a layer ("type": "Model") is read through src/keras, .h5 files once the HDF5 reader is loaded.
  await installSavedModelReader();
  const staticAnalysis = analyzeModel(text, job.modelFile);
  const analysis = shouldEvaluate(staticAnalysis, true)
    ? await evaluateTypeScriptModel(job.modelFile, text, { timeoutMs: moduleEvaluationTimeoutMs })
    : staticAnalysis;
  const errors = analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (!analysis.ir || !analysis.summary || errors.length > 0) {
    const listed = errors.map((diagnostic) => `  line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`).join('\n');
    throw new TrainingError(
      `The model in ${job.modelFile} has ${errors.length || 'unreadable'} error(s) and cannot be trained:\n${listed}`,
      'Fix the errors shown in the editor (or by `cnnlab summary FILE`), then train again.',
    );
  }
  const { ir, summary, training } = job.experiment ? applyExperimentVariant(job, job.experiment, analysis.ir) : { ir: analysis.ir, summary: analysis.summary, training: {} };
  return {
    modelFile: job.modelFile,
    modelSource: text,
    ir,
    summary,
    // A sweep variant's training keys win over the file's block and over the job's overrides.
    training: { ...ir.training, ...job.overrides, ...training },
    ...(job.initialWeights ? { initialWeights: job.initialWeights } : {}),
  };
}

/** The model file's IR with the sweep variant's values set, re-summarized; refuses a variant the model core finds wrong. */
function applyExperimentVariant(job: TrainJob, experiment: ExperimentRef, fileIr: ModelIR): { ir: ModelIR; summary: ModelSummary; training: TrainingConfig } {
  const values: unknown = experiment.values;
  const valid = typeof values === 'object' && values !== null && !Array.isArray(values) && Object.values(values).every((value) => ['number', 'string', 'boolean'].includes(typeof value));
  if (!valid) {
    throw new TrainingError(`A sweep variant's values must be an object of numbers, strings or booleans, e.g. {"learningRate": 0.001}. Received: values=${JSON.stringify(values)?.slice(0, 200)}.`, 'Start the sweep again from its model file.');
  }
  const checked = checkVariant(fileIr, experiment.values);
  if (checked.problems.length > 0) {
    throw new TrainingError(
      `Variant ${experiment.variant + 1} of ${experiment.name} (${variantLabel(experiment.values)}) cannot be trained on the model in ${job.modelFile}:\n${checked.problems.map((problem) => `  ${problem}`).join('\n')}`,
      'Change or remove these values in the sweep block, or fix the model so that they fit.',
    );
  }
  return { ir: checked.ir, summary: checked.summary, training: checked.training };
}

async function readResumedRun(job: TrainJob, resumeFrom: string): Promise<RunSource> {
  const runDir = runDirFor(job.runsDir, resumeFrom);
  let run: Awaited<ReturnType<typeof readRun>>;
  try {
    run = await readRun(runDir);
  } catch (error) {
    throw new TrainingError(`Cannot resume ${resumeFrom}: ${(error as Error).message}`, 'Give the id of a run under .cnnlab/runs, or the path of its folder.');
  }
  if (run.record.status === 'running') throw new TrainingError(`Run ${run.record.id} is still running.`, 'Stop it first, then resume it.');
  const lastModelDir = join(runDir, MODEL_DIR, 'last');
  if (!hasSavedModel(lastModelDir)) {
    throw new TrainingError(`Run ${run.record.id} saved no model before it ended, so there is nothing to resume.`, 'Start a new run instead.');
  }
  // The saved weights say how far they were trained: metrics.jsonl may hold an epoch whose model
  // was never saved (a kill between the two). Models saved before the state was recorded fall back to run.json.
  const epochsCompleted = savedTrainingState(lastModelDir)?.epochsCompleted ?? run.record.epochsCompleted;
  return {
    modelFile: run.record.modelFile,
    modelSource: run.record.modelSource,
    ir: run.record.ir,
    summary: run.record.summary,
    training: { ...run.record.training, ...job.overrides },
    resumed: { runDir, record: run.record, metrics: run.metrics.filter((line) => line.epoch < epochsCompleted), epochsCompleted },
  };
}
