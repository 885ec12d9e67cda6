// One training run, start to finish: read the model file, load the dataset, check that they fit,
// train batch by batch (so that Stop takes effect after the current batch), write the run to disk
// as it goes and report every step as a TrainerEvent. Used by the trainer child process and by
// `cnnlab train` alike.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeModel, formatSummary, summarizeModel } from '../model';
import { evaluateTypeScriptModel } from '../model/evaluate';
import { shouldEvaluate } from '../model/presentation';
import type { ModelIR, ModelSummary, TrainingConfig } from '../model/types';
import type { BackendInfo, Logs, MetricsLine, RunRecord, TrainerEvent, TrainJob } from '../protocol';
import { MODEL_DIR, createRunId, readRun, runDirFor, RunWriter } from '../runs/store';
import { selectBackend } from './backends';
import { createBatchMaker, type BatchMaker } from './batches';
import { buildModel } from './buildModel';
import { installFastCpuKernels } from './cpuKernels';
import { DatasetError, loadDataset, type Dataset, type ImageSplit } from './datasets';
import { evaluateOnTest } from './evaluation';
import { fileSaveHandler, hasSavedModel, loadSavedModel, savedTrainingState } from './modelFiles';
import { seededRandom } from '../util/random';
import { deriveSeed, reseedStochasticLayers } from './seeding';
import { higherIsBetter, resolveTraining, runSeed, TrainingConfigError, type ResolvedTraining } from './trainingConfig';

export type EmitEvent = (event: TrainerEvent) => void;

/** A failure the user can act on: `hint` says what to do. */
export class TrainingError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}

/** At most this many `batches` events and metrics lines per second. */
const BATCH_REPORTS_PER_SECOND = 10;

/** Where the model, its source and its settings come from: the model file, or the run being resumed. */
interface RunSource {
  modelFile: string;
  modelSource: string;
  ir: ModelIR;
  summary: ModelSummary;
  training: TrainingConfig;
  resumed?: { runDir: string; record: RunRecord; metrics: MetricsLine[]; epochsCompleted: number };
}

// Model modules are run (against a shape-only stand-in) only when reading the source cannot
// follow them; training already requires a trusted workspace, so running the module is allowed here.
const moduleEvaluationTimeoutMs = 10_000;

async function readModelFile(job: TrainJob): Promise<RunSource> {
  let text: string;
  try {
    text = readFileSync(job.modelFile, 'utf8');
  } catch (error) {
    throw new TrainingError(`Cannot read the model file ${job.modelFile}: ${(error as Error).message}.`, 'Check the path of the model file.');
  }
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
  return {
    modelFile: job.modelFile,
    modelSource: text,
    ir: analysis.ir,
    summary: analysis.summary,
    training: { ...analysis.ir.training, ...job.overrides },
  };
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
    resumed: { runDir, record: run.record, metrics: metricsBefore(run.metrics, epochsCompleted), epochsCompleted },
  };
}

function epochCount(count: number): string {
  return `${count} epoch${count === 1 ? '' : 's'}`;
}

/** The metrics of the epochs before `epoch`: the curve a resumed run continues. */
function metricsBefore(metrics: MetricsLine[], epoch: number): MetricsLine[] {
  return metrics.filter((line) => line.epoch < epoch);
}

function createOptimizer(training: ResolvedTraining): tf.Optimizer {
  switch (training.optimizer) {
    case 'sgd':
      return training.momentum > 0 || training.nesterov
        ? tf.train.momentum(training.learningRate, training.momentum, training.nesterov)
        : tf.train.sgd(training.learningRate);
    case 'adam':
      return tf.train.adam(training.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(training.learningRate);
    case 'adagrad':
      return tf.train.adagrad(training.learningRate);
  }
}

function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  // SGD and momentum cache the rate in a tensor; Adam, RMSprop and Adagrad read this field at every
  // step but keep it protected in their typings. (`instanceof` cannot tell them apart: tfjs
  // optimizers answer it by duck typing.)
  if (optimizer instanceof tf.SGDOptimizer && 'setLearningRate' in optimizer) optimizer.setLearningRate(learningRate);
  else (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}

function perExampleShape(model: tf.LayersModel): number[] {
  return model.inputs[0].shape.slice(1).map((dim) => dim ?? -1);
}

function formatShape(shape: number[]): string {
  return `(None, ${shape.join(', ')})`;
}

/** Refuses a dataset the model cannot take, before any training, with the fix spelled out. */
function checkFit(model: tf.LayersModel, dataset: Dataset, training: ResolvedTraining): { outputUnits: number } {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new TrainingError(`The model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; training on an image dataset needs one of each.`);
  }
  const input = perExampleShape(model);
  const image = [dataset.height, dataset.width, dataset.channels];
  const sameSize = input.reduce((product, dim) => product * dim, 1) === image.reduce((product, dim) => product * dim, 1);
  const sameImage = input.length === 3 ? input.every((dim, axis) => dim === image[axis]) : input.length === 2 && dataset.channels === 1 && input[0] === image[0] && input[1] === image[1];
  if (!sameImage && !(input.length === 1 && sameSize)) {
    throw new TrainingError(
      `The model expects input ${formatShape(input)} but '${dataset.name}' gives ${image.join('×')} images (height×width×channels).`,
      `Set the first layer's inputShape to [${image.join(', ')}], or train on a dataset of ${input.join('×')} images.`,
    );
  }
  const outputShape = model.outputs[0].shape;
  const outputUnits = outputShape[outputShape.length - 1] ?? 0;
  const classes = dataset.classNames.length;
  if (outputShape.length !== 2) {
    throw new TrainingError(`The model's output ${formatShape(outputShape.slice(1).map((dim) => dim ?? -1))} is not one score per class.`, 'End the model with Flatten (or a global pooling layer) and a Dense layer.');
  }
  const binaryOk = outputUnits === 1 && classes === 2;
  if (outputUnits !== classes && !binaryOk) {
    throw new TrainingError(
      `The model's last layer has ${outputUnits} units but '${dataset.name}' has ${classes} classes (${dataset.classNames.slice(0, 12).join(', ')}${classes > 12 ? ', …' : ''}).`,
      `Set units: ${classes} on the last Dense layer${classes === 2 ? ' (or units: 1 with a sigmoid and binaryCrossentropy)' : ''}.`,
    );
  }
  if (outputUnits === 1 && training.loss !== 'binaryCrossentropy' && training.loss !== 'meanSquaredError') {
    throw new TrainingError(`A model with one output unit needs binaryCrossentropy, not ${training.loss}.`, 'Set "loss": "binaryCrossentropy" in the training block.');
  }
  return { outputUnits };
}

/** Keras's validation_split: the last fraction of the training data, taken before shuffling. */
function splitValidation(train: ImageSplit, fraction: number): { train: number[]; validation: number[] } {
  const validationCount = Math.floor(train.count * fraction);
  const trainCount = train.count - validationCount;
  return {
    train: Array.from({ length: trainCount }, (_, index) => index),
    validation: Array.from({ length: validationCount }, (_, index) => trainCount + index),
  };
}

function shuffleInPlace(values: number[], random: () => number): void {
  for (let index = values.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [values[index], values[other]] = [values[other], values[index]];
  }
}

async function evaluateIndices(model: tf.LayersModel, split: ImageSplit, indices: number[], batches: BatchMaker, batchSize: number): Promise<{ loss: number; acc: number }> {
  let loss = 0;
  let acc = 0;
  const chunk = Math.max(batchSize, 256);
  for (let start = 0; start < indices.length; start += chunk) {
    const slice = indices.slice(start, start + chunk);
    const { x, y } = batches.make(split, slice, false);
    const [lossValue, accValue] = tf.tidy(() => {
      const output = model.predict(x) as tf.Tensor;
      return [batches.lossOf(y, output), batches.accuracyOf(y, output)];
    });
    loss += (await lossValue.data())[0] * slice.length;
    acc += (await accValue.data())[0] * slice.length;
    tf.dispose([x, y, lossValue, accValue]);
  }
  return { loss: loss / indices.length, acc: acc / indices.length };
}

/** Keras-style improvement test shared by checkpoint, early stopping and LR reduction. */
class Monitor {
  best: number;
  wait = 0;
  private readonly sign: number;

  constructor(
    readonly name: string,
    private readonly minDelta = 0,
  ) {
    this.sign = higherIsBetter(name) ? 1 : -1;
    this.best = -this.sign * Infinity;
  }

  /** Whether `logs` improve on the best so far (and records it); unknown monitors never improve. */
  improves(logs: Logs): boolean {
    const value = logs[this.name];
    if (value === undefined || !Number.isFinite(value)) {
      this.wait += 1;
      return false;
    }
    if (this.sign * (value - this.best) > this.minDelta) {
      this.best = value;
      this.wait = 0;
      return true;
    }
    this.wait += 1;
    return false;
  }
}

/** Out-of-memory and other failures, turned into what the user should do about them. */
export function hintFor(error: unknown): string | undefined {
  if (error instanceof TrainingError || error instanceof DatasetError) return error.hint;
  const message = error instanceof Error ? error.message : String(error);
  if (/out of memory|allocation failed|Invalid typed array length|Array buffer allocation|OOM|heap/i.test(message)) {
    return 'The backend ran out of memory: lower the batch size (batchSize), use smaller images, or a smaller model.';
  }
  if (error instanceof TrainingConfigError) return 'Fix the training block of the model file.';
  return undefined;
}

function relativeModelFile(job: TrainJob, modelFile: string): string {
  const baseDir = job.baseDir ?? process.cwd();
  const relativePath = relative(baseDir, modelFile);
  return relativePath.startsWith('..') || isAbsolute(relativePath) ? modelFile : relativePath;
}

function lastLearningRate(metrics: MetricsLine[]): number | undefined {
  for (let index = metrics.length - 1; index >= 0; index--) {
    const lr = metrics[index].logs.lr;
    if (metrics[index].kind === 'epoch' && lr !== undefined) return lr;
  }
  return undefined;
}

/**
 * Trains `job` to the end, a stop, or a failure. Never throws for a failed run: it emits `failed`,
 * leaves a `failed` run on disk when the run folder could be created, and returns that record.
 * Returns undefined only when the model file could not be read at all (no run to show then).
 */
export async function runTraining(job: TrainJob, emit: EmitEvent, signal?: AbortSignal): Promise<RunRecord | undefined> {
  let writer: RunWriter | undefined;
  let model: tf.LayersModel | undefined;
  try {
    const source = job.resumeFrom ? await readResumedRun(job, job.resumeFrom) : await readModelFile(job);
    const modelDir = dirname(resolve(job.baseDir ?? process.cwd(), source.modelFile));
    const backend: BackendInfo = await selectBackend(source.training.backend ?? 'auto');
    if (backend.name === 'cpu') installFastCpuKernels();

    model = source.resumed ? await loadSavedModel(join(source.resumed.runDir, MODEL_DIR, 'last')) : buildModel(source.ir, runSeed(source.training));
    const outputShape = model.outputs[0].shape;
    const training = resolveTraining(source.training, outputShape[outputShape.length - 1] ?? 0);

    // Checked before the run folder exists, so that a refused resume leaves no failed run behind.
    // A run that trained every epoch but was killed before its test evaluation resumes to that evaluation.
    const initialEpoch = source.resumed?.epochsCompleted ?? 0;
    if (source.resumed && initialEpoch >= training.epochs && source.resumed.record.evaluation) {
      throw new TrainingError(`Run ${source.resumed.record.id} already finished ${initialEpoch} of ${epochCount(training.epochs)}.`, 'Resume with more epochs (--epochs N).');
    }
    const id = createRunId(source.ir.name);
    const record: RunRecord = {
      id,
      modelFile: source.resumed ? source.modelFile : relativeModelFile(job, source.modelFile),
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
      ...(source.resumed ? { resumedFrom: source.resumed.record.id, bestMetrics: source.resumed.record.bestMetrics } : {}),
    };
    writer = RunWriter.create(job.runsDir, record);
    writer.writeSummary(formatSummary(source.summary.layers.length > 0 ? source.summary : summarizeModel(source.ir)));
    if (source.resumed) writer.appendMetricsHistory(source.resumed.metrics);

    const progress = (message: string, fraction?: number): void => emit({ type: 'progress', message, ...(fraction === undefined ? {} : { fraction }) });
    const dataset = await loadDataset({
      name: training.dataset,
      inputShape: perExampleShape(model),
      baseDir: modelDir,
      dataDir: job.dataDir,
      cacheDir: job.cacheDir,
      trainExamples: job.trainExamples,
      testExamples: job.testExamples,
      seed: training.seed,
      progress,
    });
    const { outputUnits } = checkFit(model, dataset, training);

    const random = seededRandom(training.seed + initialEpoch);
    const dropoutRandom = seededRandom(deriveSeed(training.seed, `dropout/${initialEpoch}`));
    const batches = createBatchMaker([dataset.height, dataset.width, dataset.channels], perExampleShape(model), dataset.classNames.length, outputUnits, training, random);
    const optimizer = createOptimizer(training);
    let learningRate = (source.resumed && lastLearningRate(source.resumed.metrics)) || training.learningRate;
    setLearningRate(optimizer, learningRate);
    model.compile({ optimizer, loss: batches.compileLoss, metrics: [batches.metric] });

    const split = splitValidation(dataset.train, training.validationSplit);
    const stepsPerEpoch = Math.ceil(split.train.length / training.batchSize);
    emit({
      type: 'started',
      runId: id,
      runDir: writer.runDir,
      backend,
      summary: source.summary,
      epochs: training.epochs,
      stepsPerEpoch,
      examples: { train: split.train.length, validation: split.validation.length, test: dataset.test.count },
    });

    const checkpointMonitor = new Monitor(training.checkpoint.monitor);
    if (source.resumed?.record.bestMetrics?.[training.checkpoint.monitor] !== undefined) {
      checkpointMonitor.best = source.resumed.record.bestMetrics[training.checkpoint.monitor];
    }
    const stopMonitor = training.earlyStopping && new Monitor(training.earlyStopping.monitor, training.earlyStopping.minDelta);
    const plateauMonitor = training.reduceLROnPlateau && new Monitor(training.reduceLROnPlateau.monitor);
    let bestWeights: tf.Tensor[] | undefined;
    /** Saves the model as trained through `epoch` (0-based), and the epoch count with it. */
    const saveModel = async (which: 'best' | 'last', epoch: number, epochsCompleted = epoch + 1): Promise<void> => {
      const path = join(writer!.modelDir, which);
      await model!.save(fileSaveHandler(path, { epochsCompleted }));
      emit({ type: 'checkpoint', epoch, which, path });
    };

    let step = initialEpoch * stepsPerEpoch;
    let stopped = false;
    let earlyStopped = false;
    for (let epoch = initialEpoch; epoch < training.epochs && !stopped && !earlyStopped; epoch++) {
      const epochStart = Date.now();
      const order = [...split.train];
      if (training.shuffle) shuffleInPlace(order, random);
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      let pending: { batch: number; step: number; seen: number; logs: Logs }[] = [];
      let groupStart = Date.now();
      let groupImages = 0;
      const flush = (): void => {
        if (pending.length === 0) return;
        const seconds = Math.max((Date.now() - groupStart) / 1000, 1e-3);
        const last = pending[pending.length - 1];
        writer!.appendMetrics({ kind: 'batch', epoch, batch: last.batch, step: last.step, seen: last.seen, logs: last.logs, time: Date.now() });
        emit({ type: 'batches', epoch, items: pending, imagesPerSecond: groupImages / seconds });
        pending = [];
        groupStart = Date.now();
        groupImages = 0;
      };
      for (let batch = 0; batch < stepsPerEpoch; batch++) {
        // Lets the IPC `stop` message (a macrotask) in between batches.
        await new Promise<void>((resolveTick) => setImmediate(resolveTick));
        if (signal?.aborted) {
          stopped = true;
          break;
        }
        const indices = order.slice(batch * training.batchSize, (batch + 1) * training.batchSize);
        const { x, y } = batches.make(dataset.train, indices, true);
        reseedStochasticLayers(model, dropoutRandom);
        const result = await model.trainOnBatch(x, y);
        tf.dispose([x, y]);
        const [loss, acc] = Array.isArray(result) ? result : [result, Number.NaN];
        if (!Number.isFinite(loss)) {
          throw new TrainingError(
            `The loss became ${loss} at epoch ${epoch + 1}, batch ${batch + 1}: training diverged.`,
            'Lower the learning rate, check that inputs are scaled, or use a softmax output with categoricalCrossentropy.',
          );
        }
        lossSum += loss * indices.length;
        accSum += acc * indices.length;
        seen += indices.length;
        groupImages += indices.length;
        // Running means over the epoch so far, as Keras's progress bar shows them.
        pending.push({ batch, step, seen, logs: { loss: lossSum / seen, acc: accSum / seen } });
        step += 1;
        if (Date.now() - groupStart >= 1000 / BATCH_REPORTS_PER_SECOND) flush();
      }
      flush();
      if (stopped) break;

      const logs: Logs = { loss: lossSum / seen, acc: accSum / seen };
      if (split.validation.length > 0) {
        const validation = await evaluateIndices(model, dataset.train, split.validation, batches, training.batchSize);
        logs.val_loss = validation.loss;
        logs.val_acc = validation.acc;
      }
      logs.lr = learningRate;
      writer.appendMetrics({ kind: 'epoch', epoch, logs, time: Date.now() });
      emit({ type: 'epoch', epoch, logs, seconds: (Date.now() - epochStart) / 1000 });

      const improved = checkpointMonitor.improves(logs);
      if (improved) {
        if (training.checkpoint.saveBestOnly) await saveModel('best', epoch);
        writer.update({ bestMetrics: { ...logs, epoch } });
      }
      if (!training.checkpoint.saveBestOnly) await saveModel('best', epoch);
      if (stopMonitor) {
        if (stopMonitor.improves(logs)) {
          if (training.earlyStopping?.restoreBestWeights) {
            tf.dispose(bestWeights ?? []);
            bestWeights = model.getWeights().map((weight) => weight.clone());
          }
        } else if (stopMonitor.wait > (training.earlyStopping?.patience ?? 0)) {
          earlyStopped = true;
        }
      }
      if (plateauMonitor && training.reduceLROnPlateau && !plateauMonitor.improves(logs) && plateauMonitor.wait > training.reduceLROnPlateau.patience) {
        const reduced = Math.max(learningRate * training.reduceLROnPlateau.factor, training.reduceLROnPlateau.minLR);
        if (reduced < learningRate) {
          learningRate = reduced;
          setLearningRate(optimizer, learningRate);
          progress(`Reducing the learning rate to ${learningRate.toExponential(2)} (${plateauMonitor.name} has not improved for ${epochCount(plateauMonitor.wait)}).`);
        }
        plateauMonitor.wait = 0;
      }
      if (earlyStopped && bestWeights) model.setWeights(bestWeights);
      await saveModel('last', epoch);
      writer.update({ epochsCompleted: epoch + 1, finalMetrics: logs });
    }
    tf.dispose(bestWeights ?? []);

    if (stopped) {
      // Part of the next epoch may be trained already; resuming repeats that epoch in full.
      await saveModel('last', Math.max(0, writer.record.epochsCompleted - 1), writer.record.epochsCompleted);
      const final = writer.update({ status: 'stopped', endedAt: new Date().toISOString(), pid: undefined });
      emit({ type: 'finished', status: 'stopped', record: final });
      return final;
    }
    if (earlyStopped) progress(`Early stopping: ${stopMonitor?.name} has not improved for ${epochCount(stopMonitor?.wait ?? 0)}.`);
    const evaluation = await evaluateOnTest(model, dataset, batches, writer.runDir);
    emit({ type: 'evaluation', result: evaluation });
    const final = writer.update({ status: 'completed', endedAt: new Date().toISOString(), evaluation, pid: undefined });
    emit({ type: 'finished', status: 'completed', record: final });
    return final;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = hintFor(error);
    const failure = { message, ...(hint ? { hint } : {}) };
    const record = writer?.update({ status: 'failed', endedAt: new Date().toISOString(), error: failure, pid: undefined });
    emit({ type: 'failed', ...failure, ...(record ? { record } : {}) });
    return record;
  } finally {
    model?.dispose();
  }
}
