// Predicting images with a trained model: a Keras saved model (.keras / .h5), a tfjs layers model
// folder (model.json), or a CNN Lab run (its best saved model). Images are decoded with sharp as
// the trainer's folder datasets are (src/trainer/datasets/folder.ts): to the model's channels
// (grey or sRGB, alpha dropped), resized to its input only when their size differs, and scaled
// by 1/255 as the trainer and Keras's fixtures do.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { builtInDataset } from '../model/vocabulary';
import type { RunRecord } from '../runs/format';
import { MODEL_DIR, RUN_FILE, readRunRecord, runDirFor } from '../runs/store';
import { hasSavedModel, loadSavedModel } from '../trainer/modelFiles';
import { UserError } from '../util/userError';
import { loadKerasModel } from './loadModel';
import { kerasFileKind } from './savedModel';

export interface PredictionModel {
  model: tf.LayersModel;
  /** What was loaded, for messages: the file, the folder or `run ID (model/best)`. */
  source: string;
  /** Class names in label order, when the run or the file knows them. */
  classNames?: string[];
  /** The model's output is logits (a run trained with fromLogits): softmax is applied to report probabilities. */
  logits?: boolean;
  /** Per-example input shape [height, width, channels]. */
  inputShape: [number, number, number];
}

export interface ClassProbability {
  class: string;
  probability: number;
}

export interface ImagePrediction {
  image: string;
  probabilities: number[];
  top: ClassProbability[];
  /** The image's own size when it was resized to the model's input ([height, width]). */
  resizedFrom?: [number, number];
}

function inputShapeOf(model: tf.LayersModel, source: string): [number, number, number] {
  if (model.inputs.length !== 1) throw new UserError(`${source} has ${model.inputs.length} inputs; predicting images needs a model with one image input.`);
  const shape = model.inputs[0].shape;
  const [, height, width, channels] = shape;
  if (shape.length !== 4 || [height, width, channels].some((dim) => typeof dim !== 'number' || dim <= 0) || (channels !== 1 && channels !== 3)) {
    throw new UserError(
      `${source} takes input of shape [${shape.map((dim) => dim ?? 'None').join(', ')}]; predicting images needs (None, height, width, 1 or 3).`,
      'Predict works on image classifiers with a fixed input size (grey or RGB).',
    );
  }
  return [height as number, width as number, channels as number];
}

function runClassNames(record: RunRecord): string[] | undefined {
  if (record.evaluation?.classNames?.length) return record.evaluation.classNames;
  const dataset = builtInDataset(record.dataset);
  return dataset ? [...dataset.classNames] : undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The run folder a saved model folder lies in (…/<run>/model/best), if any. */
function enclosingRun(modelDir: string): string | undefined {
  const runDir = dirname(dirname(resolve(modelDir)));
  return basename(dirname(resolve(modelDir))) === MODEL_DIR && existsSync(join(runDir, RUN_FILE)) ? runDir : undefined;
}

async function loadRunModel(runDir: string, label: string): Promise<PredictionModel> {
  let record: RunRecord;
  try {
    record = await readRunRecord(runDir);
  } catch (error) {
    throw new UserError(`${label} cannot be read as a run: ${(error as Error).message}`, 'Give a run id from .cnnlab/runs, a run folder, a model folder (model.json) or a .keras/.h5 file.');
  }
  const saved = ['best', 'last'].map((name) => join(runDir, MODEL_DIR, name)).find(hasSavedModel);
  if (!saved) {
    throw new UserError(
      `Run ${record.id} has no saved model (${join(MODEL_DIR, 'best')} or ${join(MODEL_DIR, 'last')}).`,
      record.status === 'running' ? 'Wait for its first epoch to end.' : 'Train it again: a run saves its model after each epoch.',
    );
  }
  const model = await loadSavedModel(saved);
  const classNames = runClassNames(record);
  const source = `run ${record.id} (${join(MODEL_DIR, basename(saved))})`;
  return { model, source, ...(classNames ? { classNames } : {}), ...(record.training?.fromLogits ? { logits: true } : {}), inputShape: inputShapeOf(model, source) };
}

/**
 * Loads what `target` names: a `.keras`/`.h5` file, a folder with model.json, a run folder, or a
 * run id under `runsDir`. A relative path is taken from `cwd`.
 */
export async function loadPredictionModel(target: string, runsDir: string, cwd = process.cwd()): Promise<PredictionModel> {
  const path = resolve(cwd, target);
  if (!existsSync(path) && !target.includes('/') && !target.includes('\\')) {
    let runDir: string;
    try {
      runDir = runDirFor(runsDir, target);
    } catch (error) {
      throw new UserError((error as Error).message);
    }
    if (existsSync(join(runDir, RUN_FILE))) return loadRunModel(runDir, target);
  }
  if (!existsSync(path)) {
    throw new UserError(`${target} is not a file, a folder or a run id in ${runsDir}.`, 'Give a .keras/.h5 file, a tfjs model folder (model.json), a run folder or a run id (`ls .cnnlab/runs`).');
  }
  if (!isDirectory(path)) {
    if (!kerasFileKind(path)) throw new UserError(`${target} is not a model CNN Lab predicts with: expected a .keras or .h5 file, a tfjs model folder (model.json), a run folder or a run id.`);
    const { model } = await loadKerasModel(path);
    return { model, source: basename(path), inputShape: inputShapeOf(model, basename(path)) };
  }
  if (existsSync(join(path, RUN_FILE))) return loadRunModel(path, target);
  if (!existsSync(join(path, 'model.json'))) {
    throw new UserError(`${target} holds neither a model (model.json) nor a run (run.json).`, 'Give a .keras/.h5 file, a tfjs model folder, a run folder or a run id.');
  }
  // A run's saved model folder (…/<run>/model/best): the run knows the class names.
  const runDir = enclosingRun(path);
  const run = runDir ? await readRunRecord(runDir).catch(() => undefined) : undefined;
  const classNames = run ? runClassNames(run) : undefined;
  const model = await loadSavedModel(path);
  return { model, source: target, ...(classNames ? { classNames } : {}), ...(run?.training?.fromLogits ? { logits: true } : {}), inputShape: inputShapeOf(model, target) };
}

/** An image as the model's input: [1, height, width, channels] floats in [0, 1]. */
export async function readImage(path: string, [height, width, channels]: [number, number, number]): Promise<{ input: tf.Tensor4D; resizedFrom?: [number, number] }> {
  let data: Buffer;
  let resizedFrom: [number, number] | undefined;
  try {
    const metadata = await sharp(path).metadata();
    let pipeline = sharp(path);
    if (metadata.height !== height || metadata.width !== width) {
      resizedFrom = [metadata.height ?? 0, metadata.width ?? 0];
      pipeline = pipeline.resize(width, height, { fit: 'fill' });
    }
    pipeline = pipeline.removeAlpha();
    pipeline = channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    const { data: pixels, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`decoded to ${info.channels} channels, the model takes ${channels}`);
    data = pixels;
  } catch (error) {
    throw new UserError(`${path} cannot be read as an image: ${(error as Error).message}.`, 'Give a PNG, JPEG, WebP, GIF or TIFF image.');
  }
  const input = tf.tidy(() => tf.tensor4d(Float32Array.from(data), [1, height, width, channels]).div(255) as tf.Tensor4D);
  return { input, ...(resizedFrom ? { resizedFrom } : {}) };
}

/** The `k` most probable classes, most probable first (ties: lower label first). */
export function topClasses(probabilities: readonly number[], k: number, classNames?: readonly string[]): ClassProbability[] {
  return probabilities
    .map((probability, index) => ({ index, probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, Math.max(0, k))
    .map(({ index, probability }) => ({ class: classNames?.[index] ?? String(index), probability }));
}

/** Predicts each image, one at a time, in the order given. */
export async function predictImages(loaded: PredictionModel, images: readonly string[], top = 5): Promise<ImagePrediction[]> {
  const predictions: ImagePrediction[] = [];
  for (const image of images) {
    const { input, resizedFrom } = await readImage(image, loaded.inputShape);
    let probabilities: number[];
    try {
      probabilities = tf.tidy(() => {
        const output = loaded.model.predict(input);
        if (Array.isArray(output)) throw new UserError(`${loaded.source} has ${output.length} outputs; predict reads a classifier with one.`);
        const flat = output.reshape([-1]);
        return Array.from((loaded.logits ? tf.softmax(flat) : flat).dataSync());
      });
    } finally {
      input.dispose();
    }
    if (loaded.classNames && loaded.classNames.length !== probabilities.length) {
      // Names that do not match the output would mislabel every class: show indices instead.
      loaded = { ...loaded, classNames: undefined };
    }
    predictions.push({ image, probabilities, top: topClasses(probabilities, top, loaded.classNames), ...(resizedFrom ? { resizedFrom } : {}) });
  }
  return predictions;
}
