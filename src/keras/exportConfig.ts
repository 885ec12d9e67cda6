// A model's IR → the config.json of a Keras 3 `.keras` file: the structure `model.save()` writes
// (test/fixtures/keras-saved/*.keras, Keras 3.15): `module`, `class_name`, `config`,
// `registered_name`, `build_config` and, in a Functional model, each layer's `name` and its
// `inbound_nodes` as `{"args": [__keras_tensor__…], "kwargs": {…}}` with the tensors' shapes; a
// Sequential model listing its InputLayer first; a nested model (a pretrained base) as a layer with
// its own config; the compile settings as `compile_config`. No tfjs and no file access here.
//
// What differs from Keras 3.15's own files, on purpose, so that every Keras 3 loads the result:
// a layer's `dtype` is written "float32" (as Keras writes an InputLayer's) rather than a
// DTypePolicy object, and keys later Keras versions added are left out while they hold their
// defaults (Dense's `quantization_config`, the initializers' `input_axes`/`output_axes`,
// BatchNormalization's `renorm*`, InputLayer's `ragged`/`optional`). Keras fills them in with
// the same defaults.
//
// It also gives the order in which Keras will list each model's layers once it has rebuilt the
// model (`model.layers`): the weights file names each layer by its position in that list
// (`layers/conv2d_1/vars`), so the weights must be written in that order, not the file's.

import { layerKindByClassName } from '../model/catalog';
import { amountsOf, pairOf } from '../model/options';
import { summarizeModel } from '../model/summarize';
import type { LayerSpec, LayerSummary, ModelIR, ModelSummary, Shape, TrainingConfig } from '../model/types';
import { activationNamed, type LossName, type OptimizerName } from '../model/vocabulary';
import { resolveTraining } from '../trainer/trainingConfig';
import { UserError } from '../util/userError';
import { toSnakeCase } from './savedModel';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** One layer in the order Keras lists a rebuilt model's layers, with the key of its weights in the file. */
export interface KerasLayerSlot {
  /** The layer's name (its IR name; for a Sequential model's generated input, none is listed). */
  name: string;
  className: string;
  /** `conv2d`, `conv2d_1`, … (`layers/<key>/vars` in model.weights.h5). */
  key: string;
  /** A model used as a layer: its own layers, in Keras's order. */
  nested?: KerasModelSlots;
}

export interface KerasModelSlots {
  /** The model's name (the `name` attribute of its `vars` group). */
  name: string;
  layers: KerasLayerSlot[];
}

export interface KerasConfigResult {
  /** config.json, as an object. */
  config: JsonObject;
  /** The layers in the order Keras lists them after loading, with their weight keys. */
  slots: KerasModelSlots;
  /** The compile settings written (when a training block was given), for the optimizer's variables. */
  compile?: CompileSettings;
  /** Things Keras will compute differently from CNN Lab, to tell the user. */
  warnings: string[];
}

export interface CompileSettings {
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  loss: LossName;
  fromLogits: boolean;
}

// ---------------------------------------------------------------------------------------------
// Values

const pair = (value: unknown, fallback: unknown): Json => pairOf(value ?? fallback) as Json;

/** Keras spells activations in snake_case (`hard_sigmoid`, `leaky_relu`); null and absent are linear; `swish` is `silu`. */
export function kerasActivation(value: unknown): string {
  if (value === null || value === undefined) return 'linear';
  const name = activationNamed(String(value));
  if (name === undefined) return String(value);
  if (name === 'swish') return 'silu';
  return toSnakeCase(name);
}

const DATA_FORMATS: Record<string, string> = { channelsLast: 'channels_last', channelsFirst: 'channels_first' };
const dataFormat = (value: unknown): string => (typeof value === 'string' ? (DATA_FORMATS[value] ?? value) : 'channels_last');

/** Initializers whose config is `{seed}` (the rest take no arguments or their own). */
const SEEDED_INITIALIZERS = new Set([
  'GlorotUniform',
  'GlorotNormal',
  'HeNormal',
  'HeUniform',
  'LecunNormal',
  'LecunUniform',
  'RandomNormal',
  'RandomUniform',
  'TruncatedNormal',
  'VarianceScaling',
  'Orthogonal',
]);

/** `glorotUniform`, `glorot_uniform`, tfjs's `LeCunNormal` → Keras's class name `GlorotUniform`, `LecunNormal`. */
function kerasClassName(name: string): string {
  const camel = name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
  const pascal = camel.charAt(0).toUpperCase() + camel.slice(1);
  return pascal.replace(/^LeCun/, 'Lecun').replace(/^L1l2$/, 'L1L2').replace(/^L([12])$/, 'L$1');
}

/** Initializer config keys of recent Keras 3 versions only (see the note at the top). */
const LATE_INITIALIZER_KEYS = ['input_axes', 'output_axes'];

function snakeKeys(record: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [toSnakeCase(key), (value ?? null) as Json]));
}

function serialized(module: string, className: string, config: JsonObject): JsonObject {
  return { module, class_name: className, config, registered_name: null };
}

/**
 * An initializer, regularizer or constraint as Keras 3 serializes it. A Keras object from a Keras
 * file is kept as written; tfjs's `{className, config}` and names (`heNormal`, `l2`) are spelled as Keras does.
 */
function kerasObject(value: unknown, module: 'keras.initializers' | 'keras.regularizers' | 'keras.constraints', fallback?: string): Json {
  if (value === null || value === undefined) {
    return fallback === undefined ? null : kerasObject(fallback, module);
  }
  if (typeof value === 'string') {
    const className = kerasClassName(value);
    if (module === 'keras.initializers') return serialized(module, className, SEEDED_INITIALIZERS.has(className) ? { seed: null } : {});
    if (module === 'keras.regularizers' && (className === 'L1' || className === 'L2')) return serialized(module, className, { [className.toLowerCase()]: 0.01 });
    return serialized(module, className, {});
  }
  if (typeof value !== 'object' || Array.isArray(value)) return value as Json;
  const record = value as Record<string, unknown>;
  if (typeof record.class_name === 'string') {
    const config = { ...((record.config ?? {}) as JsonObject) };
    // Recent Keras 3 writes these initializer keys; earlier Keras 3 refuses them. At null they are the default.
    for (const late of LATE_INITIALIZER_KEYS) if (config[late] === null) delete config[late];
    return { module: (record.module as Json | undefined) ?? module, class_name: record.class_name, config, registered_name: (record.registered_name as Json | undefined) ?? null };
  }
  if (typeof record.className === 'string') {
    const className = kerasClassName(record.className);
    const config = snakeKeys((record.config ?? {}) as Record<string, unknown>);
    // tfjs's VarianceScaling says `normal` for Keras's truncated normal.
    if (className === 'VarianceScaling' && config.distribution === 'normal') config.distribution = 'truncated_normal';
    return serialized(module, className, config);
  }
  return value as Json;
}

const initializer = (value: unknown, fallback: string): Json => kerasObject(value, 'keras.initializers', fallback);
const regularizer = (value: unknown): Json => kerasObject(value, 'keras.regularizers');
const constraint = (value: unknown): Json => kerasObject(value, 'keras.constraints');

/** An option as written, or its Keras default. */
function opt(spec: LayerSpec, option: string, fallback: unknown): Json {
  const value = spec.config[option];
  return (value === undefined ? fallback : value) as Json;
}

// ---------------------------------------------------------------------------------------------
// Layer configs: Keras 3's get_config() keys for each class CNN Lab's catalogue has (after
// `name`, `trainable`, `dtype`), from the IR's tf.layers option names.

type ConfigWriter = (spec: LayerSpec) => JsonObject;

const weightsOf = (spec: LayerSpec, prefix: 'kernel' | 'depthwise'): JsonObject => ({
  [`${prefix}_initializer`]: initializer(spec.config[`${prefix}Initializer`], 'glorotUniform'),
  bias_initializer: initializer(spec.config.biasInitializer, 'zeros'),
  [`${prefix}_regularizer`]: regularizer(spec.config[`${prefix}Regularizer`]),
  bias_regularizer: regularizer(spec.config.biasRegularizer),
  activity_regularizer: regularizer(spec.config.activityRegularizer),
  [`${prefix}_constraint`]: constraint(spec.config[`${prefix}Constraint`]),
  bias_constraint: constraint(spec.config.biasConstraint),
});

const convCommon = (spec: LayerSpec): JsonObject => ({
  kernel_size: pair(spec.config.kernelSize, 1),
  strides: pair(spec.config.strides, 1),
  padding: opt(spec, 'padding', 'valid'),
  data_format: dataFormat(spec.config.dataFormat),
  dilation_rate: pair(spec.config.dilationRate, 1),
});

const pooling: ConfigWriter = (spec) => ({
  pool_size: pair(spec.config.poolSize, 2),
  padding: opt(spec, 'padding', 'valid'),
  strides: pair(spec.config.strides ?? spec.config.poolSize, 2),
  data_format: dataFormat(spec.config.dataFormat),
});

const globalPooling: ConfigWriter = (spec) => ({ data_format: dataFormat(spec.config.dataFormat), keepdims: opt(spec, 'keepdims', false) });

const normalizationWeights = (spec: LayerSpec): JsonObject => ({
  beta_initializer: initializer(spec.config.betaInitializer, 'zeros'),
  gamma_initializer: initializer(spec.config.gammaInitializer, 'ones'),
});
const normalizationPenalties = (spec: LayerSpec): JsonObject => ({
  beta_regularizer: regularizer(spec.config.betaRegularizer),
  gamma_regularizer: regularizer(spec.config.gammaRegularizer),
  beta_constraint: constraint(spec.config.betaConstraint),
  gamma_constraint: constraint(spec.config.gammaConstraint),
});

const merge: ConfigWriter = () => ({});

const LAYER_CONFIGS: Record<string, ConfigWriter> = {
  Conv2D: (spec) => {
    const { kernel_size, strides, padding, data_format, dilation_rate } = convCommon(spec);
    return {
      filters: opt(spec, 'filters', null),
      kernel_size,
      strides,
      padding,
      data_format,
      dilation_rate,
      groups: opt(spec, 'groups', 1),
      activation: kerasActivation(spec.config.activation),
      use_bias: opt(spec, 'useBias', true),
      ...weightsOf(spec, 'kernel'),
    };
  },
  Conv2DTranspose: (spec) => {
    const outputPadding = spec.config.outputPadding;
    return {
      filters: opt(spec, 'filters', null),
      ...convCommon(spec),
      ...(outputPadding === null || outputPadding === undefined ? {} : { output_padding: pair(outputPadding, 0) }),
      activation: kerasActivation(spec.config.activation),
      use_bias: opt(spec, 'useBias', true),
      ...weightsOf(spec, 'kernel'),
    };
  },
  DepthwiseConv2D: (spec) => ({
    depth_multiplier: opt(spec, 'depthMultiplier', 1),
    ...convCommon(spec),
    activation: kerasActivation(spec.config.activation),
    use_bias: opt(spec, 'useBias', true),
    ...weightsOf(spec, 'depthwise'),
  }),
  SeparableConv2D: (spec) => ({
    depth_multiplier: opt(spec, 'depthMultiplier', 1),
    filters: opt(spec, 'filters', null),
    ...convCommon(spec),
    activation: kerasActivation(spec.config.activation),
    use_bias: opt(spec, 'useBias', true),
    depthwise_initializer: initializer(spec.config.depthwiseInitializer, 'glorotUniform'),
    pointwise_initializer: initializer(spec.config.pointwiseInitializer, 'glorotUniform'),
    bias_initializer: initializer(spec.config.biasInitializer, 'zeros'),
    depthwise_regularizer: regularizer(spec.config.depthwiseRegularizer),
    pointwise_regularizer: regularizer(spec.config.pointwiseRegularizer),
    bias_regularizer: regularizer(spec.config.biasRegularizer),
    activity_regularizer: regularizer(spec.config.activityRegularizer),
    depthwise_constraint: constraint(spec.config.depthwiseConstraint),
    pointwise_constraint: constraint(spec.config.pointwiseConstraint),
    bias_constraint: constraint(spec.config.biasConstraint),
  }),
  MaxPooling2D: pooling,
  AveragePooling2D: pooling,
  GlobalAveragePooling2D: globalPooling,
  GlobalMaxPooling2D: globalPooling,
  ZeroPadding2D: (spec) => ({ padding: amountsOf(spec.config.padding ?? 1) as Json, data_format: dataFormat(spec.config.dataFormat) }),
  Cropping2D: (spec) => ({ cropping: amountsOf(spec.config.cropping ?? 0) as Json, data_format: dataFormat(spec.config.dataFormat) }),
  Dropout: (spec) => ({ rate: opt(spec, 'rate', 0), seed: opt(spec, 'seed', null), noise_shape: opt(spec, 'noiseShape', null) }),
  // Keras's SpatialDropout2D takes no `trainable` (its get_config is rate, seed, name, dtype, data_format): see baseKeys.
  SpatialDropout2D: (spec) => ({ rate: opt(spec, 'rate', 0), seed: opt(spec, 'seed', null), data_format: dataFormat(spec.config.dataFormat) }),
  Flatten: (spec) => ({ data_format: dataFormat(spec.config.dataFormat) }),
  Reshape: (spec) => ({ target_shape: opt(spec, 'targetShape', null) }),
  Dense: (spec) => {
    const activity = spec.config.activityRegularizer;
    return {
      units: opt(spec, 'units', null),
      activation: kerasActivation(spec.config.activation),
      use_bias: opt(spec, 'useBias', true),
      kernel_initializer: initializer(spec.config.kernelInitializer, 'glorotUniform'),
      bias_initializer: initializer(spec.config.biasInitializer, 'zeros'),
      kernel_regularizer: regularizer(spec.config.kernelRegularizer),
      bias_regularizer: regularizer(spec.config.biasRegularizer),
      // Keras's Dense writes activity_regularizer only when it has one.
      ...(activity === null || activity === undefined ? {} : { activity_regularizer: regularizer(activity) }),
      kernel_constraint: constraint(spec.config.kernelConstraint),
      bias_constraint: constraint(spec.config.biasConstraint),
    };
  },
  BatchNormalization: (spec) => ({
    axis: opt(spec, 'axis', -1),
    momentum: opt(spec, 'momentum', 0.99),
    epsilon: opt(spec, 'epsilon', 0.001),
    center: opt(spec, 'center', true),
    scale: opt(spec, 'scale', true),
    ...normalizationWeights(spec),
    moving_mean_initializer: initializer(spec.config.movingMeanInitializer, 'zeros'),
    moving_variance_initializer: initializer(spec.config.movingVarianceInitializer, 'ones'),
    ...normalizationPenalties(spec),
    synchronized: false,
    ...(spec.config.renorm === true ? { renorm: true, renorm_clipping: null, renorm_momentum: 0.99 } : {}),
  }),
  LayerNormalization: (spec) => ({
    axis: opt(spec, 'axis', -1),
    epsilon: opt(spec, 'epsilon', 0.001),
    center: opt(spec, 'center', true),
    scale: opt(spec, 'scale', true),
    rms_scaling: opt(spec, 'rmsScaling', false),
    ...normalizationWeights(spec),
    ...normalizationPenalties(spec),
  }),
  Activation: (spec) => ({ activation: kerasActivation(spec.config.activation) }),
  ReLU: (spec) => ({ max_value: opt(spec, 'maxValue', null), negative_slope: 0, threshold: 0 }),
  LeakyReLU: (spec) => ({ negative_slope: opt(spec, 'alpha', 0.3) }),
  Softmax: (spec) => ({ axis: opt(spec, 'axis', -1) }),
  Rescaling: (spec) => ({ scale: opt(spec, 'scale', 1), offset: opt(spec, 'offset', 0) }),
  Normalization: (spec) => {
    const axis = spec.config.axis === undefined ? -1 : spec.config.axis;
    return {
      axis: (axis === null ? [] : Array.isArray(axis) ? axis : [axis]) as Json,
      invert: opt(spec, 'invert', false),
      mean: opt(spec, 'mean', null),
      variance: opt(spec, 'variance', null),
    };
  },
  Add: merge,
  Subtract: merge,
  Multiply: merge,
  Average: merge,
  Maximum: merge,
  Minimum: merge,
  Concatenate: (spec) => ({ axis: opt(spec, 'axis', -1) }),
  UpSampling2D: (spec) => ({ size: pair(spec.config.size, 2), data_format: dataFormat(spec.config.dataFormat), interpolation: opt(spec, 'interpolation', 'nearest') }),
};

/**
 * A layer's Keras class and its config (without `name`, `trainable`, `dtype`), with the config a
 * layer of that class has when nothing is set, for writing only what differs (train.py).
 */
export function kerasLayerArguments(spec: LayerSpec): { className: string; config: JsonObject; defaults: JsonObject } {
  checkLayer(spec, 'the model');
  const className = canonicalClass(spec);
  const write = LAYER_CONFIGS[className];
  if (!write) throw new UserError(`Layer '${spec.name}' (${spec.className}) has no Keras layer class the exporter writes.`);
  return { className, config: write(spec), defaults: write({ name: spec.name, className: spec.className, config: {}, inbound: [] }) };
}

/** The layer classes the exporter writes (InputLayer and nested models besides). */
export const EXPORTABLE_LAYER_CLASSES: readonly string[] = Object.keys(LAYER_CONFIGS);

/** Classes whose Keras layer has a build() of its own, and so a `build_config` in the file. */
const BUILT_CLASSES = new Set([
  'Conv2D',
  'Conv2DTranspose',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'Dense',
  'BatchNormalization',
  'LayerNormalization',
  'Flatten',
  'Rescaling',
  'ZeroPadding2D',
  'Normalization',
  'Add',
  'Subtract',
  'Multiply',
  'Average',
  'Maximum',
  'Minimum',
  'Concatenate',
]);

/** Call arguments Keras records in a layer's inbound node (the defaults of its call signature it fills in). */
function callKwargs(className: string, frozenModel: boolean): JsonObject {
  if (className === 'BatchNormalization') return { mask: null };
  if (className === 'Dropout') return { training: false };
  // A frozen base is called with training=False, as Keras's transfer-learning guide does: its
  // BatchNormalization layers stay in inference mode even if it is unfrozen to fine-tune.
  if (MODEL_CLASSES.has(className)) return frozenModel ? { training: false, mask: null } : { mask: null };
  return {};
}

// ---------------------------------------------------------------------------------------------
// Shapes, names and order

/** The canonical Keras class of a layer (`MaxPool2D` → MaxPooling2D), or the model class. */
function canonicalClass(spec: LayerSpec): string {
  if (spec.model) return spec.model.topology === 'sequential' ? 'Sequential' : 'Functional';
  return layerKindByClassName(spec.className)?.className ?? spec.className;
}

/** The per-example shape a layer's input options give (inputShape, batchInputShape, Keras's batch_shape), with the batch axis. */
function declaredBatchShape(spec: LayerSpec): Shape | undefined {
  const config = spec.config;
  const perExample = config.inputShape ?? config.shape;
  if (Array.isArray(perExample)) return [config.batchSize === undefined ? null : (config.batchSize as number), ...(perExample as Shape)];
  const withBatch = config.batchInputShape ?? config.batchShape;
  return Array.isArray(withBatch) ? (withBatch as Shape) : undefined;
}

function freeName(names: Set<string>, base: string): string {
  if (!names.has(base)) return base;
  for (let index = 1; ; index += 1) if (!names.has(`${base}_${index}`)) return `${base}_${index}`;
}

/**
 * Keras's order of a Functional model's layers (keras/src/ops/function.py map_graph): by depth
 * from the outputs, deepest first, and at equal depth in the order a depth-first walk from the
 * outputs first meets them.
 */
export function kerasFunctionalOrder(ir: ModelIR): LayerSpec[] {
  const byName = new Map(ir.layers.map((layer) => [layer.name, layer]));
  const inputs = new Set(ir.inputs);
  const finished = new Set<string>();
  const inProgress = new Set<string>();
  const visited: string[] = [];
  const index = new Map<string, number>();
  const visit = (name: string): void => {
    const layer = byName.get(name);
    if (!layer || finished.has(name)) return;
    if (inProgress.has(name)) throw new UserError(`The model '${ir.name}' has a cycle through layer '${name}'.`);
    if (!index.has(name)) index.set(name, index.size);
    inProgress.add(name);
    if (layer.className !== 'InputLayer' && !inputs.has(name)) for (const parent of layer.inbound) visit(parent);
    finished.add(name);
    inProgress.delete(name);
    visited.push(name);
  };
  for (const output of ir.outputs) visit(output);
  const depth = new Map<string, number>();
  for (const name of [...visited].reverse()) {
    const own = depth.get(name) ?? 0;
    depth.set(name, own);
    const layer = byName.get(name);
    if (!layer || layer.className === 'InputLayer') continue;
    for (const parent of layer.inbound) depth.set(parent, Math.max(own + 1, depth.get(parent) ?? 0));
  }
  for (const input of ir.inputs) {
    if (!depth.has(input)) {
      depth.set(input, 0);
      index.set(input, -1);
    }
  }
  const listed = [...depth.keys()].filter((name) => byName.has(name));
  listed.sort((a, b) => (depth.get(b) ?? 0) - (depth.get(a) ?? 0) || (index.get(a) ?? 0) - (index.get(b) ?? 0));
  return listed.map((name) => byName.get(name) as LayerSpec);
}

/** Keras's key of each layer's weights in a list: its class in snake_case, numbered from the second (`conv2d`, `conv2d_1`). */
function slotKeys(layers: { className: string }[]): string[] {
  const used = new Map<string, number>();
  return layers.map((layer) => {
    const base = toSnakeCase(layer.className);
    const count = used.get(base);
    used.set(base, count === undefined ? 0 : count + 1);
    return count === undefined ? base : `${base}_${count + 1}`;
  });
}

// ---------------------------------------------------------------------------------------------
// Models

interface ModelContext {
  warnings: string[];
  /** Frozen by an enclosing model. */
  frozen: boolean;
}

function checkLayer(spec: LayerSpec, modelName: string): void {
  if (spec.unreadable) throw new UserError(`Layer ${JSON.stringify(spec.name)} of '${modelName}' could not be read, so the model cannot be exported.`, 'Fix the model file (cnnlab summary shows what is wrong).');
  if (spec.computed) {
    throw new UserError(
      `Layer '${spec.name}' (${spec.className}) of '${modelName}' is a custom layer computed by the model module; Keras has no class for it, so the model cannot be written as a Keras file.`,
      'Export the tfjs model instead (--format tfjs), or build the model from Keras layers.',
    );
  }
  if (spec.model) return;
  if (spec.className === 'InputLayer') return;
  if (!LAYER_CONFIGS[canonicalClass(spec)]) {
    throw new UserError(
      `Layer '${spec.name}' of '${modelName}' is a ${spec.className}, which the Keras exporter does not write. Expected one of: ${EXPORTABLE_LAYER_CLASSES.join(', ')}.`,
      'Export the tfjs model instead (--format tfjs).',
    );
  }
}

function shapeIndex(ir: ModelIR, rows: LayerSummary[]): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const row of rows) shapes.set(row.name, row.outputShape);
  for (const layer of ir.layers) {
    if (layer.className === 'InputLayer' && !shapes.has(layer.name)) {
      const shape = declaredBatchShape(layer);
      if (shape) shapes.set(layer.name, shape);
    }
  }
  return shapes;
}

function tensor(name: string, shape: Shape): JsonObject {
  return { class_name: '__keras_tensor__', config: { shape: shape as Json, dtype: 'float32', keras_history: [name, 0, 0] } };
}

/** `frozen`: inside a model with trainable false, whose layers Keras saves as frozen too. */
function baseKeys(spec: LayerSpec, className: string, frozen: boolean): JsonObject {
  const name = spec.name;
  // dtype as the plain policy name, which every Keras 3 reads (see the note at the top).
  if (className === 'SpatialDropout2D') return { name, dtype: 'float32' };
  return { name, trainable: !frozen && spec.config.trainable !== false, dtype: 'float32' };
}

function inputLayerEntry(name: string, batchShape: Shape, functional: boolean): JsonObject {
  const entry: JsonObject = {
    module: 'keras.layers',
    class_name: 'InputLayer',
    config: { batch_shape: batchShape as Json, dtype: 'float32', sparse: false, name },
    registered_name: null,
  };
  if (functional) {
    entry.name = name;
    entry.inbound_nodes = [];
  }
  return entry;
}

interface LayerEntry {
  entry: JsonObject;
  /** For a model used as a layer: its layers in Keras's order. */
  nested?: KerasModelSlots;
}

function layerEntry(spec: LayerSpec, inputShapes: Shape[], rows: LayerSummary[], context: ModelContext): LayerEntry {
  const className = canonicalClass(spec);
  if (spec.model) {
    const nestedRows = rows.find((row) => row.name === spec.name)?.nested ?? [];
    const frozen = context.frozen || spec.config.trainable === false;
    const { config, slots } = modelConfig(spec.model, nestedRows, { ...context, frozen }, { name: spec.name, trainable: !frozen });
    return { entry: config, nested: slots };
  }
  const entry: JsonObject = {
    module: 'keras.layers',
    class_name: className,
    config: { ...baseKeys(spec, className, context.frozen), ...LAYER_CONFIGS[className](spec) },
    registered_name: null,
  };
  if (BUILT_CLASSES.has(className)) entry.build_config = { input_shape: (inputShapes.length === 1 ? inputShapes[0] : inputShapes) as Json };
  return { entry };
}

function slot(layer: LayerSpec, key: string, built: LayerEntry): KerasLayerSlot {
  return { name: layer.name, className: canonicalClass(layer), key, ...(built.nested ? { nested: built.nested } : {}) };
}

/** A model's config (the file's own model, or one nested as a layer) and its layers in Keras's order. */
function modelConfig(
  ir: ModelIR,
  rows: LayerSummary[],
  context: ModelContext,
  as: { name: string; trainable: boolean },
): { config: JsonObject; slots: KerasModelSlots } {
  for (const layer of ir.layers) checkLayer(layer, ir.name);
  const shapes = shapeIndex(ir, rows);
  const shapeOf = (name: string): Shape => {
    const shape = shapes.get(name);
    if (!shape) throw new UserError(`The output shape of layer '${name}' of '${ir.name}' is not known, so the model cannot be exported.`, 'Fix the errors `cnnlab summary` shows first.');
    return shape;
  };

  if (ir.topology === 'sequential') {
    const layers = ir.layers.filter((layer) => layer.className !== 'InputLayer');
    const inputLayer = ir.layers.find((layer) => layer.className === 'InputLayer');
    const first = layers[0];
    let inputShape: Shape | undefined;
    if (inputLayer) inputShape = declaredBatchShape(inputLayer);
    else if (first) inputShape = declaredBatchShape(first) ?? (first.model ? firstInputShape(first.model) : undefined);
    if (!inputShape) throw new UserError(`The Sequential model '${ir.name}' declares no input shape, so Keras could not build it from the file.`, 'Give the first layer an inputShape (e.g. [28, 28, 1]).');
    const names = new Set(ir.layers.map((layer) => layer.name));
    const inputName = inputLayer?.name ?? freeName(names, 'input_layer');
    const entries: JsonObject[] = [inputLayerEntry(inputName, inputShape, false)];
    const keys = slotKeys(layers.map((layer) => ({ className: canonicalClass(layer) })));
    const slots: KerasLayerSlot[] = [];
    let previous = inputShape;
    layers.forEach((layer, index) => {
      const built = layerEntry(layer, [previous], rows, context);
      entries.push(built.entry);
      slots.push(slot(layer, keys[index], built));
      previous = shapeOf(layer.name);
    });
    const config: JsonObject = {
      module: 'keras',
      class_name: 'Sequential',
      config: { name: as.name, trainable: as.trainable, dtype: 'float32', layers: entries, build_input_shape: inputShape as Json },
      registered_name: null,
      build_config: { input_shape: inputShape as Json },
    };
    return { config, slots: { name: as.name, layers: slots } };
  }

  const ordered = kerasFunctionalOrder(ir);
  const keys = slotKeys(ordered.map((layer) => ({ className: canonicalClass(layer) })));
  const slots: KerasLayerSlot[] = [];
  const entries = ordered.map((layer, index): JsonObject => {
    if (layer.className === 'InputLayer') {
      slots.push({ name: layer.name, className: 'InputLayer', key: keys[index] });
      return inputLayerEntry(layer.name, shapeOf(layer.name), true);
    }
    const built = layerEntry(layer, layer.inbound.map(shapeOf), rows, context);
    slots.push(slot(layer, keys[index], built));
    const tensors = layer.inbound.map((name) => tensor(name, shapeOf(name)));
    const frozenModel = layer.model !== undefined && (context.frozen || layer.config.trainable === false);
    return {
      ...built.entry,
      name: layer.name,
      inbound_nodes: [{ args: [tensors.length === 1 ? tensors[0] : tensors], kwargs: callKwargs(canonicalClass(layer), frozenModel) }],
    };
  });
  const refs = (names: string[]): Json => (names.length === 1 ? [names[0], 0, 0] : names.map((name) => [name, 0, 0]));
  const config: JsonObject = {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: { name: as.name, trainable: as.trainable, layers: entries, input_layers: refs(ir.inputs), output_layers: refs(ir.outputs) },
    registered_name: 'Functional',
    build_config: { input_shape: null },
  };
  return { config, slots: { name: as.name, layers: slots } };
}

function firstInputShape(model: ModelIR): Shape | undefined {
  const first = model.layers.find((layer) => layer.name === model.inputs[0]) ?? model.layers[0];
  return first ? declaredBatchShape(first) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Compile settings

const KERAS_LOSSES: Record<LossName, { name: string; className: string }> = {
  categoricalCrossentropy: { name: 'categorical_crossentropy', className: 'CategoricalCrossentropy' },
  sparseCategoricalCrossentropy: { name: 'sparse_categorical_crossentropy', className: 'SparseCategoricalCrossentropy' },
  binaryCrossentropy: { name: 'binary_crossentropy', className: 'BinaryCrossentropy' },
  meanSquaredError: { name: 'mean_squared_error', className: 'MeanSquaredError' },
};
export const kerasLossName = (loss: LossName): string => KERAS_LOSSES[loss].name;
export const kerasLossClass = (loss: LossName): string => KERAS_LOSSES[loss].className;

/** Keras's class and default name of each optimizer. */
export const KERAS_OPTIMIZERS: Record<OptimizerName, { className: string; name: string }> = {
  adam: { className: 'Adam', name: 'adam' },
  sgd: { className: 'SGD', name: 'SGD' },
  rmsprop: { className: 'RMSprop', name: 'rmsprop' },
  adagrad: { className: 'Adagrad', name: 'adagrad' },
};

/** The run's optimizer, loss and learning rate, as the trainer resolves its training block. */
export function compileSettings(training: TrainingConfig, outputUnits: number): CompileSettings {
  const resolved = resolveTraining(training, outputUnits);
  return {
    optimizer: resolved.optimizer,
    learningRate: resolved.learningRate,
    momentum: resolved.momentum,
    nesterov: resolved.nesterov,
    loss: resolved.loss,
    fromLogits: resolved.fromLogits,
  };
}

function optimizerConfig(settings: CompileSettings): JsonObject {
  const { className, name } = KERAS_OPTIMIZERS[settings.optimizer];
  const common: JsonObject = {
    name,
    learning_rate: settings.learningRate,
    weight_decay: null,
    clipnorm: null,
    global_clipnorm: null,
    clipvalue: null,
    use_ema: false,
    ema_momentum: 0.99,
    ema_overwrite_frequency: null,
  };
  // The same hyperparameters as tfjs's optimizers the trainer creates (src/trainer/optimizers.ts).
  const own: Record<OptimizerName, JsonObject> = {
    adam: { beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false },
    sgd: { momentum: settings.momentum, nesterov: settings.nesterov },
    rmsprop: { rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
    adagrad: { initial_accumulator_value: 0.1, epsilon: 1e-7 },
  };
  return { module: 'keras.optimizers', class_name: className, config: { ...common, ...own[settings.optimizer] }, registered_name: null };
}

function lossConfig(settings: CompileSettings): Json {
  const loss = KERAS_LOSSES[settings.loss];
  if (!settings.fromLogits || settings.loss === 'meanSquaredError') return loss.name;
  return { module: 'keras.losses', class_name: loss.className, config: { name: loss.name, from_logits: true }, registered_name: null };
}

function compileConfig(settings: CompileSettings): JsonObject {
  return {
    optimizer: optimizerConfig(settings),
    loss: lossConfig(settings),
    loss_weights: null,
    metrics: ['accuracy'],
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: 'auto',
  };
}

// ---------------------------------------------------------------------------------------------
// Public API

export interface KerasConfigOptions {
  /** The run's training block: written as compile_config (optimizer, loss, metrics). */
  training?: TrainingConfig;
  /** The summary of `ir` (computed when absent). */
  summary?: ModelSummary;
}

/** The config.json of `ir` as a Keras 3 `.keras` file holds it; throws a UserError for a model Keras could not rebuild. */
export function kerasModelConfig(ir: ModelIR, options: KerasConfigOptions = {}): KerasConfigResult {
  const summary = options.summary ?? summarizeModel(ir);
  const errors = summary.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0) {
    throw new UserError(
      `The model '${ir.name}' has ${errors.length} error(s), so it cannot be exported:\n  ${errors.map((diagnostic) => `${diagnostic.layer ? `layer '${diagnostic.layer}': ` : ''}${diagnostic.message}`).join('\n  ')}`,
      '`cnnlab summary` shows the model layer by layer.',
    );
  }
  if (ir.incomplete) throw new UserError(`CNN Lab could not follow the whole of model '${ir.name}', so it cannot be exported.`, 'Open the model file: its warning says where the static reader stopped.');
  const warnings: string[] = [];
  const { config, slots } = modelConfig(ir, summary.layers, { warnings, frozen: false }, { name: ir.name, trainable: true });
  let compile: CompileSettings | undefined;
  if (options.training) {
    const last = summary.layers.find((row) => row.name === ir.outputs[0]) ?? summary.layers.at(-1);
    const units = last?.outputShape.at(-1);
    compile = compileSettings(options.training, typeof units === 'number' ? units : 0);
    config.compile_config = compileConfig(compile);
  }
  return { config, slots, ...(compile ? { compile } : {}), warnings };
}

/** Keys whose values Keras reads as Python floats: written with a decimal point (`0.001`, `1.0`), as Python's json writes floats. */
const FLOAT_KEYS = new Set([
  'learning_rate',
  'momentum',
  'epsilon',
  'beta_1',
  'beta_2',
  'rho',
  'ema_momentum',
  'initial_accumulator_value',
  'weight_decay',
  'rate',
  'scale',
  'offset',
  'max_value',
  'negative_slope',
  'threshold',
  'renorm_momentum',
  'l1',
  'l2',
  'stddev',
  'mean',
  'minval',
  'maxval',
]);

/** JSON as Python's json.dumps writes it (`, ` and `: `), with float keys' whole numbers written `1.0`. */
export function pythonJson(value: unknown, key?: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    return key !== undefined && FLOAT_KEYS.has(key) && Number.isInteger(value) ? `${value}.0` : JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => pythonJson(item, key)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  return `{${entries.map(([name, item]) => `${JSON.stringify(name)}: ${pythonJson(item, name)}`).join(', ')}}`;
}
