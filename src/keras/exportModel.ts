// A tfjs LayersModel and the IR it was built from → the bytes of a Keras 3 `.keras` file: the
// config from the IR (exportConfig.ts), each layer's weights taken from the tfjs layer of the same
// name, nested models included, written in the order Keras will list the rebuilt model's layers
// (exportWeights.ts). The inverse of loadModel.ts, which reads such a file into the same tfjs model.
import * as tf from '@tensorflow/tfjs';
import type { ModelIR, ModelSummary, TrainingConfig } from '../model/types';
import { UserError } from '../util/userError';
import { kerasModelConfig, pythonJson, type KerasModelSlots } from './exportConfig';
import { freshOptimizerWeights, kerasArchive, kerasWeightsFile, type LayerWeights, type ModelWeights, type WeightArray } from './exportWeights';

/** The Keras version whose files the written layout follows (test/fixtures/keras-saved). */
export const KERAS_LAYOUT_VERSION = '3.15.1';

export interface KerasExportOptions {
  /** The run's training block, written as compile_config (and a fresh optimizer in the weights). */
  training?: TrainingConfig;
  summary?: ModelSummary;
  /** The learning rate the optimizer's variable holds (the last one a run logged); the training block's by default. */
  learningRate?: number;
  /** Who wrote the file, for metadata.json (`CNN Lab, run …`). */
  savedBy?: string;
  /** The time written into metadata.json and the zip (now by default). */
  date?: Date;
}

export interface KerasExport {
  /** The `.keras` file's bytes. */
  archive: Uint8Array;
  /** config.json as written. */
  configJson: string;
  warnings: string[];
}

function weightArrays(layer: tf.layers.Layer): WeightArray[] {
  // read() gives the variable's own tensor (getWeights() too): read, never disposed here.
  return layer.weights.map((variable) => {
    const tensor = variable.read();
    const shape = [...(variable.shape as number[])];
    return { shape, values: tensor.dtype === 'int32' ? Int32Array.from(tensor.dataSync()) : Float32Array.from(tensor.dataSync()) };
  });
}

function layerOf(container: tf.LayersModel, name: string, modelName: string): tf.layers.Layer {
  try {
    return container.getLayer(name);
  } catch {
    throw new UserError(`The saved model has no layer '${name}' (in '${modelName}'), which its architecture names, so the two do not belong together.`, 'Train the run again: its saved model and its model file no longer match.');
  }
}

/** Each layer's weights, in Keras's order, from the tfjs model; and the shapes of the trainable ones, in Keras's order (the optimizer's). */
function collectWeights(container: tf.LayersModel, slots: KerasModelSlots, trainableShapes: number[][]): ModelWeights {
  const layers = slots.layers.map((slot): LayerWeights => {
    if (slot.className === 'InputLayer') return { key: slot.key, name: slot.name, weights: [] };
    const layer = layerOf(container, slot.name, slots.name);
    if (slot.nested) {
      if (!(layer instanceof tf.LayersModel)) throw new UserError(`Layer '${slot.name}' is a model in the architecture but not in the saved model.`, 'Train the run again.');
      return { key: slot.key, name: slot.name, weights: [], nested: collectWeights(layer, slot.nested, trainableShapes) };
    }
    if (layer.trainable) for (const variable of layer.trainableWeights) trainableShapes.push([...(variable.shape as number[])]);
    return { key: slot.key, name: slot.name, weights: weightArrays(layer) };
  });
  return { name: slots.name, layers };
}

/** `YYYY-MM-DD@HH:MM:SS`, as Keras's metadata.json dates a save. */
function kerasDate(date: Date): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}@${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** The `.keras` file of a tfjs model built from `ir` (by the trainer's buildModel, or read from a Keras file). */
export async function exportKerasModel(model: tf.LayersModel, ir: ModelIR, options: KerasExportOptions = {}): Promise<KerasExport> {
  const { config, slots, compile, warnings } = kerasModelConfig(ir, { ...(options.training ? { training: options.training } : {}), ...(options.summary ? { summary: options.summary } : {}) });
  const trainableShapes: number[][] = [];
  const weights = collectWeights(model, slots, trainableShapes);
  const optimizer = compile ? freshOptimizerWeights(compile, trainableShapes, options.learningRate ?? compile.learningRate) : undefined;
  const weightsFile = await kerasWeightsFile(weights, optimizer);
  const date = options.date ?? new Date();
  const configJson = pythonJson(config);
  const metadataJson = pythonJson({ keras_version: KERAS_LAYOUT_VERSION, date_saved: kerasDate(date), ...(options.savedBy ? { saved_by: options.savedBy } : {}) });
  return { archive: kerasArchive(configJson, metadataJson, weightsFile, date), configJson, warnings };
}
