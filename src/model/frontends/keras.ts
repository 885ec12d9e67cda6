// Front end for Keras's `model.to_json()`: Keras 2 (`batch_input_shape`, nested-list
// `inbound_nodes`) and Keras 3 (`module`, `registered_name`, `batch_shape`, `args` with
// `keras_history`), Sequential and Functional, and models nested in them as layers (a pretrained
// base called as `base(x)`), each read into its own IR. Config keys become tf.layers names
// (snake_case → camelCase); keys the catalogue does not list (dtype policies, `synchronized`, …) are dropped;
// absent keys take Keras's defaults in the summarizer.

import { camelCase } from '../names';
import type { Node } from 'jsonc-parser';
import { COMMON_OPTIONS, LayerNamer, layerKindByClassName, optionsOf } from '../catalog';
import { innerStringRange, LineMap, nodeRange, parseJsonTree, properties, property, valueOf } from '../source';
import type { LayerSpec, ModelDiagnostic, ModelIR, SourceRange } from '../types';
import { defaultName, type FrontEndResult } from './json';

const MODEL_CLASSES = ['Sequential', 'Functional', 'Model'];

export function isKerasModelJson(root: Node): boolean {
  const className = property(root, 'class_name');
  return className?.type === 'string' && MODEL_CLASSES.includes(String(className.value)) && property(root, 'config') !== undefined;
}

/** Keras key → tf.layers option name, where the rule is not plain snake_case → camelCase. */
const RENAMED_KEYS: Record<string, string> = {
  batch_shape: 'batchInputShape',
  batch_input_shape: 'batchInputShape',
  negative_slope: 'alpha',
};
const KERAS_ACTIVATIONS: Record<string, string> = { hard_sigmoid: 'hardSigmoid', silu: 'swish' };
const DATA_FORMATS: Record<string, string> = { channels_last: 'channelsLast', channels_first: 'channelsFirst' };

const camel = (key: string): string => RENAMED_KEYS[key] ?? camelCase(key);

function convertValue(option: string, value: unknown): unknown {
  if (option === 'activation' && typeof value === 'string') return KERAS_ACTIVATIONS[value] ?? value;
  if (option === 'dataFormat' && typeof value === 'string') return DATA_FORMATS[value] ?? value;
  // Keras 2 serializes BatchNormalization's axis as a one-element list.
  if (option === 'axis' && Array.isArray(value) && value.length === 1) return value[0];
  return value;
}

export function parseKerasModel(text: string, fileName: string): FrontEndResult {
  const lines = new LineMap(text);
  const { root, diagnostics } = parseJsonTree(text, lines);
  if (!root || !isKerasModelJson(root)) {
    diagnostics.push({
      severity: 'error',
      code: 'not-a-model',
      message: 'Expected the output of Keras model.to_json(): an object with "class_name" Sequential, Functional or Model and a "config".',
      range: root ? nodeRange(lines, root) : lines.range(0, 0),
    });
    return { diagnostics };
  }
  const ir = readKerasModel(root, lines, defaultName(fileName), diagnostics);
  return ir ? { ir, diagnostics } : { diagnostics };
}

/**
 * A model's `{class_name, config: {name, layers, input_layers, output_layers}}` → IR: the file's
 * own model, or one nested in it as a layer. Undefined, with a diagnostic, when it has no layers list.
 */
function readKerasModel(modelNode: Node, lines: LineMap, fallbackName: string, diagnostics: ModelDiagnostic[]): ModelIR | undefined {
  const modelClass = String(property(modelNode, 'class_name')?.value);
  const configNode = property(modelNode, 'config');
  // Keras before 2.2 stored a Sequential model's config as the bare list of layers.
  const layersNode = configNode?.type === 'array' ? configNode : property(configNode, 'layers');
  const modelRange = nodeRange(lines, modelNode);
  if (layersNode?.type !== 'array') {
    diagnostics.push({ severity: 'error', code: 'not-a-model', message: 'The Keras model has no "config.layers" list.', range: configNode ? nodeRange(lines, configNode) : modelRange });
    return undefined;
  }
  const nameNode = property(configNode, 'name');
  const functional = modelClass !== 'Sequential';
  // Each model, nested or not, has its own namespace of layer names, as in Keras.
  const namer = new LayerNamer();
  const layers: LayerSpec[] = [];
  for (const layerNode of layersNode.children ?? []) {
    layers.push(readKerasLayer(layerNode, lines, namer, layers, functional, diagnostics));
  }
  return {
    name: nameNode?.type === 'string' ? String(nameNode.value) : fallbackName,
    format: 'keras',
    topology: functional ? 'functional' : 'sequential',
    layers,
    inputs: functional ? layerRefs(property(configNode, 'input_layers')) : layers.slice(0, 1).map((layer) => layer.name),
    outputs: functional ? layerRefs(property(configNode, 'output_layers')) : layers.slice(-1).map((layer) => layer.name),
    range: modelRange,
  };
}

function readKerasLayer(
  layerNode: Node,
  lines: LineMap,
  namer: LayerNamer,
  previous: LayerSpec[],
  functional: boolean,
  diagnostics: ModelDiagnostic[],
): LayerSpec {
  const range = nodeRange(lines, layerNode);
  const classNode = property(layerNode, 'class_name');
  if (classNode?.type !== 'string') {
    diagnostics.push({ severity: 'error', code: 'unknown-layer', message: `Keras layer ${previous.length + 1} has no "class_name". Received: ${JSON.stringify(valueOf(layerNode))?.slice(0, 80)}.`, range });
    // It keeps its place (see LayerSpec.unreadable), under its own name when it has one, so layers
    // that take their input from it are known to follow an error rather than a missing layer.
    const written = property(layerNode, 'name')?.value ?? property(property(layerNode, 'config'), 'name')?.value;
    const name = typeof written === 'string' && written.length > 0 ? written : `(layer ${previous.length + 1})`;
    return { name, className: '', config: {}, inbound: [], range, unreadable: true };
  }
  const className = String(classNode.value);
  const nestedModel = MODEL_CLASSES.includes(className);
  const layerKind = layerKindByClassName(className);
  // A nested model's config holds its layers; of the options every layer has, it keeps its name and `trainable`.
  const accepted = layerKind ? optionsOf(layerKind) : nestedModel ? { name: COMMON_OPTIONS.name, trainable: COMMON_OPTIONS.trainable } : {};
  const { config, optionRanges, optionKeyRanges } = readConfig(property(layerNode, 'config'), accepted, lines);
  const layerName = property(layerNode, 'name')?.value ?? config.name;
  const name = typeof layerName === 'string' && layerName.length > 0 ? layerName : namer.next(className);
  namer.reserve(name);
  let inbound: string[];
  if (functional) {
    inbound = [];
    collectInboundNames(valueOf(property(layerNode, 'inbound_nodes') ?? layerNode), inbound, true);
  } else {
    inbound = previous.length > 0 ? [previous[previous.length - 1].name] : [];
  }
  const layer: LayerSpec = { name, className, config, inbound, range, optionRanges, optionKeyRanges, typeRange: innerStringRange(lines, classNode) };
  if (!nestedModel) return layer;
  const model = readKerasModel(layerNode, lines, name, diagnostics);
  // A nested model without a layers list has its diagnostic; it keeps its place, as an unreadable layer does.
  return model ? { ...layer, model } : { ...layer, unreadable: true };
}

/** A layer's Keras config → the tf.layers options it accepts, with the ranges of their keys and values. */
function readConfig(configNode: Node | undefined, accepted: Record<string, unknown>, lines: LineMap): Pick<LayerSpec, 'config'> & Required<Pick<LayerSpec, 'optionRanges' | 'optionKeyRanges'>> {
  const config: Record<string, unknown> = {};
  const optionRanges: Record<string, SourceRange> = {};
  const optionKeyRanges: Record<string, SourceRange> = {};
  for (const [keyNode, valueNode] of properties(configNode)) {
    const option = camel(String(keyNode.value));
    if (!(option in accepted) || option === 'inputs' || option === 'dtype') continue;
    config[option] = convertValue(option, valueOf(valueNode));
    optionRanges[option] = nodeRange(lines, valueNode);
    optionKeyRanges[option] = nodeRange(lines, keyNode);
  }
  return { config, optionRanges, optionKeyRanges };
}

/**
 * Layer names an `inbound_nodes` value refers to. Keras 2: `[[["conv2d", 0, 0, {}], ...]]`;
 * Keras 3: `[{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["conv2d", 0, 0]}}], "kwargs": {}}]`.
 */
function collectInboundNames(value: unknown, names: string[], top: boolean): void {
  if (top && !Array.isArray(value)) return;
  if (Array.isArray(value)) {
    if (typeof value[0] === 'string' && typeof value[1] === 'number') {
      if (!names.includes(value[0])) names.push(value[0]);
      return;
    }
    for (const item of value) collectInboundNames(item, names, false);
    return;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.keras_history)) {
      collectInboundNames(record.keras_history, names, false);
      return;
    }
    for (const key of ['config', 'args']) if (key in record) collectInboundNames(record[key], names, false);
  }
}

/** `[["input_1", 0, 0]]` or Keras 3's single `["input_layer", 0, 0]` → names. */
function layerRefs(node: Node | undefined): string[] {
  const value = node ? valueOf(node) : undefined;
  if (!Array.isArray(value)) return [];
  if (typeof value[0] === 'string') return [value[0]];
  return value.filter((item): item is unknown[] => Array.isArray(item)).map((item) => item[0]).filter((name): name is string => typeof name === 'string');
}
