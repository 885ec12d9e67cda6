// IR → tfjs LayersModel. Every model is built functionally (tf.input … apply … tf.model), which
// covers Sequential and functional IRs alike and keeps the user's layer names. A model nested as a
// layer (LayerSpec.model) is built the same way and applied as one layer, under its Keras name,
// so that Keras weights can be loaded layer by layer into it.
import * as tf from '@tensorflow/tfjs';
import { kerasOnlyOptions, LAYER_CATALOG, layerKindByClassName, type LayerKind } from '../model/catalog';
import { camelCase } from '../model/names';
import { axesOf, numbersOf } from '../model/options';
import { mergeShapes } from '../model/shape';
import type { Dim, LayerSpec, ModelIR } from '../model/types';
import { ACTIVATIONS, activationNamed, TFJS_ACTIVATIONS } from '../model/vocabulary';
import { TrainingError } from './errors';
import { seedInitializers } from './seeding';

type Layer = tf.layers.Layer;
type LayerFactory = (args: Record<string, unknown>) => Layer;

function factory<Args>(create: (args: Args) => Layer): LayerFactory {
  // The IR's options carry tf.layers argument names (see src/model/types.ts); tfjs checks the values.
  return (args) => create(args as unknown as Args);
}

/** Keras's SpatialDropout2D, which tfjs lacks: drops whole feature maps while training. */
export class SpatialDropout2D extends tf.layers.Layer {
  static readonly className = 'SpatialDropout2D';
  private readonly rate: number;
  /** Set before each training batch by the trainer (see reseedStochasticLayers), as for Dropout. */
  seed: number | undefined;

  constructor(args: { rate: number; seed?: number; name?: string; trainable?: boolean }) {
    super(args);
    this.rate = args.rate;
    this.seed = args.seed;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    if (kwargs.training !== true || this.rate === 0) return input;
    return tf.tidy(() => {
      const [batch, , , channels] = input.shape;
      return tf.dropout(input, this.rate, [batch ?? 1, 1, 1, channels ?? 1], this.seed);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }
}
tf.serialization.registerClass(SpatialDropout2D);

interface NormalizationArgs {
  axis?: number | number[] | null;
  mean?: unknown;
  variance?: unknown;
  invert?: boolean;
  name?: string;
  trainable?: boolean;
}

/**
 * Keras's preprocessing Normalization, which tfjs lacks (keras/src/layers/preprocessing/normalization.py):
 * (x − mean) / max(√variance, 1e-7), or with `invert` mean + x · max(√variance, 1e-7). Given a mean
 * and variance it has no weights; without them it has Keras's non-trainable mean (zeros), variance
 * (ones) and count, the weights Keras's `adapt()` sets (loaded from a Keras model; CNN Lab runs no adapt).
 */
export class Normalization extends tf.layers.Layer {
  static readonly className = 'Normalization';
  private readonly axis: number[];
  private readonly givenMean: number[] | undefined;
  private readonly givenVariance: number[] | undefined;
  private readonly invert: boolean;
  private broadcastShape: number[] = [];
  private meanWeight: tf.LayerVariable | undefined;
  private varianceWeight: tf.LayerVariable | undefined;

  constructor(args: NormalizationArgs) {
    super(args);
    // Keras's default axis is -1; `axis: null` (one mean for the whole input) arrives as [] (see nullMeans).
    this.axis = args.axis === undefined ? [-1] : axesOf(args.axis);
    this.givenMean = args.mean == null ? undefined : numbersOf(args.mean);
    this.givenVariance = args.variance == null ? undefined : numbersOf(args.variance);
    this.invert = args.invert === true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const kept = this.axis.map((axis) => (axis < 0 ? axis + shape.length : axis)).sort((a, b) => a - b);
    this.broadcastShape = shape.map((dim, axis) => (kept.includes(axis) ? (dim ?? 1) : 1));
    if (this.givenMean === undefined) {
      const weightShape = kept.map((axis) => shape[axis] ?? 1);
      this.meanWeight = this.addWeight('mean', weightShape, 'float32', tf.initializers.zeros(), undefined, false);
      this.varianceWeight = this.addWeight('variance', weightShape, 'float32', tf.initializers.ones(), undefined, false);
      this.addWeight('count', [], 'int32', tf.initializers.zeros(), undefined, false);
    }
    this.built = true;
  }

  private statistic(given: number[] | undefined, weight: tf.LayerVariable | undefined): tf.Tensor {
    const values = weight ? weight.read() : tf.tensor(given ?? [0]);
    const positions = this.broadcastShape.reduce((product, dim) => product * dim, 1);
    return values.size === positions ? tf.reshape(values, this.broadcastShape) : tf.reshape(values, []);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      const mean = this.statistic(this.givenMean, this.meanWeight);
      const deviation = tf.maximum(tf.sqrt(this.statistic(this.givenVariance, this.varianceWeight)), 1e-7);
      return this.invert ? tf.add(mean, tf.mul(input, deviation)) : tf.div(tf.sub(input, mean), deviation);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      axis: this.axis,
      invert: this.invert,
      ...(this.givenMean === undefined ? {} : { mean: this.givenMean, variance: this.givenVariance ?? null }),
    };
  }
}
tf.serialization.registerClass(Normalization);

/** Keras's Subtract, which tfjs lacks: the first input minus the second, broadcast as Keras's merges are. */
export class Subtract extends tf.layers.Layer {
  static readonly className = 'Subtract';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = inputShape as tf.Shape[];
    const merged = shapes.length === 2 ? mergeShapes(shapes) : undefined;
    if (!merged?.ok) throw new Error(`A \`Subtract\` layer should be called on exactly 2 inputs of shapes that broadcast. Received: input_shape=${JSON.stringify(shapes)}`);
    return merged.shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [first, second] = inputs as tf.Tensor[];
    return tf.sub(first, second);
  }
}
tf.serialization.registerClass(Subtract);

/**
 * Keras's GlobalAveragePooling2D / GlobalMaxPooling2D with `keepdims=True` (the squeeze of a
 * squeeze-and-excitation block): tfjs's global poolings have no keepdims.
 */
export class GlobalPooling2DKeepdims extends tf.layers.Layer {
  static readonly className = 'GlobalPooling2DKeepdims';
  private readonly pooling: 'average' | 'max';

  constructor(args: { pooling: 'average' | 'max'; name?: string; trainable?: boolean }) {
    super(args);
    this.pooling = args.pooling;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0], 1, 1, shape[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    return this.pooling === 'max' ? tf.max(input, [1, 2], true) : tf.mean(input, [1, 2], true);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), pooling: this.pooling };
  }
}
tf.serialization.registerClass(GlobalPooling2DKeepdims);

/**
 * Keras 3's hard_sigmoid, relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1) (keras.ops.hard_sigmoid):
 * tfjs's own `hardSigmoid` is Keras 2's, 0.2·x + 0.5 clipped, which would train and predict
 * differently. Registered as a tfjs activation under its own name (TFJS_ACTIVATIONS.hardSigmoid),
 * so that a saved run model loads with it again and never silently with tfjs's formula.
 */
export class Keras3HardSigmoid extends tf.serialization.Serializable {
  static readonly className = 'keras3HardSigmoid';

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}
tf.serialization.registerClass(Keras3HardSigmoid);

/** Keras-only options (OptionSpec.tfjs) CNN Lab's trainer supplies, with the layer that does when the option is true. */
const suppliedOptions: Record<string, { option: string; create: LayerFactory }> = {
  GlobalAveragePooling2D: { option: 'keepdims', create: factory((args: { name?: string }) => new GlobalPooling2DKeepdims({ ...args, pooling: 'average' })) },
  GlobalMaxPooling2D: { option: 'keepdims', create: factory((args: { name?: string }) => new GlobalPooling2DKeepdims({ ...args, pooling: 'max' })) },
};

/** Layers tfjs lacks, which CNN Lab supplies itself (the catalogue lists them without a tfjs factory). */
const ownLayers: Record<string, LayerFactory> = {
  SpatialDropout2D: factory((args: { rate: number; seed?: number; name?: string }) => new SpatialDropout2D(args)),
  Normalization: factory((args: NormalizationArgs) => new Normalization(args)),
  Subtract: factory((args: { name?: string; trainable?: boolean }) => new Subtract(args)),
};

/** What builds each layer kind: the catalogue's `tf.layers` factory, else one of CNN Lab's own layers. */
function factoryFor(layerKind: LayerKind): LayerFactory | undefined {
  if (layerKind.factory === undefined) return ownLayers[layerKind.className];
  const create = (tf.layers as unknown as Record<string, ((args: unknown) => Layer) | undefined>)[layerKind.factory];
  return create ? factory(create) : undefined;
}

// InputLayer is made by tf.input in buildModel, never through a factory.
const layerFactories: Record<string, LayerFactory> = Object.fromEntries(
  LAYER_CATALOG.filter((layerKind) => layerKind.className !== 'InputLayer').flatMap((layerKind) => {
    const create = factoryFor(layerKind);
    return create ? [[layerKind.className, create]] : [];
  }),
);

/** Layer kinds this trainer can build (InputLayer besides). */
export const buildableLayerKinds: readonly string[] = ['InputLayer', ...Object.keys(layerFactories)];

/** Keras spells initializers `lecun_normal` / `LecunNormal`; tfjs spells them `leCunNormal` / `LeCunNormal`. */
function tfjsInitializerName(name: string): string {
  return camelCase(name).replace(/^([lL])ecun/, (_match, first: string) => `${first}eCun`);
}

const initializerOptions = new Set([
  'kernelInitializer',
  'biasInitializer',
  'depthwiseInitializer',
  'pointwiseInitializer',
  'gammaInitializer',
  'betaInitializer',
  'movingMeanInitializer',
  'movingVarianceInitializer',
  'embeddingsInitializer',
]);
const activationOptions = new Set(['activation']);
/** Options describing the model input, which the builder turns into tf.input, not layer args. */
const inputOptions = new Set(['inputShape', 'batchInputShape', 'batchSize', 'batchShape', 'shape', 'inputDim', 'sparse', 'ragged']);
/** Keras defaults that tfjs does not share: a Softmax layer normalises the last axis in Keras, axis 1 in tfjs. */
const kerasDefaults: Record<string, Record<string, unknown>> = {
  Softmax: { axis: -1 },
};
/** Keras option names whose tfjs counterparts differ by more than case. */
const renamedOptions: Record<string, Record<string, string>> = {
  LeakyReLU: { negativeSlope: 'alpha' },
};

/** Keras serializes initializers, regularizers and constraints as `{class_name, config}`; tfjs reads `{className, config}`. */
function serializedObject(value: unknown): { className: string; config: Record<string, unknown> } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const className = record.className ?? record.class_name;
  if (typeof className !== 'string') return undefined;
  const config = (record.config ?? {}) as Record<string, unknown>;
  return { className, config: Object.fromEntries(Object.entries(config).map(([key, item]) => [camelCase(key), item])) };
}

function normalizeInitializer(value: unknown): unknown {
  if (typeof value === 'string') return tfjsInitializerName(value);
  const serialized = serializedObject(value);
  if (!serialized) return value;
  const tfjsName = tfjsInitializerName(serialized.className);
  // A topology tfjs saved (a tfjs model folder used as a base) spells VarianceScaling's enums as Keras does: fan_avg, truncated_normal.
  const config = Object.fromEntries(Object.entries(serialized.config).map(([key, item]) => [key, (key === 'mode' || key === 'distribution') && typeof item === 'string' ? camelCase(item) : item]));
  return { className: tfjsName.charAt(0).toUpperCase() + tfjsName.slice(1), config };
}

/** A refusal of a layer the model core accepts but tfjs cannot build, naming the layer, with what to do. */
function cannotBuild(spec: LayerSpec, message: string, hint: string): TrainingError {
  return new TrainingError(`Layer '${spec.name}' (${spec.className}): ${message}`, hint);
}

/**
 * The tfjs activation for one Keras may name (`leaky_relu`, `hardSigmoid`, `silu`…): the model core
 * accepts every Keras 3 activation, tfjs 4.22 runs only TFJS_ACTIVATIONS.
 */
function tfjsActivation(spec: LayerSpec, written: string): string {
  const name = activationNamed(written);
  const tfjs = name === undefined ? undefined : TFJS_ACTIVATIONS[name];
  if (tfjs !== undefined) return tfjs;
  const runnable = ACTIVATIONS.filter((activation) => TFJS_ACTIVATIONS[activation] !== undefined);
  const instead = name === 'leakyRelu' ? ' For leaky_relu, use a linear activation followed by a LeakyReLU layer with alpha 0.2 (Keras\'s slope).' : '';
  throw cannotBuild(
    spec,
    `tfjs has no activation "${written}", so the trainer cannot build this layer. Expected one of the activations tfjs 4.22 runs: ${runnable.join(', ')}. Received: activation="${written}".`,
    `CNN Lab's summary accepts every Keras 3 activation, but training runs on tfjs: choose one tfjs has.${instead}`,
  );
}

/** Keras-only options (OptionSpec.tfjs) must keep their defaults: tfjs would ignore any other value. */
function checkKerasOnlyOptions(spec: LayerSpec): void {
  const layerKind = layerKindByClassName(spec.className);
  if (!layerKind) return;
  for (const option of kerasOnlyOptions(layerKind)) {
    if (suppliedOptions[layerKind.className]?.option === option) continue;
    const value = spec.config[option];
    if (value === undefined || value === null || JSON.stringify(value) === JSON.stringify(layerKind.options[option].default)) continue;
    throw cannotBuild(
      spec,
      `tfjs's ${layerKind.factory ?? layerKind.className} layer has no ${option}, so the trainer cannot build this layer as the summary describes it. Expected ${option}=${JSON.stringify(layerKind.options[option].default)} for training. Received: ${option}=${JSON.stringify(value)}.`,
      `${option} is a Keras option: CNN Lab's summary follows it, tfjs cannot run it. Remove it (or set it to its default) to train here.`,
    );
  }
}

/** Options whose null means something other than the default, as the args of CNN Lab's own layers carry it. */
const nullMeans: Record<string, Record<string, unknown>> = {
  Normalization: { axis: [] },
};

/** tf.layers args for one IR layer: Keras spellings accepted, input-shape options and nulls removed. */
export function layerArgs(spec: LayerSpec): Record<string, unknown> {
  checkKerasOnlyOptions(spec);
  const args: Record<string, unknown> = { ...kerasDefaults[spec.className] };
  const renames = renamedOptions[spec.className] ?? {};
  for (const [rawKey, value] of Object.entries(spec.config)) {
    const camel = camelCase(rawKey);
    const key = renames[camel] ?? camel;
    if (value === null && nullMeans[spec.className] && Object.hasOwn(nullMeans[spec.className], key)) {
      args[key] = nullMeans[spec.className][key];
      continue;
    }
    if (value === null || value === undefined || inputOptions.has(key) || key === 'name') continue;
    if (initializerOptions.has(key)) args[key] = normalizeInitializer(value);
    else if (activationOptions.has(key) && typeof value === 'string') args[key] = tfjsActivation(spec, value);
    else args[key] = serializedObject(value) ?? value;
  }
  args.name = spec.name;
  return args;
}

/** The per-example input shape a layer's options give (`inputShape`, `batchInputShape`, Keras `batch_shape`…), as written. */
function writtenInputShape(spec: LayerSpec): unknown[] | undefined {
  const config = spec.config;
  const pick = (key: string): unknown => config[key] ?? config[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
  const perExample = pick('inputShape') ?? pick('shape');
  const withBatch = pick('batchInputShape') ?? pick('batchShape');
  return Array.isArray(perExample) ? perExample : Array.isArray(withBatch) ? withBatch.slice(1) : undefined;
}

/** The per-example input shape a layer declares (`inputShape`, `batchInputShape`, Keras `batch_shape`…), if any. */
export function declaredInputShape(spec: LayerSpec): number[] | undefined {
  const shape = writtenInputShape(spec);
  if (shape === undefined) return undefined;
  if (!shape.every((dim): dim is number => typeof dim === 'number' && Number.isInteger(dim) && dim > 0)) {
    throw new Error(`Layer '${spec.name}' (${spec.className}): input shape ${JSON.stringify(shape)} must list positive whole numbers (batch axis excluded).`);
  }
  return shape;
}

function createLayer(spec: LayerSpec, seed: number): Layer {
  const supplied = Object.hasOwn(suppliedOptions, spec.className) ? suppliedOptions[spec.className] : undefined;
  const create = supplied && spec.config[supplied.option] === true ? supplied.create : layerFactories[spec.className];
  if (!create) {
    throw new Error(
      `Layer '${spec.name}': the trainer cannot build '${spec.className}'. Supported layers: ${buildableLayerKinds.join(', ')}.`,
    );
  }
  try {
    const layer = create(layerArgs(spec));
    seedInitializers(layer, seed);
    return layer;
  } catch (error) {
    // A refusal already names the layer and says what to do.
    if (error instanceof TrainingError) throw error;
    throw new Error(`Layer '${spec.name}' (${spec.className}): ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The per-example shape a model input starts from. A nested model (called on `calledOn`) keeps the
 * shape it declares, None axes included, as Keras built it; one that declares none takes the caller's.
 */
function startShape(spec: LayerSpec, calledOn: Dim[] | undefined): Dim[] | undefined {
  if (calledOn === undefined) return declaredInputShape(spec);
  return (writtenInputShape(spec) as Dim[] | undefined) ?? calledOn;
}

/** The per-example shape a nested model's (first) input declares, for a model that starts a Sequential one. */
function nestedStartShape(model: ModelIR): number[] | undefined {
  const first = model.layers.find((layer) => layer.name === model.inputs[0]);
  return first ? declaredInputShape(first) : undefined;
}

/** A model used as a layer, built on the tensors it is called on and named as in Keras. */
function buildNested(spec: LayerSpec, model: ModelIR, feeds: tf.SymbolicTensor[], seed: number): tf.LayersModel {
  const nested = buildModel({ ...model, name: spec.name }, seed, feeds.map((feed) => feed.shape.slice(1)));
  // Keras's `trainable = False` on a model freezes every layer in it; tfjs's setter does the same.
  if (spec.config.trainable === false) nested.trainable = false;
  return nested;
}

/**
 * Builds the tfjs model for an IR, its initial weights drawn from `seed`; throws with the layer's
 * name when tfjs refuses a layer. `calledOn`: for a model nested in another, the per-example
 * shapes of the tensors it is called on, in the order of its inputs.
 */
export function buildModel(ir: ModelIR, seed: number, calledOn?: Dim[][]): tf.LayersModel {
  const tensors = new Map<string, tf.SymbolicTensor>();
  const inputs: tf.SymbolicTensor[] = [];

  const addInput = (spec: LayerSpec, shape: Dim[]): tf.SymbolicTensor => {
    const input = tf.input({ shape, name: spec.className === 'InputLayer' ? spec.name : `${spec.name}_input` });
    inputs.push(input);
    return input;
  };

  let previous: tf.SymbolicTensor | undefined;
  for (const spec of ir.layers) {
    if (spec.className === 'InputLayer') {
      const shape = startShape(spec, calledOn?.[ir.inputs.indexOf(spec.name)]);
      if (!shape) throw new Error(`Input layer '${spec.name}' has no shape: give it "shape" (e.g. [28, 28, 1]).`);
      previous = addInput(spec, shape);
      tensors.set(spec.name, previous);
      continue;
    }
    let feeds: tf.SymbolicTensor[];
    if (ir.topology === 'functional' || spec.inbound.length > 1) {
      feeds = spec.inbound.map((name) => {
        const tensor = tensors.get(name);
        if (!tensor) throw new Error(`Layer '${spec.name}' takes input from '${name}', which is not defined before it.`);
        return tensor;
      });
    } else if (previous) {
      feeds = [previous];
    } else {
      const shape = startShape(spec, calledOn?.[0]) ?? (spec.model ? nestedStartShape(spec.model) : undefined);
      if (!shape) {
        throw new Error(
          `The first layer '${spec.name}' (${spec.className}) has no input shape: add "inputShape" (e.g. [28, 28, 1]) or an InputLayer.`,
        );
      }
      feeds = [addInput(spec, shape)];
    }
    if (feeds.length === 0) throw new Error(`Layer '${spec.name}' has no inputs.`);
    const layer = spec.model ? buildNested(spec, spec.model, feeds, seed) : createLayer(spec, seed);
    let output: tf.SymbolicTensor;
    try {
      output = layer.apply(feeds.length === 1 ? feeds[0] : feeds) as tf.SymbolicTensor;
    } catch (error) {
      throw new Error(`Layer '${spec.name}' (${spec.className}): ${(error as Error).message}`, { cause: error });
    }
    tensors.set(spec.name, output);
    previous = output;
  }

  if (inputs.length === 0 || !previous) throw new Error(`Model '${ir.name}' has no layers to build.`);
  const outputNames = ir.outputs.length > 0 ? ir.outputs : [ir.layers[ir.layers.length - 1].name];
  const outputs = outputNames.map((name) => {
    const tensor = tensors.get(name);
    if (!tensor) throw new Error(`Model output '${name}' is not a layer of the model.`);
    return tensor;
  });
  return tf.model({ inputs, outputs: outputs.length === 1 ? outputs[0] : outputs, name: ir.name.replace(/[^A-Za-z0-9_.-]+/g, '_') });
}
