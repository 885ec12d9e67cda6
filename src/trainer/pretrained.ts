// Weights for the keras.applications bases of a model file (src/model/applications), and for a
// saved model used as a layer (`"type": "Model", "path": …`: its own weights, by layer name). `"weights":
// "imagenet"` fetches the file Keras publishes (storage.googleapis.com/tensorflow/keras-applications/…)
// into the datasets' cache on first use, with progress, checked against the MD5 Keras pins (none
// for MobileNetV2, whose files Keras does not pin: the file is checked to be HDF5 and to fit the
// model, and its SHA-256 guards the cache from then on); `"weights": "PATH"` reads a Keras weights
// file (.h5 from save_weights, .weights.h5, or a saved model) relative to the model file. Either
// way the weights go into the base's layers by their Keras names (src/keras/loadModel.ts), every
// layer checked before any is written, as Keras's load_weights does.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { APPLICATIONS, applicationOptions, isApplication, type PretrainedWeightsFile } from '../model/applications';
import type { ModelIR } from '../model/types';
import { setKerasWeights } from '../keras/loadModel';
import { savedModelLocation } from '../keras/modelReader';
import { readKerasWeights } from '../keras/savedModel';
import { UserError } from '../util/userError';
import { datasetFile, type DatasetSource } from './datasets/files';
import type { ProgressReporter } from './datasets/types';
import { TrainingError } from './errors';
import { loadSavedModel } from './modelFiles';

export interface PretrainedOptions {
  /** The model file's folder: a `weights` path is relative to it. */
  baseDir: string;
  /** The download cache (default: the datasets' cache, CNNLAB_CACHE_DIR). */
  cacheDir?: string;
  /** A folder that may hold the weights files already (as for datasets: the job's data folder). */
  dataDir?: string;
  progress: ProgressReporter;
  stallTimeoutMs?: number;
  /** MD5s that replace Keras's pinned ones, by file name (tests serve files of their own through CNNLAB_DATASET_MIRROR). */
  publishedMd5?: Record<string, string>;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A download must be HDF5 (an error page or a cut-off body is not). */
function checkHdf5(bytes: Buffer): void {
  if (!bytes.subarray(0, 8).equals(HDF5_SIGNATURE)) throw new Error(`it is not an HDF5 file (${bytes.length} bytes starting ${JSON.stringify(bytes.subarray(0, 16).toString('latin1'))}).`);
}

/** The datasets' download source for one keras-applications folder; Keras's own cache (~/.keras/models) is looked in first. */
function weightsSource(file: PretrainedWeightsFile): DatasetSource {
  const kerasHome = process.env.KERAS_HOME ?? join(homedir(), '.keras');
  return {
    cacheName: file.cacheName,
    baseUrl: file.baseUrl,
    systemDirs: [join(kerasHome, 'models')],
    publishedMd5: file.md5 ? { [file.fileName]: file.md5 } : {},
    fileKind: 'weights file',
    digestsGivenBy: 'keras.applications pins',
  };
}

/** The local path of the ImageNet weights for an application layer, downloaded into the cache when needed. */
export async function imagenetWeightsPath(file: PretrainedWeightsFile, options: PretrainedOptions): Promise<string> {
  const { path } = await datasetFile(
    weightsSource(file),
    file.fileName,
    {
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      ...(options.stallTimeoutMs ? { stallTimeoutMs: options.stallTimeoutMs } : {}),
      ...(options.publishedMd5 ? { publishedMd5: options.publishedMd5 } : {}),
      progress: options.progress,
    },
    checkHdf5,
  );
  return path;
}

export interface PretrainedLayer {
  name: string;
  weights: 'imagenet' | string;
  file?: PretrainedWeightsFile;
  savedModel?: true;
}

/** The application layers of an IR that load weights, with the file each loads (`savedModel`: a `Model` layer's saved model). */
export function pretrainedLayers(ir: ModelIR): PretrainedLayer[] {
  return ir.layers.flatMap((spec): PretrainedLayer[] => {
    if (spec.application === 'Model' && spec.model && typeof spec.config.path === 'string') return [{ name: spec.name, weights: spec.config.path, savedModel: true }];
    const options = spec.application && isApplication(spec.application) ? applicationOptions(spec) : undefined;
    if (!options || options.weights === null || !spec.application || !isApplication(spec.application)) return [];
    return [options.weights === 'imagenet' ? { name: spec.name, weights: 'imagenet', file: APPLICATIONS[spec.application].imagenet(options) } : { name: spec.name, weights: options.weights }];
  });
}

/**
 * Loads the weights of every application layer of `ir` that asks for some into `model` (built
 * from `ir` by buildModel). Throws a TrainingError naming the layer and the file when a file
 * cannot be had or does not fit the base.
 */
export async function loadPretrainedWeights(model: tf.LayersModel, ir: ModelIR, options: PretrainedOptions): Promise<void> {
  for (const { name, weights, file, savedModel } of pretrainedLayers(ir)) {
    let path: string;
    if (savedModel) {
      await loadSavedModelWeights(model, name, resolve(options.baseDir, weights));
      options.progress(`Loaded the weights of ${name} from ${weights}`);
      continue;
    }
    if (file) {
      options.progress(`Pretrained weights for ${name}: ${file.fileName}`);
      path = await imagenetWeightsPath(file, options);
    } else {
      path = resolve(options.baseDir, weights);
      if (!existsSync(path)) {
        throw new TrainingError(
          `The \`weights\` argument should be either \`null\` (random initialization), "imagenet" (pre-training on ImageNet), or the path to the weights file to be loaded. Received: weights=${JSON.stringify(weights)} (layer '${name}'), and ${path} does not exist.`,
          'A weights path is relative to the model file\'s folder.',
        );
      }
    }
    const base = model.getLayer(name);
    if (!(base instanceof tf.LayersModel)) throw new Error(`Layer '${name}' was not built as a nested model.`);
    try {
      setKerasWeights(base, await readKerasWeights(path), basename(path));
    } catch (error) {
      if (error instanceof UserError) throw new TrainingError(`Layer '${name}': ${error.message}`, error.hint ?? 'Check that the weights file was saved from the same architecture and options (includeTop, alpha, input channels).');
      throw error;
    }
    options.progress(`Loaded the weights of ${name} from ${basename(path)}`);
  }
}

/** Every layer with weights in a model and the models nested in it, by name (undefined where a name is not unique). */
function layersByName(model: tf.LayersModel, into = new Map<string, tf.layers.Layer | undefined>()): Map<string, tf.layers.Layer | undefined> {
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) layersByName(layer, into);
    else if (layer.weights.length > 0) into.set(layer.name, into.has(layer.name) ? undefined : layer);
  }
  return into;
}

/** A `Model` layer's weights: its saved model's, by layer name (a Keras file through src/keras, a tfjs model folder through tfjs), checked whole before any is written. */
async function loadSavedModelWeights(model: tf.LayersModel, name: string, path: string): Promise<void> {
  const base = model.getLayer(name);
  if (!(base instanceof tf.LayersModel)) throw new Error(`Layer '${name}' was not built as a nested model.`);
  try {
    const { kind, file } = savedModelLocation(path);
    if (kind === 'keras') {
      setKerasWeights(base, await readKerasWeights(file), basename(file));
      return;
    }
    const saved = await loadSavedModel(dirname(file));
    try {
      const source = layersByName(saved);
      const problems: string[] = [];
      const assignments: [tf.layers.Layer, tf.Tensor[]][] = [];
      for (const [layerName, layer] of layersByName(base)) {
        const from = source.get(layerName);
        if (!layer) continue;
        const shapes = (weights: tf.LayerVariable[]): string => weights.map((weight) => `[${weight.shape.join(', ')}]`).join(', ');
        if (!from) problems.push(`Layer '${layerName}' has ${layer.weights.length} weight(s) (${shapes(layer.weights)}), but the saved model has no layer of that name with weights.`);
        else if (shapes(from.weights) !== shapes(layer.weights)) problems.push(`Layer '${layerName}': the weights are ${shapes(layer.weights)} in the model but ${shapes(from.weights)} in the saved model.`);
        else assignments.push([layer, from.getWeights()]);
      }
      if (problems.length > 0) throw new UserError(`The weights in ${basename(path)} do not fit the model built from its architecture:\n  ${problems.join('\n  ')}`, 'Save the model again rather than editing its files.');
      for (const [layer, values] of assignments) layer.setWeights(values);
    } finally {
      saved.dispose();
    }
  } catch (error) {
    if (error instanceof UserError) throw new TrainingError(`Layer '${name}': ${error.message}`, error.hint ?? 'Check the saved model\'s path and that it was saved with its weights.');
    throw new TrainingError(`Layer '${name}': the saved model ${path} cannot be loaded: ${(error as Error).message}`, 'Check that the folder holds a tfjs layers model (model.json and its weight files).');
  }
}
