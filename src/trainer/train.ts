// One training run, start to finish: read the model file (or the run to resume), load the dataset,
// check that they fit, train with the run's callbacks (src/trainer/callbacks) writing the run to
// disk and reporting every step as a TrainerEvent, then evaluate on the test set. Used by the
// trainer child process and by `cnnlab train` alike.
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { formatSummary, summarizeModel } from '../model';
import type { TrainJob } from '../channels/trainer';
import { kerasFileKind } from '../keras/savedModel';
import type { BackendInfo, EvaluationResult, RunRecord } from '../runs/format';
import { createRunId, RunWriter } from '../runs/store';
import { seededRandom } from '../util/random';
import { selectBackend } from './backends';
import { createBatchMaker, type BatchMaker } from './batches';
import { Backup } from './callbacks/backup';
import { TrainingControl, type Callback, type EmitEvent, type FitOutcome } from './callbacks/callback';
import { ModelCheckpoint } from './callbacks/checkpoint';
import { EarlyStopping } from './callbacks/earlyStopping';
import { MetricsWriter } from './callbacks/metricsWriter';
import { epochCount } from './callbacks/monitor';
import { Progress, progressEvent } from './callbacks/progress';
import { ReduceLROnPlateau } from './callbacks/reduceLROnPlateau';
import { modelSaver } from './callbacks/saveModel';
import { StopRequest } from './callbacks/stopRequest';
import { checkFit, outputUnitsOf, perExampleShape } from './checkFit';
import { installFastCpuKernels } from './cpuKernels';
import { loadDataset, type Dataset } from './datasets';
import { hintFor, TrainingError } from './errors';
import { evaluateOnTest } from './evaluation';
import { fit } from './fit';
import { createOptimizer, setLearningRate } from './optimizers';
import { loadModel, readRunSource, resumedLearningRate, type RunSource } from './runSource';
import { deriveSeed } from './seeding';
import { trainingData } from './trainingData';
import { resolveTraining, type ResolvedTraining } from './trainingConfig';

/** A run whose folder exists, with the model it trains. */
interface OpenRun {
  job: TrainJob;
  source: RunSource;
  backend: BackendInfo;
  model: tf.LayersModel;
  writer: RunWriter;
  training: ResolvedTraining;
  initialEpoch: number;
}

/**
 * Trains `job` to the end, a stop, or a failure. Never throws for a failed run: it emits `failed`,
 * leaves a `failed` run on disk when the run folder could be created, and returns that record.
 * Returns undefined only when the run failed before its folder was created (an unreadable model
 * file, no backend, a refused resume): there is no run to show then.
 */
export async function runTraining(job: TrainJob, emit: EmitEvent, signal?: AbortSignal): Promise<RunRecord | undefined> {
  let writer: RunWriter | undefined;
  let model: tf.LayersModel | undefined;
  try {
    const source = await readRunSource(job);
    const backend = await selectBackend(source.training.backend ?? 'auto');
    if (backend.name === 'cpu') installFastCpuKernels();
    model = await loadModel(source, {
      baseDir: dirname(resolve(job.baseDir ?? process.cwd(), source.modelFile)),
      ...(job.cacheDir ? { cacheDir: job.cacheDir } : {}),
      ...(job.dataDir ? { dataDir: job.dataDir } : {}),
      progress: (message, fraction) => emit(progressEvent(message, fraction)),
    });
    const training = resolveTraining(source.training, outputUnitsOf(model));
    const initialEpoch = firstEpoch(source, training);
    writer = createRun(job, source, backend, training, initialEpoch);
    return await trainRun({ job, source, backend, model, writer, training, initialEpoch }, emit, signal);
  } catch (error) {
    return reportFailure(error, emit, writer);
  } finally {
    model?.dispose();
  }
}

/**
 * The epoch training starts from. Checked before the run folder exists, so that a refused resume
 * leaves no failed run behind. A run that trained every epoch but was killed before its test
 * evaluation resumes to that evaluation.
 */
function firstEpoch(source: RunSource, training: ResolvedTraining): number {
  const { resumed } = source;
  if (!resumed) return 0;
  if (resumed.epochsCompleted >= training.epochs && resumed.record.evaluation) {
    throw new TrainingError(`Run ${resumed.record.id} already finished ${resumed.epochsCompleted} of ${epochCount(training.epochs)}.`, 'Resume with more epochs (--epochs N).');
  }
  return resumed.epochsCompleted;
}

/** The run folder with run.json (`running`), summary.txt and, for a resume, the curve it continues. */
function createRun(job: TrainJob, source: RunSource, backend: BackendInfo, training: ResolvedTraining, initialEpoch: number): RunWriter {
  const { resumed } = source;
  const modelFile = resumed ? source.modelFile : relativeModelFile(job, source.modelFile);
  // A resumed fine-tuning run still descends from the Keras file's weights.
  const initialWeights = resumed ? resumed.record.initialWeights : source.initialWeights ? { from: modelFile } : undefined;
  const writer = RunWriter.create(job.runsDir, {
    id: createRunId(source.ir.name),
    modelFile,
    modelSource: source.modelSource,
    ir: source.ir,
    summary: source.summary,
    dataset: training.dataset,
    training: source.training,
    backend,
    status: 'running',
    startedAt: new Date().toISOString(),
    pid: process.pid,
    epochsCompleted: initialEpoch,
    epochsPlanned: training.epochs,
    ...(resumed ? { resumedFrom: resumed.record.id, bestMetrics: resumed.record.bestMetrics } : {}),
    ...(job.experiment ? { experiment: job.experiment } : {}),
    ...(initialWeights ? { initialWeights } : {}),
    ...(job.trainExamples || job.testExamples ? { exampleLimits: { train: job.trainExamples, test: job.testExamples } } : {}),
  });
  writer.writeSummary(formatSummary(source.summary.layers.length > 0 ? source.summary : summarizeModel(source.ir)));
  if (resumed) writer.appendMetricsHistory(resumed.metrics);
  return writer;
}

function relativeModelFile(job: TrainJob, modelFile: string): string {
  const baseDir = job.baseDir ?? process.cwd();
  const relativePath = relative(baseDir, modelFile);
  return relativePath.startsWith('..') || isAbsolute(relativePath) ? modelFile : relativePath;
}

async function trainRun(run: OpenRun, emit: EmitEvent, signal: AbortSignal | undefined): Promise<RunRecord> {
  const { model, training, initialEpoch } = run;
  const dataset = await loadRunDataset(run, emit);
  const outputUnits = checkFit(model, dataset, training, kerasFileKind(run.source.modelFile) ? basename(run.source.modelFile) : undefined);
  const random = seededRandom(training.seed + initialEpoch);
  const batches = createBatchMaker([dataset.height, dataset.width, dataset.channels], perExampleShape(model), dataset.classNames.length, outputUnits, training, random);
  const optimizer = compile(run, batches);
  const data = trainingData(dataset, batches, training, random);
  emit({
    type: 'started',
    runId: run.writer.record.id,
    runDir: run.writer.runDir,
    backend: run.backend,
    summary: run.source.summary,
    epochs: training.epochs,
    stepsPerEpoch: data.stepsPerEpoch,
    examples: { ...data.examples, test: dataset.test.count },
  });
  const control = new TrainingControl();
  const plan = { initialEpoch, epochs: training.epochs, dropoutRandom: seededRandom(deriveSeed(training.seed, `dropout/${initialEpoch}`)) };
  const outcome = await fit(model, data, plan, callbacksFor(run, optimizer, emit, control, signal), control);
  return finish(outcome, run, () => evaluateOnTest(model, dataset, batches, run.writer.runDir), emit);
}

function loadRunDataset({ job, source, model, training }: OpenRun, emit: EmitEvent): Promise<Dataset> {
  return loadDataset({
    name: training.dataset,
    inputShape: perExampleShape(model),
    baseDir: dirname(resolve(job.baseDir ?? process.cwd(), source.modelFile)),
    dataDir: job.dataDir,
    cacheDir: job.cacheDir,
    trainExamples: job.trainExamples,
    testExamples: job.testExamples,
    seed: training.seed,
    progress: (message, fraction) => emit(progressEvent(message, fraction)),
  });
}

/** Compiles the model with a new optimizer; a resumed run continues at the learning rate it ended with. */
function compile({ model, source, training }: OpenRun, batches: BatchMaker): tf.Optimizer {
  const optimizer = createOptimizer(training);
  setLearningRate(optimizer, (source.resumed && resumedLearningRate(source.resumed)) || training.learningRate);
  model.compile({ optimizer, loss: batches.compileLoss, metrics: [batches.metric] });
  return optimizer;
}

/** In hook order: a later callback sees what the earlier ones did in the same epoch. */
function callbacksFor(run: OpenRun, optimizer: tf.Optimizer, emit: EmitEvent, control: TrainingControl, signal: AbortSignal | undefined): Callback[] {
  const { model, writer, training, source } = run;
  const save = modelSaver(model, writer.modelDir, emit);
  const report = (message: string): void => emit(progressEvent(message));
  return [
    new StopRequest(control, signal),
    new MetricsWriter(writer),
    new Progress(emit),
    new ModelCheckpoint(save, writer, training.checkpoint, source.resumed?.record.bestMetrics),
    ...(training.earlyStopping ? [new EarlyStopping(model, training.earlyStopping, control, report)] : []),
    ...(training.reduceLROnPlateau ? [new ReduceLROnPlateau(optimizer, training.reduceLROnPlateau, report)] : []),
    // Last, so that `last` holds the weights early stopping went back to.
    new Backup(save, writer),
  ];
}

/** A stopped run ends as it is; a completed one is evaluated on the test set first. */
async function finish(outcome: FitOutcome, { writer }: OpenRun, evaluate: () => Promise<EvaluationResult>, emit: EmitEvent): Promise<RunRecord> {
  if (outcome === 'stopped') {
    const final = writer.update({ status: 'stopped', endedAt: new Date().toISOString(), pid: undefined });
    emit({ type: 'finished', status: 'stopped', record: final });
    return final;
  }
  const evaluation = await evaluate();
  emit({ type: 'evaluation', result: evaluation });
  const final = writer.update({ status: 'completed', endedAt: new Date().toISOString(), evaluation, pid: undefined });
  emit({ type: 'finished', status: 'completed', record: final });
  return final;
}

function reportFailure(error: unknown, emit: EmitEvent, writer: RunWriter | undefined): RunRecord | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const hint = hintFor(error);
  const failure = { message, ...(hint ? { hint } : {}) };
  const record = writer?.update({ status: 'failed', endedAt: new Date().toISOString(), error: failure, pid: undefined });
  emit({ type: 'failed', ...failure, ...(record ? { record } : {}) });
  return record;
}
