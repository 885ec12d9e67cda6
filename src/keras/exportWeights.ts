// Writing a Keras 3 `.keras` file: model.weights.h5 in the layout Keras's saving_lib writes
// (keras/src/saving/saving_lib.py, H5IOStore), and the zip around it.
//
// model.weights.h5: `vars/` for the model itself, `layers/<key>/vars/0..n` for each layer, where
// <key> is the layer's class in snake_case numbered in the order Keras lists the rebuilt model's
// layers (`conv2d`, `conv2d_1`; see exportConfig.ts, which gives that order); a nested model's own
// layers under `layers/<key>/layers/…`; `optimizer/vars/0..n` for a compiled model. Each `vars`
// group carries the owner's name as its `name` attribute, as Keras 3.x writes it. Keras loads a
// layer's variables by position (`vars/0` is its first), in its own order: a kernel before its bias,
// a BatchNormalization's gamma, beta, moving mean, moving variance, the order tfjs keeps too.
//
// The zip holds metadata.json, config.json and model.weights.h5, stored uncompressed, as Keras's
// zipfile writes them. h5wasm (see savedModel.ts) writes the HDF5 file in its in-memory file
// system, with the oldest file format each object allows (superblock 0, as h5py writes), so that
// every HDF5 1.8+ (h5py) reads it.

import { strToU8, zipSync } from 'fflate';
import { writeFileAtomic } from '../runs/store';
import type { CompileSettings } from './exportConfig';
import { KERAS_OPTIMIZERS } from './exportConfig';

/** One variable: its shape and values (float32; a Normalization layer's `count` is int32). */
export interface WeightArray {
  shape: number[];
  values: Float32Array | Int32Array;
}

export interface LayerWeights {
  /** `layers/<key>` (exportConfig's KerasLayerSlot.key). */
  key: string;
  /** The layer's name, the `name` attribute of its `vars` group. */
  name: string;
  weights: WeightArray[];
  /** A model used as a layer: its own layers. */
  nested?: ModelWeights;
}

export interface ModelWeights {
  name: string;
  layers: LayerWeights[];
}

export interface OptimizerWeights {
  name: string;
  variables: WeightArray[];
}

type H5Module = typeof import('h5wasm', { with: { 'resolution-mode': 'import' } });
type H5Api = H5Module['default'];
type H5Group = InstanceType<H5Api['Group']>;

interface H5Writer {
  api: H5Api;
  fs: { readFile(path: string): Uint8Array; unlink(path: string): void; analyzePath(path: string): { exists: boolean } };
}

let writer: Promise<H5Writer> | undefined;

function loadH5(): Promise<H5Writer> {
  writer ??= (async () => {
    const module = (await import('h5wasm')) as H5Module;
    const api = module.default;
    const emscripten = (await api.ready) as unknown as { FS: H5Writer['fs']; activate_throwing_error_handler(): number };
    emscripten.activate_throwing_error_handler();
    return { api, fs: emscripten.FS };
  })();
  return writer;
}

let nextFileNumber = 0;

function writeVars(group: H5Group, name: string, weights: readonly WeightArray[]): void {
  const vars = group.create_group('vars');
  vars.create_attribute('name', name);
  weights.forEach((weight, index) => {
    const expected = weight.shape.reduce((product, dim) => product * dim, 1);
    if (weight.values.length !== expected) throw new Error(`Variable ${index} of '${name}' holds ${weight.values.length} values for its shape [${weight.shape.join(', ')}].`);
    vars.create_dataset({ name: String(index), data: weight.values, shape: weight.shape, dtype: weight.values instanceof Int32Array ? '<i' : '<f' });
  });
}

function writeModel(group: H5Group, model: ModelWeights): void {
  writeVars(group, model.name, []);
  const layers = group.create_group('layers');
  for (const layer of model.layers) {
    const layerGroup = layers.create_group(layer.key);
    if (layer.nested) writeModel(layerGroup, layer.nested);
    else writeVars(layerGroup, layer.name, layer.weights);
  }
}

/** model.weights.h5 of a `.keras` file, as bytes. */
export async function kerasWeightsFile(model: ModelWeights, optimizer?: OptimizerWeights): Promise<Uint8Array> {
  const { api, fs } = await loadH5();
  const memoryPath = `/cnnlab-export-${process.pid}-${nextFileNumber++}.h5`;
  try {
    const file = new api.File(memoryPath, 'w', { libver: ['earliest', 'v110'] });
    try {
      writeModel(file, model);
      if (optimizer) writeVars(file.create_group('optimizer'), optimizer.name, optimizer.variables);
    } finally {
      file.close();
    }
    return fs.readFile(memoryPath);
  } finally {
    if (fs.analyzePath(memoryPath).exists) fs.unlink(memoryPath);
  }
}

/**
 * The optimizer's variables as Keras builds them for the trainable variables it is compiled with
 * (keras/src/optimizers: `iterations`, `learning_rate`, then each optimizer's slots): a fresh
 * optimizer, since tfjs does not save one (README: resume). Keras then loads them without the
 * "Skipping variable loading for optimizer" warning. Undefined where Keras's layout is not certain
 * (then Keras builds its own and warns that it skipped the file's).
 */
export function freshOptimizerWeights(settings: CompileSettings, trainableShapes: readonly number[][], learningRate: number): OptimizerWeights | undefined {
  const { name } = KERAS_OPTIMIZERS[settings.optimizer];
  const zeros = (shape: number[], fill = 0): WeightArray => ({ shape: [...shape], values: new Float32Array(shape.reduce((product, dim) => product * dim, 1)).fill(fill) });
  const slots: WeightArray[] = [];
  switch (settings.optimizer) {
    case 'adam':
      // Adam.build: a momentum and a velocity per variable, made one variable at a time (the fixtures' order).
      for (const shape of trainableShapes) slots.push(zeros(shape), zeros(shape));
      break;
    case 'sgd':
      if (settings.momentum !== 0) for (const shape of trainableShapes) slots.push(zeros(shape));
      break;
    case 'rmsprop':
      // CNN Lab's RMSprop has no momentum and is not centered: one velocity per variable.
      for (const shape of trainableShapes) slots.push(zeros(shape));
      break;
    case 'adagrad':
      for (const shape of trainableShapes) slots.push(zeros(shape, 0.1));
      break;
  }
  return {
    name,
    variables: [{ shape: [], values: Int32Array.of(0) }, { shape: [], values: Float32Array.of(learningRate) }, ...slots],
  };
}

/** The `.keras` zip: metadata.json, config.json, model.weights.h5, stored as Keras's zipfile stores them. */
export function kerasArchive(configJson: string, metadataJson: string, weights: Uint8Array, mtime: Date = new Date()): Uint8Array {
  const stored = { level: 0 as const, mtime };
  return zipSync({
    'metadata.json': [strToU8(metadataJson), stored],
    'config.json': [strToU8(configJson), stored],
    'model.weights.h5': [weights, stored],
  });
}

/** Writes a `.keras` file atomically (a temporary file, then one rename). */
export function writeKerasArchive(path: string, configJson: string, metadataJson: string, weights: Uint8Array): void {
  writeFileAtomic(path, kerasArchive(configJson, metadataJson, weights));
}
