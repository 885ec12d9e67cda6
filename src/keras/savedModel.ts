// Keras saved models on disk: the Keras 3 native `.keras` file (a zip of config.json,
// metadata.json and model.weights.h5) and the legacy HDF5 `.h5` file (`model_config` attribute,
// `model_weights` group). This module reads a file into its architecture (the text of Keras's
// `model.to_json()`, which the Keras front end reads as for any other model file) and its weights,
// by layer name, in Keras's order. No tfjs here: src/keras/loadModel.ts puts the weights into a
// tfjs model, and the editor reads the architecture alone.
//
// Libraries:
// - HDF5: h5wasm (usnistgov/h5wasm), the HDF5 C library compiled to WebAssembly, with a typed
//   high-level API (File, Group, Dataset, attributes). It is the maintained HDF5 reader for
//   JavaScript (regular releases, HDF5 2.0 inside), reads every layout HDF5 writes (h5py's chunked
//   and compact datasets, variable-length string attributes, old and new superblocks), needs no
//   native addon (so it runs in VS Code's own runtime and on every platform the .vsix targets),
//   and its file-open checks catch truncated files. Pure-JS readers (jsfive) cover only part of
//   the format and are no longer released. Its ES-module build ("h5wasm", not "h5wasm/node") keeps
//   files in an in-memory file system: a weights file read out of a zip goes in without a temporary
//   file on disk. It is an ES module, loaded with import(), and stays in node_modules (esbuild.mjs
//   keeps it external: its single JS file carries the 4 MB WebAssembly binary).
// - Zip: fflate, small (one dependency-free file), maintained, synchronous, and able to inflate
//   only the entries asked for (the summary reads config.json without inflating the weights).
//   JSZip is larger and asynchronous only; yauzl works on file descriptors and streams.

import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { strFromU8, unzipSync, type UnzipFileInfo } from 'fflate';
import { UserError } from '../util/userError';

export type KerasFileKind = 'keras' | 'h5';

/** `.keras` → the Keras 3 zip; `.h5`/`.hdf5` → legacy HDF5; anything else is not a Keras saved model. */
export function kerasFileKind(path: string): KerasFileKind | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === '.keras') return 'keras';
  if (extension === '.h5' || extension === '.hdf5') return 'h5';
  return undefined;
}

/** One saved weight: its name in the file (`gamma`, `vars/0`), shape and float32 values. */
export interface SavedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** One layer's saved weights, in Keras's order (trainable first, then non-trainable: a BatchNormalization's gamma, beta, moving_mean, moving_variance). */
export interface SavedLayer {
  name: string;
  className?: string;
  weights: SavedWeight[];
  /** A model used as a layer (a pretrained base): its own layers' weights, by their names. */
  nested?: SavedScope;
}

/** The saved layers of one model, by layer name. */
export interface SavedScope {
  layers: Map<string, SavedLayer>;
}

export interface KerasModelFile {
  path: string;
  kind: KerasFileKind;
  /** The Keras version that saved it (metadata.json, or the .h5 `keras_version` attribute), when known. */
  kerasVersion?: string;
  /** The backend it was saved from (`jax`, `tensorflow`), when the file says. */
  backend?: string;
  /** The architecture: the structure of Keras's `model.to_json()` (config.json, or the `model_config` attribute). */
  configText: string;
}

export interface KerasModelWithWeights extends KerasModelFile {
  weights: SavedScope;
}

/** Larger than any architecture; a config.json past this in a zip is not a model's. */
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;
/** The largest file read whole into memory (HDF5 is read from an in-memory copy). */
const MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024;

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

const expectedContent: Record<KerasFileKind, string> = {
  keras: 'a Keras 3 .keras file is a zip holding config.json, metadata.json and model.weights.h5',
  h5: 'a Keras .h5 file is HDF5 with a "model_config" attribute and a "model_weights" group',
};
const saveHint: Record<KerasFileKind, string> = {
  keras: 'Save the model again with model.save("NAME.keras") (Keras 3), and check that the copy is complete.',
  h5: 'Save the model again with model.save("NAME.h5"), and check that the copy is complete; a file from model.save_weights() holds no architecture.',
};

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  return bytes.length >= offset + signature.length && signature.every((byte, index) => bytes[offset + index] === byte);
}

/** Where HDF5's signature may be: offset 0, or after a user block of 512, 1024, 2048… bytes. */
function hasHdf5Signature(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + HDF5_SIGNATURE.length <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (startsWith(bytes, HDF5_SIGNATURE, offset)) return true;
  }
  return false;
}

/** A file CNN Lab cannot read: what is wrong, and for a file that is not a Keras model at all (`foreign`), what one holds. */
function fileError(path: string, kind: KerasFileKind, what: string, options?: ErrorOptions & { damaged?: boolean }): UserError {
  const expected = options?.damaged ? '' : ` (${expectedContent[kind]})`;
  return new UserError(`${basename(path)} cannot be read as a Keras model: ${what}${expected}.`, saveHint[kind], options);
}

function readBytes(path: string): Uint8Array {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new UserError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, 'Check the path of the model file.');
  }
  if (size > MAX_FILE_BYTES) {
    throw new UserError(`${basename(path)} is ${size.toLocaleString('en-US')} bytes; CNN Lab reads Keras files up to 2 GiB.`, 'Use a smaller model, or convert it to the tfjs layers format (tensorflowjs_converter).');
  }
  const buffer = readFileSync(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

// ---------------------------------------------------------------------------------------------
// .keras (zip)

function unzip(path: string, bytes: Uint8Array, wanted: (name: string) => boolean): Record<string, Uint8Array> {
  if (!startsWith(bytes, ZIP_SIGNATURE)) throw fileError(path, 'keras', bytes.length === 0 ? 'the file is empty' : 'it is not a zip file');
  try {
    return unzipSync(bytes, {
      filter: (file: UnzipFileInfo) => {
        if (!wanted(file.name)) return false;
        if (file.name.endsWith('.json') && file.originalSize > MAX_CONFIG_BYTES) throw new Error(`${file.name} claims ${file.originalSize} bytes`);
        return true;
      },
    });
  } catch (error) {
    throw fileError(path, 'keras', `the zip is damaged or cut short (${(error as Error).message})`, { cause: error, damaged: true });
  }
}

function zipEntry(path: string, entries: Record<string, Uint8Array>, name: string): Uint8Array {
  const entry = entries[name];
  if (!entry) throw fileError(path, 'keras', `the zip has no ${name}`);
  return entry;
}

function parseJson(path: string, kind: KerasFileKind, what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw fileError(path, kind, `${what} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

function kerasMetadata(path: string, entries: Record<string, Uint8Array>): { kerasVersion?: string; backend?: string } {
  const entry = entries['metadata.json'];
  if (!entry) return {};
  const metadata = parseJson(path, 'keras', 'metadata.json', strFromU8(entry));
  const record = isRecord(metadata) ? metadata : {};
  return {
    ...(typeof record.keras_version === 'string' ? { kerasVersion: record.keras_version } : {}),
    ...(typeof record.backend === 'string' ? { backend: record.backend } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The architecture (config JSON)

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A layer entry of a model config: its class, its name, and for a nested model its own layers. */
interface ConfigLayer {
  className: string;
  name: string;
  /** Set for a model used as a layer. */
  model?: ConfigModel;
}

interface ConfigModel {
  className: string;
  layers: ConfigLayer[];
}

/** The model config's layer list, as far as weights need it; throws when the text is not a Keras model. */
function configModel(path: string, kind: KerasFileKind, config: unknown, where: string): ConfigModel {
  if (!isRecord(config) || typeof config.class_name !== 'string' || !MODEL_CLASSES.has(config.class_name)) {
    throw fileError(path, kind, `${where} is not a Keras model config (no "class_name" Sequential, Functional or Model)`);
  }
  const inner = config.config;
  // Keras before 2.2 stored a Sequential model's config as the bare list of layers.
  const list = Array.isArray(inner) ? inner : isRecord(inner) ? inner.layers : undefined;
  if (!Array.isArray(list)) throw fileError(path, kind, `${where} has no "config.layers" list`);
  const layers = list.map((entry, index): ConfigLayer => {
    const record = isRecord(entry) ? entry : {};
    const className = typeof record.class_name === 'string' ? record.class_name : '';
    const layerConfig = isRecord(record.config) ? record.config : {};
    const written = typeof record.name === 'string' ? record.name : layerConfig.name;
    const name = typeof written === 'string' && written.length > 0 ? written : `(layer ${index + 1})`;
    return MODEL_CLASSES.has(className) ? { className, name, model: configModel(path, kind, record, `the config of '${name}'`) } : { className, name };
  });
  return { className: config.class_name, layers };
}

// ---------------------------------------------------------------------------------------------
// HDF5 through h5wasm

type H5Module = typeof import('h5wasm', { with: { 'resolution-mode': 'import' } });
type H5Api = H5Module['default'];
type H5File = InstanceType<H5Api['File']>;
type H5Group = InstanceType<H5Api['Group']>;

interface H5Runtime {
  api: H5Api;
  fs: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void };
}

let h5Runtime: Promise<H5Runtime> | undefined;
/** The runtime once loaded: HDF5 reads are synchronous from then on (readKerasModelConfigSync). */
let h5Loaded: H5Runtime | undefined;

function loadH5(): Promise<H5Runtime> {
  h5Runtime ??= (async () => {
    const module = (await import('h5wasm')) as H5Module;
    const api = module.default;
    const emscripten = (await api.ready) as unknown as H5Runtime['fs'] & { FS: H5Runtime['fs']; activate_throwing_error_handler(): number };
    // HDF5 errors become JS exceptions carrying HDF5's error stack, instead of lines on stderr and
    // an invalid id that fails later with "name not defined".
    emscripten.activate_throwing_error_handler();
    h5Loaded = { api, fs: emscripten.FS };
    return h5Loaded;
  })();
  return h5Runtime;
}

let nextFileNumber = 0;

/** Opens `bytes` as HDF5 in h5wasm's in-memory file system, runs `read`, and always closes and removes it. */
async function withHdf5<T>(path: string, kind: KerasFileKind, what: string, bytes: Uint8Array, read: (file: H5File, api: H5Api) => T): Promise<T> {
  if (!hasHdf5Signature(bytes)) throw fileError(path, kind, `${what} is not an HDF5 file${bytes.length === 0 ? ' (it is empty)' : ''}`);
  return withLoadedHdf5(path, kind, what, bytes, await loadH5(), read);
}

/** withHdf5 once h5wasm is loaded: synchronous. */
function withLoadedHdf5<T>(path: string, kind: KerasFileKind, what: string, bytes: Uint8Array, { api, fs }: H5Runtime, read: (file: H5File, api: H5Api) => T): T {
  if (!hasHdf5Signature(bytes)) throw fileError(path, kind, `${what} is not an HDF5 file${bytes.length === 0 ? ' (it is empty)' : ''}`);
  const memoryPath = `/cnnlab-${process.pid}-${nextFileNumber++}.h5`;
  fs.writeFile(memoryPath, bytes);
  let file: H5File | undefined;
  try {
    try {
      file = new api.File(memoryPath, 'r');
    } catch (error) {
      throw fileError(path, kind, `${what} does not open as HDF5: ${hdf5Reason(error)}`, { cause: error, damaged: true });
    }
    try {
      return read(file, api);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw fileError(path, kind, `${what} is damaged: ${hdf5Reason(error)}`, { cause: error, damaged: true });
    }
  } finally {
    try {
      file?.close();
    } catch {
      // an unreadable file may refuse to close; it is removed below all the same
    }
    fs.unlink(memoryPath);
  }
}

/** The innermost line of HDF5's error stack (`truncated file: eof = 2000, … stored_eof = 1078240`), or the message. */
function hdf5Reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const details = [...message.matchAll(/ in [A-Za-z0-9_]+\(\): ([^\n]+)/g)].map((match) => match[1].trim());
  const innermost = details.at(-1) ?? message.split('\n')[0];
  const truncated = /truncated file: eof = (\d+).*stored_eof = (\d+)/.exec(innermost);
  if (truncated) return `it is cut short (${Number(truncated[1]).toLocaleString('en-US')} of ${Number(truncated[2]).toLocaleString('en-US')} bytes)`;
  return innermost;
}

function attributeText(node: H5Group, name: string): string | undefined {
  const attribute = node.attrs[name];
  if (!attribute) return undefined;
  const value = attribute.value;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return undefined;
}

function attributeStrings(node: H5Group, name: string): string[] | undefined {
  const attribute = node.attrs[name];
  if (!attribute) return undefined;
  const value = attribute.json_value;
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  const strings: string[] = [];
  const collect = (items: unknown[]): void => {
    for (const item of items) {
      if (Array.isArray(item)) collect(item);
      else strings.push(String(item));
    }
  };
  collect(value);
  return strings;
}

function isGroup(api: H5Api, entity: unknown): entity is H5Group {
  return entity instanceof api.Group;
}

function readDataset(api: H5Api, group: H5Group, path: string, where: string): SavedWeight {
  const entity = group.get(path);
  if (!(entity instanceof api.Dataset)) throw new UserError(`${where}: the weight '${path}' is missing from the file.`);
  const shape = entity.shape ?? [];
  const value = entity.value;
  let values: Float32Array;
  if (value instanceof Float32Array) values = value;
  else if (value instanceof Float64Array) values = Float32Array.from(value);
  else if (typeof value === 'number') values = Float32Array.of(value);
  else throw new UserError(`${where}: the weight '${path}' is of type ${JSON.stringify(entity.dtype)}; CNN Lab reads float32 and float64 weights.`, 'Save the model from a float32 model (the default dtype policy).');
  const expected = shape.reduce((product, dim) => product * dim, 1);
  if (values.length !== expected) throw new UserError(`${where}: the weight '${path}' holds ${values.length} values for its shape [${shape.join(', ')}].`);
  return { name: path, shape, values };
}

// .keras weights: layers/<key>/vars/0..n, a nested model's under layers/<key>/layers/…. The key is
// not the layer's name but Keras's attribute name for it: its class in snake_case, numbered within
// the list (`conv2d`, `conv2d_1`), over `model.layers` (a Sequential model's list leaves out its
// InputLayer). Keras 3.x writes the layer's own name as the `name` attribute of `vars`; that is
// used first, and the class-derived key where it is absent.

/** Keras's naming.to_snake_case. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function readKerasScope(api: H5Api, file: H5File, groupPath: string, model: ConfigModel): SavedScope {
  const scope: SavedScope = { layers: new Map() };
  const container = file.get(`${groupPath}/layers`);
  const keys = isGroup(api, container) ? container.keys() : [];
  const keyByName = new Map<string, string>();
  for (const key of keys) {
    const vars = file.get(`${groupPath}/layers/${key}/vars`);
    const name = isGroup(api, vars) ? attributeText(vars, 'name') : undefined;
    if (name !== undefined && !keyByName.has(name)) keyByName.set(name, key);
  }
  const used = new Map<string, number>();
  const listed = model.className === 'Sequential' ? model.layers.filter((layer) => layer.className !== 'InputLayer') : model.layers;
  for (const layer of listed) {
    let key = toSnakeCase(layer.className);
    const count = used.get(key);
    used.set(key, count === undefined ? 0 : count + 1);
    if (count !== undefined) key = `${key}_${count + 1}`;
    key = keyByName.get(layer.name) ?? key;
    const layerPath = `${groupPath}/layers/${key}`;
    const vars = file.get(`${layerPath}/vars`);
    const weights: SavedWeight[] = [];
    if (isGroup(api, vars)) {
      const indices = vars.keys().filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(a) - Number(b));
      for (const index of indices) weights.push(readDataset(api, vars, index, `Layer '${layer.name}'`));
    }
    const saved: SavedLayer = { name: layer.name, className: layer.className, weights };
    if (layer.model) saved.nested = readKerasScope(api, file, layerPath, layer.model);
    scope.layers.set(layer.name, saved);
  }
  return scope;
}

// Legacy .h5 weights: model_weights/<layer>/ with a `weight_names` attribute listing each weight's
// path inside that group, in Keras's order (`sequential/conv2d/kernel`, Keras 2: `conv2d/kernel:0`).
// A nested model's weights are all under its own group, named by its inner layers
// (`Conv1/kernel`, `bn_Conv1/gamma`): the segment before the weight's own name is the inner layer.

function weightOwner(weightName: string): string {
  const segments = weightName.split('/');
  return segments.length >= 2 ? segments[segments.length - 2] : '';
}

function readH5Scope(api: H5Api, file: H5File, model: ConfigModel): SavedScope {
  const root = file.get('model_weights');
  if (!isGroup(api, root)) throw new UserError('no "model_weights" group');
  return readLegacyScope(api, root, model);
}

/** Legacy weights under `root` (a model's `model_weights`, or the root of a save_weights file); without a config no layer is taken for a nested model. */
function readLegacyScope(api: H5Api, root: H5Group, model?: ConfigModel): SavedScope {
  const scope: SavedScope = { layers: new Map() };
  const configByName = new Map((model?.layers ?? []).map((layer) => [layer.name, layer]));
  const names = attributeStrings(root, 'layer_names') ?? root.keys();
  for (const name of names) {
    const group = root.get(name);
    if (!isGroup(api, group)) continue;
    const weightNames = attributeStrings(group, 'weight_names') ?? [];
    const weights = weightNames.map((weightName) => ({ ...readDataset(api, group, weightName, `Layer '${name}'`), name: weightName }));
    const config = configByName.get(name);
    const saved: SavedLayer = { name, ...(config ? { className: config.className } : {}), weights: config?.model ? [] : weights };
    if (config?.model) {
      const nested: SavedScope = { layers: new Map() };
      for (const weight of weights) {
        const owner = weightOwner(weight.name);
        let inner = nested.layers.get(owner);
        if (!inner) nested.layers.set(owner, (inner = { name: owner, weights: [] }));
        inner.weights.push(weight);
      }
      saved.nested = nested;
    }
    scope.layers.set(name, saved);
  }
  return scope;
}

// ---------------------------------------------------------------------------------------------
// Public API

async function readFile(path: string, withWeights: boolean): Promise<KerasModelFile | KerasModelWithWeights> {
  const kind = kerasFileKind(path);
  if (!kind) throw new UserError(`${basename(path)} is not a Keras saved model: expected a .keras or .h5 file.`);
  const bytes = readBytes(path);
  if (kind === 'keras') {
    const entries = unzip(path, bytes, (name) => name === 'config.json' || name === 'metadata.json' || (withWeights && name === 'model.weights.h5'));
    const configText = strFromU8(zipEntry(path, entries, 'config.json'));
    const config = configModel(path, kind, parseJson(path, kind, 'config.json', configText), 'config.json');
    const base: KerasModelFile = { path, kind, ...kerasMetadata(path, entries), configText };
    if (!withWeights) return base;
    const weightsFile = zipEntry(path, entries, 'model.weights.h5');
    const weights = await withHdf5(path, kind, 'model.weights.h5', weightsFile, (file, api) => readKerasScope(api, file, '', config));
    return { ...base, weights };
  }
  return withHdf5(path, kind, 'the file', bytes, (file, api) => {
    const configText = attributeText(file, 'model_config');
    if (configText === undefined) {
      const hasWeights = isGroup(api, file.get('model_weights')) || attributeStrings(file, 'layer_names') !== undefined;
      throw fileError(path, kind, hasWeights ? 'it holds weights but no architecture (no "model_config" attribute: saved with save_weights?)' : 'it has no "model_config" attribute');
    }
    const config = configModel(path, kind, parseJson(path, kind, 'the model_config attribute', configText), 'the model_config attribute');
    const kerasVersion = attributeText(file, 'keras_version');
    const backend = attributeText(file, 'backend');
    const base: KerasModelFile = { path, kind, ...(kerasVersion ? { kerasVersion } : {}), ...(backend ? { backend } : {}), configText };
    if (!withWeights) return base;
    try {
      return { ...base, weights: readH5Scope(api, file, config) };
    } catch (error) {
      if (error instanceof UserError && error.hint === undefined && !error.message.startsWith('Layer ')) throw fileError(path, kind, error.message, { cause: error });
      throw error;
    }
  });
}

/**
 * Keras 3's `.weights.h5` (model.save_weights): `layers/<key>/vars/0..n`, each layer's own name in
 * the `name` attribute of `vars` (the key where it is absent), a nested model's layers under its own `layers`.
 */
function readWeightsH5Scope(api: H5Api, file: H5File, groupPath: string): SavedScope {
  const scope: SavedScope = { layers: new Map() };
  const container = file.get(`${groupPath}/layers`);
  for (const key of isGroup(api, container) ? container.keys() : []) {
    const layerPath = `${groupPath}/layers/${key}`;
    const vars = file.get(`${layerPath}/vars`);
    const name = (isGroup(api, vars) ? attributeText(vars, 'name') : undefined) ?? key;
    const weights: SavedWeight[] = [];
    if (isGroup(api, vars)) {
      const indices = vars.keys().filter((index) => /^\d+$/.test(index)).sort((a, b) => Number(a) - Number(b));
      for (const index of indices) weights.push(readDataset(api, vars, index, `Layer '${name}'`));
    }
    const saved: SavedLayer = { name, weights };
    if (isGroup(api, file.get(`${layerPath}/layers`))) saved.nested = readWeightsH5Scope(api, file, layerPath);
    scope.layers.set(name, saved);
  }
  return scope;
}

/**
 * The weights of a file Keras's `model.load_weights` reads, by layer name: a saved model (.keras,
 * .h5), a legacy `save_weights` HDF5 file (`layer_names` at its root, as keras-applications
 * publishes its ImageNet weights) or a Keras 3 `.weights.h5`. Throws a UserError for anything else.
 */
export async function readKerasWeights(path: string): Promise<SavedScope> {
  const kind = kerasFileKind(path);
  if (!kind) throw new UserError(`${basename(path)} is not a Keras weights file: expected a .h5, .weights.h5 or .keras file.`, 'Give the path of a file saved by Keras (model.save_weights or model.save).');
  if (kind === 'keras') return (await readKerasModel(path)).weights;
  const bytes = readBytes(path);
  return withHdf5(path, kind, 'the file', bytes, (file, api) => {
    if (attributeText(file, 'model_config') !== undefined) {
      const config = configModel(path, kind, parseJson(path, kind, 'the model_config attribute', attributeText(file, 'model_config') ?? ''), 'the model_config attribute');
      return readH5Scope(api, file, config);
    }
    if (attributeStrings(file, 'layer_names') !== undefined) return readLegacyScope(api, file);
    if (isGroup(api, file.get('layers'))) return readWeightsH5Scope(api, file, '');
    throw new UserError(
      `${basename(path)} holds no Keras weights: no "layer_names" attribute (model.save_weights to .h5), no "layers" group (.weights.h5) and no "model_config" (model.save).`,
      'Save the weights from Keras with model.save_weights("NAME.weights.h5"), or the whole model with model.save.',
    );
  });
}

/** Loads the HDF5 reader ahead, so that readKerasModelConfigSync can read `.h5` files. */
export async function preloadHdf5(): Promise<void> {
  await loadH5();
}

/**
 * The architecture text of a `.keras` file, or of an `.h5` file once the HDF5 reader is loaded
 * (preloadHdf5), read synchronously for the model core (a saved model used as a layer). Throws a
 * UserError saying what is wrong.
 */
export function readKerasModelConfigSync(path: string): string {
  const kind = kerasFileKind(path);
  if (!kind) throw new UserError(`${basename(path)} is not a Keras saved model: expected a .keras or .h5 file.`);
  const bytes = readBytes(path);
  if (kind === 'keras') {
    const entries = unzip(path, bytes, (name) => name === 'config.json');
    const configText = strFromU8(zipEntry(path, entries, 'config.json'));
    configModel(path, kind, parseJson(path, kind, 'config.json', configText), 'config.json');
    return configText;
  }
  if (!h5Loaded) {
    // Loaded now, for the next reading.
    loadH5().catch(() => undefined);
    throw new UserError(`${basename(path)} is HDF5, and the HDF5 reader is still loading: edit or save the model file again in a moment.`, 'A .keras file is read at once.');
  }
  return withLoadedHdf5(path, kind, 'the file', bytes, h5Loaded, (file) => {
    const configText = attributeText(file, 'model_config');
    if (configText === undefined) throw fileError(path, kind, 'it has no "model_config" attribute (saved with save_weights?)');
    configModel(path, kind, parseJson(path, kind, 'the model_config attribute', configText), 'the model_config attribute');
    return configText;
  });
}

/** The architecture of a `.keras` or `.h5` file (and the Keras version that saved it); the weights are not read. */
export function readKerasModelConfig(path: string): Promise<KerasModelFile> {
  return readFile(path, false);
}

/** The architecture and every layer's weights of a `.keras` or `.h5` file. Throws a UserError saying what is wrong with a file it cannot read. */
export async function readKerasModel(path: string): Promise<KerasModelWithWeights> {
  return (await readFile(path, true)) as KerasModelWithWeights;
}
