// Worker thread that runs one `*.model.ts` module, already transpiled to CommonJS, against a
// shape-only stand-in of the tfjs layers API: `require('@tensorflow/tfjs')` returns objects that
// only record what is built (layer kinds, options, the graph, and where in the source each layer
// was made). No tfjs is loaded and no weights are allocated. The parent thread enforces the time
// limit by terminating this worker; everything here is synchronous or awaits the module only.

import { parentPort, workerData } from 'node:worker_threads';
import { compileFunction } from 'node:vm';
import { layerKindByClassName, layerKindByFactory, optionsOf } from './catalog';
import { applyLayerRule } from './layers';
import type { Shape } from './types';

/** A position in the transpiled code, as V8 reports it (1-based line and column). */
export interface GeneratedPosition {
  line: number;
  column: number;
}

export interface RecordedLayer {
  id: number;
  /** The `tf.layers` factory called, or `InputLayer` for `tf.input`. */
  factory: string;
  config: Record<string, unknown>;
  /** Ids of the layers whose outputs feed this one (functional models). */
  inbound: number[];
  site?: GeneratedPosition;
}

export interface RecordedModel {
  topology: 'sequential' | 'functional';
  name?: string;
  /** Sequential: in `add` order. Functional: every layer reachable from the outputs, in the order they were applied. */
  layers: RecordedLayer[];
  inputs: number[];
  outputs: number[];
  site?: GeneratedPosition;
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

function userFrame(frames: NodeJS.CallSite[] | undefined): GeneratedPosition | undefined {
  const frame = frames?.find((candidate) => candidate.getFileName() === userFileName);
  const line = frame?.getLineNumber();
  const column = frame?.getColumnNumber();
  return line && column ? { line, column } : undefined;
}

/** Where the user's code called into the stand-in: the innermost frame in their module. */
function callSite(): GeneratedPosition | undefined {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder);
  void holder.stack;
  return userFrame(errorFrames.get(holder));
}

/** Options as plain data; functions and class instances cannot cross to the parent thread and are not options tf.layers reads anyway. */
function plain(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value === undefined) return null;
  if (depth > 20) return '[deeply nested value]';
  if (Array.isArray(value)) return value.map((item) => plain(item, depth + 1));
  if (value instanceof SymbolicTensor) return `[output of ${value.layer.factory}]`;
  if (typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = plain(item, depth + 1);
    return result;
  }
  return `[${typeof value}]`;
}

let nextId = 0;
let nextApplication = 0;

class SymbolicTensor {
  constructor(
    readonly layer: StandInLayer,
    /** `undefined` when a rule rejects the layer; the summary then reports why. */
    readonly shape: Shape | undefined,
  ) {}

  get rank(): number | undefined {
    return this.shape?.length;
  }
}

class StandInLayer {
  readonly id = nextId++;
  readonly config: Record<string, unknown>;
  readonly site = callSite();
  inbound: SymbolicTensor[] = [];
  /** When it was applied, for a topological order; -1 until then. */
  application = -1;

  constructor(
    readonly factory: string,
    config: unknown,
  ) {
    const options = plain(config ?? {});
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new TypeError(`tf.layers.${factory}() expects an options object such as { units: 10 }. Received: ${JSON.stringify(options)}.`);
    }
    this.config = options as Record<string, unknown>;
  }

  apply(inputs: unknown): SymbolicTensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length === 0 || !list.every((input) => input instanceof SymbolicTensor)) {
      throw new TypeError(`tf.layers.${this.factory}(...).apply() expects the output of tf.input() or of another layer's apply(), or a list of them.`);
    }
    if (this.application >= 0) {
      throw new Error(`The same tf.layers.${this.factory} layer is applied twice. CNN Lab summarizes one node per layer, so shared layers are not supported: create a new layer for each use.`);
    }
    this.inbound = list as SymbolicTensor[];
    this.application = nextApplication++;
    return new SymbolicTensor(this, this.outputShape());
  }

  private outputShape(): Shape | undefined {
    const layerKind = layerKindByFactory(this.factory) ?? layerKindByClassName(this.factory);
    const shapes = this.inbound.map((tensor) => tensor.shape);
    if (!layerKind || !shapes.every((shape): shape is Shape => shape !== undefined)) return undefined;
    const options: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(optionsOf(layerKind))) options[key] = key in this.config ? this.config[key] : spec.default;
    const outcome = applyLayerRule({ layerName: this.factory, className: layerKind.className, options, inputs: shapes });
    return outcome.ok ? outcome.result.outputShape : undefined;
  }
}

class StandInSequential {
  readonly layers: StandInLayer[] = [];
  readonly site = callSite();
  readonly name: string | undefined;

  constructor(config: unknown) {
    const options = (typeof config === 'object' && config !== null ? config : {}) as { name?: unknown; layers?: unknown };
    this.name = typeof options.name === 'string' ? options.name : undefined;
    if (options.layers !== undefined) {
      if (!Array.isArray(options.layers)) throw new TypeError('tf.sequential({ layers }) expects a list of layers.');
      for (const layer of options.layers) this.add(layer);
    }
  }

  add(layer: unknown): void {
    if (!(layer instanceof StandInLayer)) throw new TypeError('model.add() expects a layer made with tf.layers.*(...); nested models are not supported.');
    this.layers.push(layer);
  }

  /** Training settings come from the module's `training` export, so compiling changes nothing here. */
  compile(): void {}
}

class StandInModel {
  readonly site = callSite();
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  readonly name: string | undefined;

  constructor(config: unknown) {
    const options = (typeof config === 'object' && config !== null ? config : {}) as { inputs?: unknown; outputs?: unknown; name?: unknown };
    const tensors = (value: unknown, what: string): SymbolicTensor[] => {
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0 || !list.every((item) => item instanceof SymbolicTensor)) throw new TypeError(`tf.model({ ${what} }) expects symbolic tensors from tf.input() or apply().`);
      return list as SymbolicTensor[];
    };
    this.inputs = tensors(options.inputs, 'inputs');
    this.outputs = tensors(options.outputs, 'outputs');
    this.name = typeof options.name === 'string' ? options.name : undefined;
  }

  /** Training settings come from the module's `training` export, so compiling changes nothing here. */
  compile(): void {}
}

function input(config: unknown): SymbolicTensor {
  const options = (typeof config === 'object' && config !== null ? config : {}) as { shape?: unknown; batchShape?: unknown; name?: unknown };
  const layerConfig: Record<string, unknown> = {};
  if (options.shape !== undefined) layerConfig.inputShape = options.shape;
  if (options.batchShape !== undefined) layerConfig.batchInputShape = options.batchShape;
  if (options.name !== undefined) layerConfig.name = options.name;
  const layer = new StandInLayer('InputLayer', layerConfig);
  layer.application = nextApplication++;
  const dims = (value: unknown): value is Shape => Array.isArray(value) && value.every((dim) => dim === null || typeof dim === 'number');
  const shape = dims(options.batchShape) ? options.batchShape : dims(options.shape) ? [null, ...options.shape] : undefined;
  return new SymbolicTensor(layer, shape);
}

/**
 * `tf.layers.<factory>` for every catalogued kind and its tfjs aliases; any other name still
 * records a layer, so that the summary reports "Unknown layer" with a suggestion and a fix
 * rather than the module failing with "is not a function".
 */
const layers = new Proxy({} as Record<string, (config?: unknown) => StandInLayer>, {
  get(_target, key) {
    if (typeof key !== 'string' || key === 'then') return undefined;
    return (config?: unknown) => new StandInLayer(key, config);
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

const standIn = {
  sequential: (config?: unknown) => new StandInSequential(config),
  model: (config: unknown) => new StandInModel(config),
  input,
  layers,
  initializers: serializable(),
  regularizers: serializable(),
  constraints: serializable(),
  SymbolicTensor,
};

function record(layer: StandInLayer): RecordedLayer {
  const recorded: RecordedLayer = { id: layer.id, factory: layer.factory, config: layer.config, inbound: layer.inbound.map((tensor) => tensor.layer.id) };
  if (layer.site) recorded.site = layer.site;
  return recorded;
}

function recordModel(model: StandInSequential | StandInModel): RecordedModel {
  if (model instanceof StandInSequential) {
    const recorded: RecordedModel = { topology: 'sequential', layers: model.layers.map(record), inputs: [], outputs: [] };
    if (model.name !== undefined) recorded.name = model.name;
    if (model.site) recorded.site = model.site;
    return recorded;
  }
  const reachable = new Map<number, StandInLayer>();
  const visit = (layer: StandInLayer): void => {
    if (reachable.has(layer.id)) return;
    reachable.set(layer.id, layer);
    for (const tensor of layer.inbound) visit(tensor.layer);
  };
  for (const tensor of model.outputs) visit(tensor.layer);
  const ordered = [...reachable.values()].sort((a, b) => a.application - b.application);
  const recorded: RecordedModel = {
    topology: 'functional',
    layers: ordered.map(record),
    inputs: model.inputs.map((tensor) => tensor.layer.id),
    outputs: model.outputs.map((tensor) => tensor.layer.id),
  };
  if (model.name !== undefined) recorded.name = model.name;
  if (model.site) recorded.site = model.site;
  return recorded;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `${typeof value} ${JSON.stringify(value)}`;
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
  candidate = await candidate;
  if (!(candidate instanceof StandInSequential) && !(candidate instanceof StandInModel)) {
    return { kind: 'error', message: `The default export gives ${describe(candidate)}, not a model. Export a tf.sequential() or tf.model() model, or a function (sync or async) returning one.` };
  }
  const result: WorkerResult = { kind: 'model', model: recordModel(candidate) };
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
