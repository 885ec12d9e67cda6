// Worker thread that runs one `*.model.ts` module, already transpiled to CommonJS, against a
// shape-only stand-in of the tfjs layers API: `require('@tensorflow/tfjs')` returns objects that
// only record what is built (layer kinds, options, the graph, and where in the source each layer
// was made), and follow shapes as far as custom layers and nested models need them. No tfjs is
// loaded and no weights are allocated. The parent thread enforces the time limit by terminating
// this worker; everything here is synchronous or awaits the module only.

import { parentPort, workerData } from 'node:worker_threads';
import { compileFunction } from 'node:vm';
import { layerKindByClassName, layerKindByFactory, optionsOf } from './catalog';
import { namespace, train, unavailable, util } from './evaluateUtil';
import { tfjsLayerOrder } from './graphOrder';
import { applyLayerRule } from './layers';
import type { Shape } from './types';

/** A position in the transpiled code, as V8 reports it (1-based line and column). */
export interface GeneratedPosition {
  line: number;
  column: number;
}

/** A weight a custom layer made with `this.addWeight(name, shape, …)`. */
export interface RecordedWeight {
  name: string;
  shape: number[];
  trainable: boolean;
}

export interface RecordedLayer {
  id: number;
  /** The `tf.layers` factory called, or `InputLayer` for `tf.input`; absent for custom layers and nested models. */
  factory?: string;
  config: Record<string, unknown>;
  /** Ids of the layers whose outputs feed this one (functional models). */
  inbound: number[];
  site?: GeneratedPosition;
  /** A `tf.layers.Layer` subclass: the output shape its computeOutputShape gave (absent when its input's was unknown) and its weights. */
  custom?: { className: string; outputShape?: Shape; weights: RecordedWeight[] };
  /** A model used as a layer: `outer.add(inner)` or `inner.apply(x)`. */
  nested?: RecordedModel;
}

export interface RecordedModel {
  topology: 'sequential' | 'functional';
  name?: string;
  /** Sequential: in `add` order. Functional: the layers the outputs are computed from, in tfjs's order (see ./graphOrder). */
  layers: RecordedLayer[];
  inputs: number[];
  outputs: number[];
  site?: GeneratedPosition;
  /** `model.trainable = false`: every layer frozen, whatever its own flag (as tfjs's container does). */
  trainable?: false;
}

export interface WorkerInput {
  code: string;
  fileName: string;
}

export type WorkerResult =
  | { kind: 'model'; model: RecordedModel; training?: unknown }
  | { kind: 'error'; message: string; site?: GeneratedPosition };

const TFJS_MODULES = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-layers']);

/** V8 call sites of every error, kept so that a throw in the user's module can be placed on its line. */
const errorFrames = new WeakMap<object, NodeJS.CallSite[]>();
Error.stackTraceLimit = 50;
Error.prepareStackTrace = (error, frames) => {
  errorFrames.set(error, frames);
  return `${String(error)}\n${frames.map((frame) => `    at ${frame.toString()}`).join('\n')}`;
};

let userFileName = '';

function userFrame(frames: NodeJS.CallSite[] | undefined, skipConstructors = false): GeneratedPosition | undefined {
  const frame = frames?.find((candidate) => candidate.getFileName() === userFileName && !(skipConstructors && candidate.isConstructor()));
  const line = frame?.getLineNumber();
  const column = frame?.getColumnNumber();
  return line && column ? { line, column } : undefined;
}

/**
 * Where the user's code called into the stand-in: the innermost frame in their module, or for a
 * custom layer, the `new MyLayer(…)` rather than its constructor's `super(…)`.
 */
function callSite(skipConstructors = false): GeneratedPosition | undefined {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder);
  void holder.stack;
  return userFrame(errorFrames.get(holder), skipConstructors);
}

/** Options as plain data; functions and class instances cannot cross to the parent thread and are not options tf.layers reads anyway. */
function plain(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value === undefined) return null;
  if (depth > 20) return '[deeply nested value]';
  if (Array.isArray(value)) return value.map((item) => plain(item, depth + 1));
  if (value instanceof SymbolicTensor) return `[output of ${value.sourceLayer?.getClassName() ?? 'an input'}]`;
  if (typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = plain(item, depth + 1);
    return result;
  }
  return `[${typeof value}]`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return Array.isArray(value) ? JSON.stringify(plain(value)) : `an object (${value.constructor?.name ?? 'Object'})`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

const isShape = (value: unknown): value is Shape => Array.isArray(value) && value.every((dim) => dim === null || (typeof dim === 'number' && Number.isInteger(dim) && dim >= 0));
const shapeText = (shape: Shape): string => `(${shape.map((dim) => (dim === null ? 'None' : String(dim))).join(', ')})`;

let nextId = 0;

class SymbolicTensor {
  readonly dtype = 'float32';

  constructor(
    /** The layer that computed it; undefined only for a Sequential model's implicit input before it is given a layer. */
    readonly sourceLayer: Layer | undefined,
    /** `undefined` when a rule rejects the layer; the summary then reports why. */
    readonly shape: Shape | undefined,
  ) {}

  get rank(): number | undefined {
    return this.shape?.length;
  }
}

function tensorList(inputs: unknown, what: string): SymbolicTensor[] {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length === 0 || !list.every((input) => input instanceof SymbolicTensor)) {
    throw new TypeError(`${what} expects the output of tf.input() or of another layer's apply(), or a list of them. Received: ${describe(inputs)}.`);
  }
  return list as SymbolicTensor[];
}

/**
 * `tf.layers.Layer`: what every layer and model here is, and the base class of custom layers,
 * with the part of tfjs's Layer API they use to describe themselves: `build(inputShape)`,
 * `computeOutputShape(inputShape)` and `addWeight(name, shape, …)`. tfjs calls build and then
 * computeOutputShape when a layer is first connected to an input; so does this.
 */
class Layer {
  readonly id = nextId++;
  readonly site: GeneratedPosition | undefined;
  readonly config: Record<string, unknown>;
  trainable: boolean;
  built = false;
  inboundTensors: SymbolicTensor[] = [];
  private connected = false;
  private readonly addedWeights: RecordedWeight[] = [];
  private computedShape: Shape | undefined;

  constructor(args?: unknown, what = 'A tf.layers.Layer subclass') {
    this.site = callSite(this.isCustom());
    const options = plain(args ?? {});
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new TypeError(`${what} expects an options object such as { name: 'block' }. Received: ${JSON.stringify(options)}.`);
    }
    this.config = options as Record<string, unknown>;
    this.trainable = this.config.trainable !== false;
  }

  /** tfjs always names a layer; the Keras-style names CNN Lab shows are given later, in creation order. */
  get name(): string {
    return typeof this.config.name === 'string' ? this.config.name : `${this.getClassName()}_${this.id}`;
  }

  /** The layer in messages: its class, and its name when the code gave one. */
  protected described(): string {
    return typeof this.config.name === 'string' ? `${this.getClassName()} layer "${this.config.name}"` : `${this.getClassName()} layer`;
  }

  getClassName(): string {
    return (this.constructor as { className?: unknown }).className?.toString() ?? this.constructor.name;
  }

  /** A layer that is not one of the stand-in's own classes, i.e. the user's subclass. */
  private isCustom(): boolean {
    return !BUILT_IN_CLASSES.has(this.constructor);
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable };
  }

  build(_inputShape: Shape | Shape[]): void {
    this.built = true;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  addWeight(name: unknown, shape: unknown, _dtype?: unknown, initializer?: unknown, _regularizer?: unknown, trainable?: unknown): WeightStandIn {
    if (typeof name !== 'string') throw new TypeError(`addWeight() expects a weight name first, e.g. addWeight('kernel', [3, 4], 'float32', tf.initializers.glorotUniform({})). Received: ${describe(name)}.`);
    if (!isShape(shape) || shape.includes(null)) throw new TypeError(`addWeight('${name}', shape) expects a shape of whole numbers, e.g. [3, 4]. Received: ${describe(shape)}.`);
    if (initializer == null) throw new TypeError(`addWeight('${name}', …) needs an initializer, e.g. tf.initializers.zeros(): tfjs fills the weight with it. Received: ${describe(initializer)}.`);
    if (this.addedWeights.some((weight) => weight.name === name)) throw new Error(`Duplicate weight name ${name} for the ${this.described()}: each addWeight() call needs its own name.`);
    const weight = { name, shape: shape as number[], trainable: trainable !== false };
    this.addedWeights.push(weight);
    return new WeightStandIn(weight);
  }

  call(): never {
    return unavailable(`${this.getClassName()}.call()`);
  }

  apply(inputs: unknown): SymbolicTensor {
    return this.connect(tensorList(inputs, `${this.getClassName()}.apply()`));
  }

  /** Connects this layer to its inputs, once: shared layers (one layer applied twice) are not followed. */
  connect(inputs: SymbolicTensor[]): SymbolicTensor {
    if (this.connected) {
      throw new Error(`The same ${this.described()} is used twice. CNN Lab summarizes one node per layer, so shared layers are not supported: create a new layer for each use.`);
    }
    this.connected = true;
    this.inboundTensors = inputs;
    return new SymbolicTensor(this, this.outputShapeFor(inputs.map((input) => input.shape)));
  }

  protected outputShapeFor(shapes: (Shape | undefined)[]): Shape | undefined {
    if (shapes.length === 0) throw new Error('The first layer in a Sequential model must get an `inputShape` or `batchInputShape` argument.');
    if (!shapes.every((shape): shape is Shape => shape !== undefined)) return undefined;
    const input = shapes.length === 1 ? [...shapes[0]] : shapes.map((shape) => [...shape]);
    if (!this.built) this.build(input);
    this.built = true;
    const output = this.computeOutputShape(input);
    if (!isShape(output)) {
      throw new TypeError(
        `${this.getClassName()}.computeOutputShape() must return one shape, batch axis first (null for any size), e.g. [null, 10]: CNN Lab summarizes layers with one output. Received: ${describe(output)}.`,
      );
    }
    this.computedShape = output;
    return output;
  }

  /** The input shape the layer's options declare (`inputShape`, `batchInputShape`, Dense's `inputDim`), batch axis first. */
  declaredShape(): Shape | undefined {
    const { batchInputShape, inputShape, batchSize } = this.config;
    if (isShape(batchInputShape)) return batchInputShape;
    const batch = typeof batchSize === 'number' ? batchSize : null;
    if (isShape(inputShape)) return [batch, ...inputShape];
    return undefined;
  }

  /** The options as given, with `trainable` as last set (`layer.trainable = false` after construction, or back to true). */
  protected recordedConfig(): Record<string, unknown> {
    return this.trainable === (this.config.trainable !== false) ? this.config : { ...this.config, trainable: this.trainable };
  }

  record(): RecordedLayer {
    const recorded: RecordedLayer = { id: this.id, config: this.recordedConfig(), inbound: this.inboundIds(), custom: { className: this.getClassName(), weights: this.addedWeights } };
    if (this.computedShape && recorded.custom) recorded.custom.outputShape = this.computedShape;
    if (this.site) recorded.site = this.site;
    return recorded;
  }

  protected inboundIds(): number[] {
    return this.inboundTensors.flatMap((tensor) => (tensor.sourceLayer ? [tensor.sourceLayer.id] : []));
  }
}

/** What `addWeight` returns: its name, shape and trainability; reading its values needs tensors. */
class WeightStandIn {
  readonly name: string;
  readonly shape: number[];
  readonly trainable: boolean;
  readonly dtype = 'float32';

  constructor(weight: RecordedWeight) {
    this.name = weight.name;
    this.shape = weight.shape;
    this.trainable = weight.trainable;
  }

  read(): never {
    return unavailable(`reading the weight "${this.name}"`);
  }

  write(): never {
    return unavailable(`writing the weight "${this.name}"`);
  }
}

/** A layer from a `tf.layers.<factory>(options)` call, or the InputLayer of `tf.input`. */
class FactoryLayer extends Layer {
  constructor(
    readonly factory: string,
    config: unknown,
  ) {
    super(config, `tf.layers.${factory}()`);
  }

  override getClassName(): string {
    return this.factory === 'InputLayer' ? 'InputLayer' : (layerKindByFactory(this.factory)?.className ?? this.factory);
  }

  protected override outputShapeFor(shapes: (Shape | undefined)[]): Shape | undefined {
    const layerKind = layerKindByFactory(this.factory) ?? layerKindByClassName(this.factory);
    if (!layerKind || shapes.length === 0 || !shapes.every((shape): shape is Shape => shape !== undefined)) return undefined;
    const options: Record<string, unknown> = {};
    // What tfjs's layer reads: a Keras-only option (Conv2DTranspose's outputPadding) is ignored, as tfjs ignores it.
    for (const [key, spec] of Object.entries(optionsOf(layerKind, 'typescript'))) options[key] = key in this.config ? this.config[key] : spec.default;
    const outcome = applyLayerRule({ layerName: this.name, className: layerKind.className, options, inputs: shapes });
    return outcome.ok ? outcome.result.outputShape : undefined;
  }

  override declaredShape(): Shape | undefined {
    const declared = super.declaredShape();
    const { inputDim, batchSize } = this.config;
    if (declared || this.factory !== 'dense' || typeof inputDim !== 'number') return declared;
    return [typeof batchSize === 'number' ? batchSize : null, inputDim];
  }

  override record(): RecordedLayer {
    const recorded: RecordedLayer = { id: this.id, factory: this.factory, config: this.recordedConfig(), inbound: this.inboundIds() };
    if (this.site) recorded.site = this.site;
    return recorded;
  }
}

/** `tf.input({shape})` and `tf.layers.input`: an InputLayer, already giving its tensor. */
function input(config: unknown): SymbolicTensor {
  const options = (typeof config === 'object' && config !== null ? config : {}) as { shape?: unknown; batchShape?: unknown; name?: unknown };
  const layerConfig: Record<string, unknown> = {};
  if (options.shape !== undefined) layerConfig.inputShape = options.shape;
  if (options.batchShape !== undefined) layerConfig.batchInputShape = options.batchShape;
  if (options.name !== undefined) layerConfig.name = options.name;
  const layer = new FactoryLayer('InputLayer', layerConfig);
  const shape = layer.declaredShape();
  return layer.connect([new SymbolicTensor(undefined, shape)]);
}

/** The model methods shared by tf.sequential and tf.model: building ones do nothing, running ones are unavailable. */
abstract class ModelStandIn extends Layer {
  abstract readonly inputs: SymbolicTensor[];
  abstract readonly outputs: SymbolicTensor[];

  get outputShape(): Shape | undefined {
    return this.outputs[0]?.shape;
  }

  /** Training settings come from the module's `training` export, so compiling changes nothing here. */
  compile(): void {}

  /** tfjs prints the summary; CNN Lab shows its own. */
  summary(): void {}

  fit(): never {
    return unavailable('model.fit()');
  }

  fitDataset(): never {
    return unavailable('model.fitDataset()');
  }

  predict(): never {
    return unavailable('model.predict()');
  }

  evaluate(): never {
    return unavailable('model.evaluate()');
  }

  save(): never {
    return unavailable('model.save()');
  }

  getWeights(): never {
    return unavailable('model.getWeights()');
  }

  setWeights(): never {
    return unavailable('model.setWeights()');
  }

  countParams(): never {
    return unavailable('model.countParams()');
  }

  /** tfjs's `getLayer(name)` (a name the code gave) or `getLayer(index)`, e.g. to freeze it. */
  getLayer(nameOrIndex: unknown, index?: unknown): Layer {
    const layers = this.layers;
    const position = typeof index === 'number' ? index : typeof nameOrIndex === 'number' ? nameOrIndex : undefined;
    if (position !== undefined) {
      const layer = Number.isInteger(position) && position >= 0 ? layers[position] : undefined;
      if (!layer) throw new Error(`Was asked to retrieve layer at index ${position}, but model only has ${layers.length} layer(s).`);
      return layer;
    }
    const found = layers.find((layer) => layer.config.name === nameOrIndex);
    if (!found) {
      throw new Error(`No such layer: ${describe(nameOrIndex)}. CNN Lab finds a layer by the name the code gave it (tfjs's generated names differ from Keras's), or by its index.`);
    }
    return found;
  }

  abstract readonly layers: Layer[];

  /** Used as a layer: the output shape is the model's own, for an input of the shape it was built for. */
  protected override outputShapeFor(shapes: (Shape | undefined)[]): Shape | undefined {
    if (this.outputs.length !== 1) {
      throw new Error(`A model used as a layer must have exactly one output tensor: CNN Lab shows it as one row. Received: a model with ${this.outputs.length} outputs.`);
    }
    if (shapes.length > 0 && shapes.length !== this.inputs.length) {
      throw new Error(`The ${this.described()} expects ${this.inputs.length} input(s), but it received ${shapes.length} input tensors.`);
    }
    shapes.forEach((shape, index) => {
      const expected = this.inputs[index].shape;
      if (shape && expected && (shape.length !== expected.length || shape.some((dim, axis) => dim !== null && expected[axis] !== null && dim !== expected[axis]))) {
        throw new Error(`Input ${index} of the ${this.described()} is incompatible with the layer: expected shape=${shapeText(expected)}, found shape=${shapeText(shape)}`);
      }
    });
    return this.outputShape;
  }

  override record(): RecordedLayer {
    const recorded: RecordedLayer = { id: this.id, config: this.recordedConfig(), inbound: this.inboundIds(), nested: recordModel(this) };
    if (this.site) recorded.site = this.site;
    return recorded;
  }
}

function modelOptions(config: unknown, what: string): Record<string, unknown> {
  if (config === undefined) return {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new TypeError(`${what} expects an options object. Received: ${describe(config)}.`);
  return config as Record<string, unknown>;
}

class Sequential extends ModelStandIn {
  readonly layers: Layer[] = [];
  private input: SymbolicTensor | undefined;
  private output: SymbolicTensor | undefined;

  constructor(config?: unknown) {
    const options = modelOptions(config, 'tf.sequential()');
    super(typeof options.name === 'string' ? { name: options.name } : {});
    if (options.layers !== undefined) {
      if (!Array.isArray(options.layers)) throw new TypeError(`tf.sequential({ layers }) expects a list of layers. Received: ${describe(options.layers)}.`);
      for (const layer of options.layers) this.add(layer);
    }
  }

  get inputs(): SymbolicTensor[] {
    return this.input ? [this.input] : [];
  }

  get outputs(): SymbolicTensor[] {
    return this.output ? [this.output] : [];
  }

  add(layer: unknown): void {
    if (!(layer instanceof Layer)) {
      throw new TypeError(`model.add() expects a layer: tf.layers.*(…), an instance of a tf.layers.Layer subclass, or a model. Received: ${describe(layer)}.`);
    }
    if (layer instanceof ModelStandIn) {
      this.output = layer.connect(this.output ? [this.output] : []);
      this.input ??= layer.inputs[0];
    } else {
      // tfjs gives the first layer an input of the shape its options declare.
      const declared = this.output ? undefined : layer.declaredShape();
      if (declared) this.input = input({ batchShape: declared });
      const source = this.output ?? this.input;
      this.output = layer.connect(source ? [source] : []);
    }
    this.layers.push(layer);
  }
}

class LayersModel extends ModelStandIn {
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];

  constructor(config: unknown) {
    const options = modelOptions(config, 'tf.model()');
    super(typeof options.name === 'string' ? { name: options.name } : {});
    this.inputs = tensorList(options.inputs, 'tf.model({ inputs })');
    this.outputs = tensorList(options.outputs, 'tf.model({ outputs })');
  }

  get layers(): Layer[] {
    return graphLayers(this);
  }
}

const BUILT_IN_CLASSES = new Set<unknown>([Layer, FactoryLayer, Sequential, LayersModel]);

/** A functional model's layers, in tfjs's order. */
function graphLayers(model: LayersModel): Layer[] {
  const sources = (tensors: SymbolicTensor[]): Layer[] => tensors.flatMap((tensor) => (tensor.sourceLayer ? [tensor.sourceLayer] : []));
  return tfjsLayerOrder(sources(model.outputs), (layer) => sources(layer.inboundTensors));
}

function recordModel(model: ModelStandIn): RecordedModel {
  const ids = (tensors: SymbolicTensor[]): number[] => tensors.flatMap((tensor) => (tensor.sourceLayer ? [tensor.sourceLayer.id] : []));
  const sequential = model instanceof Sequential;
  const layers = sequential ? model.layers : graphLayers(model as LayersModel);
  const recorded: RecordedModel = {
    topology: sequential ? 'sequential' : 'functional',
    layers: layers.map((layer) => layer.record()),
    inputs: sequential ? [] : ids(model.inputs),
    outputs: sequential ? [] : ids(model.outputs),
  };
  if (typeof model.config.name === 'string') recorded.name = model.config.name;
  if (model.site) recorded.site = model.site;
  if (!model.trainable) recorded.trainable = false;
  return recorded;
}

/**
 * `tf.layers.<factory>` for every catalogued kind and its tfjs aliases; any other name still
 * records a layer, so that the summary reports "Unknown layer" with a suggestion and a fix
 * rather than the module failing with "is not a function".
 */
const layers = new Proxy({ Layer, input } as Record<string, unknown>, {
  get(target, key) {
    if (typeof key !== 'string' || key === 'then') return undefined;
    if (Object.hasOwn(target, key)) return target[key];
    return (config?: unknown) => new FactoryLayer(key, config);
  },
});

/** `tf.initializers.heNormal({...})` and friends, recorded as the `{className, config}` objects Keras serializes. */
const serializable = (): Record<string, (config?: unknown) => { className: string; config: unknown }> =>
  new Proxy({}, {
    get(_target, key) {
      if (typeof key !== 'string' || key === 'then') return undefined;
      return (config?: unknown) => ({ className: key.charAt(0).toUpperCase() + key.slice(1), config: plain(config ?? {}) });
    },
  });

const members: Record<string, unknown> = {
  // A namespace object of its own: `import * as tf` then returns it as it is (see esModuleInterop).
  __esModule: true,
  sequential: (config?: unknown) => new Sequential(config),
  model: (config: unknown) => new LayersModel(config),
  input,
  layers,
  initializers: serializable(),
  regularizers: serializable(),
  constraints: serializable(),
  train,
  util,
  // Custom layers are recorded where they are used; their registration changes nothing here.
  serialization: namespace('tf.serialization', { registerClass: (layerClass: unknown) => layerClass }),
  ready: async () => undefined,
  setBackend: async () => true,
  enableProdMode: () => undefined,
  tidy: (nameOrFn: unknown, fn?: unknown) => (typeof nameOrFn === 'function' ? nameOrFn : (fn as () => unknown))(),
  SymbolicTensor,
  Sequential,
  LayersModel,
};
const standIn = namespace('tf', members);
// `import tf from '@tensorflow/tfjs'` reads `default`.
members.default = standIn;

function checkedModel(candidate: unknown): ModelStandIn | string {
  if (candidate instanceof ModelStandIn) return candidate;
  return `The default export gives ${describe(candidate)}, not a model. Export a tf.sequential() or tf.model() model, or a function (sync or async) returning one.`;
}

async function run({ code, fileName }: WorkerInput): Promise<WorkerResult> {
  userFileName = fileName;
  const module = { exports: {} as Record<string, unknown> };
  const requireStandIn = (id: string): unknown => {
    if (TFJS_MODULES.has(id)) return standIn;
    throw new Error(`Cannot import '${id}' while computing shapes: only @tensorflow/tfjs (and tfjs-node, tfjs-node-gpu) is available to a model module here. Keep helpers in the model file.`);
  };
  const body = compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: fileName });
  body(module.exports, requireStandIn, module, fileName, '');
  const exported = module.exports;
  if (!('default' in exported) || exported.default === undefined) {
    return { kind: 'error', message: 'The module has no default export. Add `export default model;` (a tf.sequential() or tf.model() model) or `export default function build() { ... return model; }`.' };
  }
  let candidate: unknown = exported.default;
  if (typeof candidate === 'function') candidate = (candidate as () => unknown)();
  const model = checkedModel(await candidate);
  if (typeof model === 'string') return { kind: 'error', message: model };
  const result: WorkerResult = { kind: 'model', model: recordModel(model) };
  if ('training' in exported) result.training = plain(exported.training);
  return result;
}

function failure(error: unknown): WorkerResult {
  if (error instanceof Error) {
    void error.stack;
    const result: WorkerResult = { kind: 'error', message: `${error.name}: ${error.message}` };
    const site = userFrame(errorFrames.get(error));
    if (site) result.site = site;
    return result;
  }
  return { kind: 'error', message: `The module threw ${describe(error)}.` };
}

const port = parentPort;
if (port) {
  run(workerData as WorkerInput).then(
    (result) => port.postMessage(result),
    (error: unknown) => port.postMessage(failure(error)),
  );
}
