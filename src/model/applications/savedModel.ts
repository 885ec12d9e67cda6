// A saved model used as a layer of a model file: `{ "type": "Model", "path": "base.keras",
// "trainable": false }` (a Keras .keras/.h5 file, a tfjs model folder or its model.json, or a
// Keras to_json() file), as keras.saving.load_model("base.keras") called on a tensor. Its
// architecture is read through the Keras front end into LayerSpec.model and summarized as one
// row; the trainer loads its weights (src/trainer/pretrained.ts). The model core reads no binary
// files itself: the host, the CLI and the trainer install a reader (src/keras/modelReader.ts).

import { dirname, isAbsolute, resolve } from 'node:path';
import { nearestName } from '../catalog';
import { parseKerasModel } from '../frontends/keras';
import { describeValue } from '../options';
import { formatShape } from '../shape';
import type { Dim, LayerSpec, ModelDiagnostic, ModelIR, Shape, SourceRange } from '../types';

/** The architecture of a saved model as Keras's to_json() text; throws an Error saying why it cannot be read. */
export type SavedModelReader = (path: string) => string;

let reader: SavedModelReader | undefined;

/** Installs the reader of saved models' architectures (undefined: none; a `Model` layer is then an error saying so). */
export function setSavedModelReader(next: SavedModelReader | undefined): void {
  reader = next;
}

/** `inputShape`: only as the top-level inputShape of a Sequential model puts it on its first layer (the shape it is called on). */
export const SAVED_MODEL_OPTIONS = ['path', 'name', 'trainable', 'inputShape'];

/** `path` as the model file gives it, resolved from the model file's folder. */
export function savedModelPath(written: string, modelFile: string): string {
  return isAbsolute(written) ? written : resolve(dirname(modelFile), written);
}

/**
 * Turns a `Model` layer into the saved model it names, nested as a layer: `model` set, className
 * `Functional` or `Sequential`, `application` "Model", and the saved model's name unless the file
 * names it. Returns the problems, at their ranges; with an error the layer stays unbuilt.
 */
export function expandSavedModel(layer: LayerSpec, modelFile: string, fallbackRange: SourceRange): ModelDiagnostic[] {
  const diagnostics: ModelDiagnostic[] = [];
  const rangeOf = (option?: string, onKey = false): SourceRange =>
    (option && (onKey ? layer.optionKeyRanges?.[option] : layer.optionRanges?.[option])) || layer.typeRange || layer.range || fallbackRange;
  const error = (message: string, option?: string, code: ModelDiagnostic['code'] = 'bad-option-value', onKey = false): void => {
    diagnostics.push({ severity: 'error', code, message, range: rangeOf(option, onKey), layer: layer.name });
  };
  layer.application = 'Model';
  for (const key of Object.keys(layer.config)) {
    if (SAVED_MODEL_OPTIONS.includes(key)) continue;
    const suggestion = nearestName(key, SAVED_MODEL_OPTIONS);
    error(`Unrecognized keyword argument passed to Model: '${key}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Accepted options: ${SAVED_MODEL_OPTIONS.join(', ')}.`, key, 'unknown-option', true);
  }
  const path = layer.config.path;
  if (typeof path !== 'string' || path.length === 0) {
    error(`A Model layer needs \`path\`, the saved model to use as a layer (a .keras or .h5 file, or a tfjs model folder), e.g. "path": "base.keras". Received: path=${describeValue(path)}.`, 'path');
  }
  if (layer.config.trainable !== undefined && typeof layer.config.trainable !== 'boolean') error(`Invalid value for \`trainable\` of Model: expected true or false. Received: trainable=${describeValue(layer.config.trainable)}.`, 'trainable');
  if (layer.config.name !== undefined && (typeof layer.config.name !== 'string' || layer.config.name.length === 0)) error(`Invalid value for \`name\` of Model: expected a non-empty string. Received: name=${describeValue(layer.config.name)}.`, 'name');
  if (diagnostics.length > 0 || typeof path !== 'string') {
    layer.unreadable = true;
    return diagnostics;
  }
  if (!reader) {
    error(`CNN Lab cannot read ${path} here: saved models are read by the editor, \`cnnlab summary\` and the trainer. Received: path=${describeValue(path)}.`, 'path');
    layer.unreadable = true;
    return diagnostics;
  }
  let text: string;
  try {
    text = reader(savedModelPath(path, modelFile));
  } catch (problem) {
    error(`The saved model ${describeValue(path)} cannot be used as a layer: ${(problem as Error).message}`, 'path');
    layer.unreadable = true;
    return diagnostics;
  }
  const { ir, diagnostics: inner } = parseKerasModel(text, path);
  // Its own positions are in another file: its problems are reported at `path`, naming the file.
  for (const diagnostic of inner) diagnostics.push({ ...diagnostic, message: `In ${path}: ${diagnostic.message}`, range: rangeOf('path'), layer: layer.name });
  if (!ir) {
    layer.unreadable = true;
    return diagnostics;
  }
  const given = layer.config.inputShape;
  const declared = declaredInput(ir);
  if (Array.isArray(given) && declared && !(given.length === declared.length - 1 && given.every((dim, axis) => dim === null || declared[axis + 1] === null || dim === declared[axis + 1]))) {
    error(`Input 0 of layer "${typeof layer.config.name === 'string' ? layer.config.name : ir.name}" is incompatible with the layer: expected shape=${formatShape(declared)}, found shape=${formatShape([null, ...(given as Dim[])])}.`, 'inputShape', 'shape-mismatch');
    layer.unreadable = true;
    return diagnostics;
  }
  for (const nested of ir.layers) stripRanges(nested);
  // Problems found when it is summarized are shown at `path` too.
  ir.range = rangeOf('path');
  if (typeof layer.config.name !== 'string') layer.name = ir.name;
  layer.className = ir.topology === 'sequential' ? 'Sequential' : 'Functional';
  layer.model = ir;
  return diagnostics.map((diagnostic) => ({ ...diagnostic, layer: layer.name }));
}

/** The batch shape the saved model's first input declares, if any. */
function declaredInput(ir: ModelIR): Shape | undefined {
  const input = ir.layers.find((candidate) => candidate.name === ir.inputs[0]);
  const batch = input?.config.batchInputShape;
  if (Array.isArray(batch)) return batch as Shape;
  const shape = input?.config.inputShape;
  return Array.isArray(shape) ? [null, ...(shape as Dim[])] : undefined;
}

/** A nested layer's source ranges point into the saved model's text, not the model file: they are dropped. */
function stripRanges(layer: LayerSpec): void {
  delete layer.range;
  delete layer.optionRanges;
  delete layer.optionKeyRanges;
  delete layer.typeRange;
  if (layer.model) {
    delete layer.model.range;
    for (const inner of layer.model.layers) stripRanges(inner);
  }
}
