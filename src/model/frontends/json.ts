// Front end for our `*.model.json` schema:
//   { "name"?, "inputShape"?, "layers": [{ "type": "Conv2D", "filters": 32, ... }], "outputs"?, "training"?, "sweep"? }
// A model is functional when any layer names its `inputs`; otherwise each layer feeds the next.

import type { Node } from 'jsonc-parser';
import { expandApplication, isApplication } from '../applications';
import { expandSavedModel } from '../applications/savedModel';
import { LayerNamer } from '../catalog';
import { firstPropertyIndent, lineBreakOf, innerStringRange, LineMap, nodeRange, parseJsonTree, properties, property, setOwn, valueOf } from '../source';
import { readSweep, sweepParameterProblems, sweepValueProblems, type SweepProblem } from '../sweep';
import { readTraining } from '../training';
import type { InputShapeInsertionPoint, LayerSpec, ModelDiagnostic, ModelIR, SourceRange } from '../types';

const MODEL_KEYS = ['$schema', 'name', 'inputShape', 'layers', 'outputs', 'training', 'sweep', 'description'];

export interface FrontEndResult {
  ir?: ModelIR;
  diagnostics: ModelDiagnostic[];
}

export function parseJsonModel(text: string, fileName: string): FrontEndResult {
  const lines = new LineMap(text);
  const { root, diagnostics } = parseJsonTree(text, lines);
  const fileRange = lines.range(0, 0);
  if (root?.type !== 'object') {
    // Text too broken to hold any value already has its parse error.
    if (!root && diagnostics.length > 0) return { diagnostics };
    diagnostics.push({
      severity: 'error',
      code: 'not-a-model',
      message: `A model file must hold a JSON object such as {"inputShape": [28, 28, 1], "layers": [...]}. Received: ${root ? root.type : 'no JSON value'}.`,
      range: root ? nodeRange(lines, root) : fileRange,
    });
    return { diagnostics };
  }
  const rootRange = nodeRange(lines, root);
  const error = (message: string, range: SourceRange, code: ModelDiagnostic['code'] = 'bad-option-value'): void => {
    diagnostics.push({ severity: 'error', code, message, range });
  };
  for (const [keyNode] of properties(root)) {
    const key = String(keyNode.value);
    if (!MODEL_KEYS.includes(key)) {
      diagnostics.push({
        severity: 'warning',
        code: 'unknown-option',
        message: `Unknown model property '${key}'; it is ignored. Model properties: ${MODEL_KEYS.slice(1).join(', ')}.`,
        range: innerStringRange(lines, keyNode),
      });
    }
  }

  const nameNode = property(root, 'name');
  const modelName = nameNode?.type === 'string' ? String(nameNode.value) : defaultName(fileName);
  const layersNode = property(root, 'layers');
  if (layersNode?.type !== 'array') {
    error(`A model needs a \`layers\` list, e.g. "layers": [{"type": "Conv2D", "filters": 32, "kernelSize": 3}]. Received: ${layersNode ? `layers of type ${layersNode.type}` : 'no layers'}.`, rootRange, 'not-a-model');
    return { diagnostics };
  }

  const namer = new LayerNamer();
  for (const layerNode of layersNode.children ?? []) {
    const written = property(layerNode, 'name');
    if (written?.type === 'string') namer.reserve(String(written.value));
  }
  const functional = (layersNode.children ?? []).some((layerNode) => property(layerNode, 'inputs') !== undefined);
  const layers: LayerSpec[] = [];
  const inputShapeNode = property(root, 'inputShape');

  if (functional && inputShapeNode) {
    layers.push({
      name: namer.next('InputLayer'),
      className: 'InputLayer',
      config: { inputShape: valueOf(inputShapeNode) },
      inbound: [],
      range: nodeRange(lines, inputShapeNode),
      optionRanges: { inputShape: nodeRange(lines, inputShapeNode) },
      typeRange: nodeRange(lines, inputShapeNode),
    });
  }

  for (const layerNode of layersNode.children ?? []) {
    layers.push(readLayer(layerNode, lines, text, namer, layers, functional, error));
  }

  // A top-level inputShape belongs to the first layer of a Sequential model, as `input_shape` does in Keras.
  const first = layers[0];
  if (!functional && inputShapeNode && first && !('inputShape' in first.config) && !('batchInputShape' in first.config)) {
    first.config.inputShape = valueOf(inputShapeNode);
    first.optionRanges = { ...first.optionRanges, inputShape: nodeRange(lines, inputShapeNode) };
  }

  // keras.applications bases (`"type": "VGG16"`) become the models Keras builds, under Keras's
  // names (`vgg16`, `mobilenetv2_1.00_224`) unless named: after the top-level inputShape, which
  // may be theirs. A saved model (`"type": "Model", "path": "base.keras"`) is read in the same way.
  for (const layer of layers) {
    const savedModel = layer.className === 'Model' && !layer.unreadable;
    if (!isApplication(layer.className) && !savedModel) continue;
    const written = layer.name;
    diagnostics.push(...(savedModel ? expandSavedModel(layer, fileName, rootRange) : expandApplication(layer, rootRange)));
    if (layer.name === written) continue;
    namer.reserve(layer.name);
    for (const other of layers) other.inbound = other.inbound.map((name) => (name === written ? layer.name : name));
  }

  const ir: ModelIR = {
    name: modelName,
    format: 'json',
    topology: functional ? 'functional' : 'sequential',
    layers,
    inputs: layers.filter((layer) => layer.className === 'InputLayer' || layer.inbound.length === 0).map((layer) => layer.name).slice(0, functional ? undefined : 1),
    outputs: readOutputs(root, layers),
    range: rootRange,
    inputShapeInsertion: inputShapeInsertionAt(text, lines, root.offset),
  };

  const trainingNode = property(root, 'training');
  if (trainingNode) {
    const { training, problems } = readTraining(valueOf(trainingNode));
    if (training) ir.training = training;
    for (const problem of problems) {
      const keyNode = problem.writtenKey === undefined ? undefined : properties(trainingNode).find(([key]) => key.value === problem.writtenKey);
      const range = keyNode ? nodeRange(lines, problem.key ? keyNode[1] : keyNode[0]) : nodeRange(lines, trainingNode);
      diagnostics.push({ severity: problem.severity, code: problem.key ? 'bad-option-value' : 'unknown-option', message: problem.message, range });
    }
  }
  const sweepNode = property(root, 'sweep');
  if (sweepNode) readSweepBlock(sweepNode, ir, lines, diagnostics);
  return { ir, diagnostics };
}

/** The `sweep` block: its spec on the IR when usable, each problem on the key or value it is about. */
function readSweepBlock(sweepNode: Node, ir: ModelIR, lines: LineMap, diagnostics: ModelDiagnostic[]): void {
  const { sweep, problems } = readSweep(valueOf(sweepNode));
  const report = (problem: SweepProblem): void => {
    const keyNode = problem.writtenKey === undefined ? undefined : properties(sweepNode).find(([key]) => key.value === problem.writtenKey);
    const parameterNode = problem.parameter === undefined || !keyNode ? undefined : properties(keyNode[1]).find(([key]) => key.value === problem.parameter);
    const node = parameterNode ? parameterNode[0] : keyNode ? (problem.key ? keyNode[1] : keyNode[0]) : sweepNode;
    diagnostics.push({ severity: problem.severity, code: problem.key ? 'bad-option-value' : 'unknown-option', message: problem.message, range: nodeRange(lines, node) });
  };
  problems.forEach(report);
  const parametersNode = property(sweepNode, 'parameters');
  const written = parametersNode?.type === 'object' ? properties(parametersNode).map(([key]) => String(key.value)) : [];
  const unknown = sweepParameterProblems(ir, written);
  for (const { parameter, message } of unknown) report({ key: 'parameters', writtenKey: 'parameters', parameter, severity: 'error', message });
  const refused = parametersNode?.type === 'object' ? refusedValues(parametersNode, ir, lines) : [];
  diagnostics.push(...refused);
  if (sweep && unknown.length === 0 && refused.length === 0) ir.sweep = sweep;
}

/** Summaries a sweep block may cost the editor on each change: one per layer-option value checked. */
const MAX_SWEEP_VALUE_CHECKS = 64;

/** Each layer-option value its layer refuses (a negative filter count), on the value itself. */
function refusedValues(parametersNode: Node, ir: ModelIR, lines: LineMap): ModelDiagnostic[] {
  const diagnostics: ModelDiagnostic[] = [];
  let budget = MAX_SWEEP_VALUE_CHECKS;
  for (const [keyNode, valuesNode] of properties(parametersNode)) {
    const parameter = String(keyNode.value);
    const values = valueOf(valuesNode);
    if (!parameter.includes('.') || !Array.isArray(values) || values.length > budget) continue;
    budget -= values.length;
    for (const { position, message } of sweepValueProblems(ir, parameter, values)) {
      const valueNode = valuesNode.children?.[position] ?? valuesNode;
      diagnostics.push({ severity: 'error', code: 'bad-option-value', message, range: nodeRange(lines, valueNode) });
    }
  }
  return diagnostics;
}

function readLayer(
  layerNode: Node,
  lines: LineMap,
  text: string,
  namer: LayerNamer,
  previous: LayerSpec[],
  functional: boolean,
  error: (message: string, range: SourceRange, code?: ModelDiagnostic['code']) => void,
): LayerSpec {
  const range = nodeRange(lines, layerNode);
  const position = previous.length;
  // An entry that is no layer keeps its place (see LayerSpec.unreadable), so every later layer is still checked.
  const unreadable = (): LayerSpec => ({ name: `(layer ${position + 1})`, className: '', config: {}, inbound: [], range, unreadable: true });
  if (layerNode.type !== 'object') {
    error(`Each entry of \`layers\` must be an object such as {"type": "Dense", "units": 10}. Received: layer ${position + 1} of type ${layerNode.type}.`, range, 'unknown-layer');
    return unreadable();
  }
  const typeNode = property(layerNode, 'type');
  if (typeNode?.type !== 'string' || String(typeNode.value).length === 0) {
    error(
      `Layer ${position + 1} needs a \`type\`, the Keras class name, e.g. "type": "Conv2D". Received: ${typeNode ? `type=${JSON.stringify(valueOf(typeNode))}` : 'no type'}.`,
      typeNode ? nodeRange(lines, typeNode) : range,
      'unknown-layer',
    );
    return unreadable();
  }
  const className = String(typeNode.value);
  const config: Record<string, unknown> = {};
  const optionRanges: Record<string, SourceRange> = {};
  const optionKeyRanges: Record<string, SourceRange> = {};
  let inbound: string[] = [];
  for (const [keyNode, valueNode] of properties(layerNode)) {
    const key = String(keyNode.value);
    if (key === 'type') continue;
    const value = valueOf(valueNode);
    setOwn(optionRanges, key, nodeRange(lines, valueNode));
    setOwn(optionKeyRanges, key, innerStringRange(lines, keyNode));
    if (key === 'inputs') {
      inbound = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
    }
    setOwn(config, key, value);
  }
  const name = typeof config.name === 'string' && config.name.length > 0 ? config.name : namer.next(className);
  if (!functional) inbound = position > 0 ? [previous[position - 1].name] : [];
  else if (!('inputs' in config) && position > 0 && className !== 'InputLayer') inbound = [previous[position - 1].name];
  // `inputs` is graph structure, not a layer option: keep it out of the config the trainer sees.
  delete config.inputs;
  const layer: LayerSpec = {
    name,
    className,
    config,
    inbound,
    range,
    optionRanges,
    optionKeyRanges,
    typeRange: innerStringRange(lines, typeNode),
  };
  if (!functional) layer.insertion = { position: lines.position(layerNode.offset), syntax: 'json', indent: lines.indentAt(text, layerNode.offset) };
  return layer;
}

function readOutputs(root: Node, layers: LayerSpec[]): string[] {
  const outputs = valueOf(property(root, 'outputs') ?? { type: 'null', offset: 0, length: 0 } as Node);
  if (typeof outputs === 'string') return [outputs];
  if (Array.isArray(outputs)) return outputs.filter((item): item is string => typeof item === 'string');
  const last = layers[layers.length - 1];
  return last ? [last.name] : [];
}

/** `seed003-fashion-mnist-cnn.model.json` → `seed003-fashion-mnist-cnn`. */
export function defaultName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return base.replace(/\.(model\.json|model\.ts|keras\.json|json|ts)$/, '') || 'model';
}

/** Where the add-inputShape fix writes in a JSON model: after the root `{`, laid out as the file's properties are. */
function inputShapeInsertionAt(text: string, lines: LineMap, braceOffset: number): InputShapeInsertionPoint {
  const position = lines.position(braceOffset + 1);
  const indent = firstPropertyIndent(text, braceOffset);
  return indent === undefined ? { position, syntax: 'json' } : { position, syntax: 'json', indent, lineBreak: lineBreakOf(text) };
}
