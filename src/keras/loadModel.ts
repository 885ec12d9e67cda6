// A Keras saved model (.keras / .h5) as a tfjs LayersModel: the architecture goes through the
// Keras front end and the trainer's buildModel, as any Keras to_json() file does, and the file's
// weights go into that model by layer name, in Keras's order (by weight name where the file names
// them). Every layer is checked before any weight is written: a file that does not fit its model
// fails whole, naming each layer and its shapes, and never leaves a half-loaded model.
import { basename } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeModel } from '../model';
import type { ModelAnalysis, ModelIR } from '../model/types';
import { buildModel } from '../trainer/buildModel';
import { UserError } from '../util/userError';
import { readKerasModel, readKerasWeights, type KerasModelWithWeights, type SavedLayer, type SavedScope, type SavedWeight } from './savedModel';

export interface LoadedKerasModel {
  model: tf.LayersModel;
  file: KerasModelWithWeights;
  analysis: ModelAnalysis & { ir: ModelIR };
}

const formatShape = (shape: readonly (number | null)[]): string => `[${shape.join(', ')}]`;

/** `kernel` from `sequential/conv2d/kernel`, `conv2d/kernel:0` or tfjs's `conv2d/kernel`. */
function shortWeightName(name: string): string {
  return (name.split('/').at(-1) ?? name).replace(/:\d+$/, '');
}

function isContainer(layer: tf.layers.Layer): layer is tf.LayersModel {
  return layer instanceof tf.LayersModel;
}

/** Every saved layer below `scope`, by name, for a model whose nesting differs from the file's (undefined where a name is not unique). */
function flattenScope(scope: SavedScope, into = new Map<string, SavedLayer | undefined>()): Map<string, SavedLayer | undefined> {
  for (const [name, layer] of scope.layers) {
    if (layer.weights.length > 0) into.set(name, into.has(name) ? undefined : layer);
    if (layer.nested) flattenScope(layer.nested, into);
  }
  return into;
}

interface Assignment {
  layer: tf.layers.Layer;
  values: SavedWeight[];
}

/**
 * The saved weights in the model's order for one layer, or the problem with them. The file's
 * order is Keras's (trainable, then non-trainable, as tfjs orders them too); where the file names
 * its weights and the names are the model's, they are matched by name instead.
 */
function matchLayer(layer: tf.layers.Layer, qualified: string, saved: SavedLayer | undefined): SavedWeight[] | string {
  const variables = layer.weights;
  const described = `Layer '${qualified}' (${layer.getClassName()})`;
  const modelList = variables.map((variable) => `${shortWeightName(variable.originalName)} ${formatShape(variable.shape)}`).join(', ');
  if (!saved || saved.weights.length === 0) return `${described} has ${variables.length} weight(s) (${modelList}), but the file holds none for it.`;
  const fileList = saved.weights.map((weight) => `${shortWeightName(weight.name)} ${formatShape(weight.shape)}`).join(', ');
  if (saved.weights.length !== variables.length) {
    return `${described} has ${variables.length} weight(s) (${modelList}), but the file holds ${saved.weights.length} for it (${fileList}).`;
  }
  let ordered = saved.weights;
  const modelNames = variables.map((variable) => shortWeightName(variable.originalName));
  const fileNames = saved.weights.map((weight) => shortWeightName(weight.name));
  if (modelNames.every((name) => fileNames.includes(name)) && new Set(fileNames).size === fileNames.length) {
    ordered = modelNames.map((name) => saved.weights[fileNames.indexOf(name)]);
  }
  const wrong = variables.flatMap((variable, index) => {
    const weight = ordered[index];
    const same = weight.shape.length === variable.shape.length && weight.shape.every((dim, axis) => dim === variable.shape[axis]);
    return same ? [] : [`${shortWeightName(variable.originalName)} is ${formatShape(variable.shape)} in the model but ${formatShape(weight.shape)} in the file ('${weight.name}')`];
  });
  if (wrong.length > 0) return `${described}: ${wrong.join('; ')}.`;
  return ordered;
}

/**
 * Writes `scope`'s weights into `model`, layer by layer by name, nested models included. Checks
 * every layer first and throws a UserError listing each problem, with the model untouched.
 */
export function setKerasWeights(model: tf.LayersModel, scope: SavedScope, fileLabel: string): void {
  const problems: string[] = [];
  const assignments: Assignment[] = [];
  const flat = flattenScope(scope);
  const used = new Set<SavedLayer>();

  const visit = (container: tf.LayersModel, saved: SavedScope | undefined, prefix: string): void => {
    for (const layer of container.layers) {
      const qualified = `${prefix}${layer.name}`;
      const own = saved?.layers.get(layer.name);
      if (isContainer(layer)) {
        if (own) used.add(own);
        if (layer.weights.length === 0) continue;
        // A nested model whose own layers the file lists (a .keras file; an .h5 groups them by name).
        visit(layer, own?.nested ?? saved, `${qualified}/`);
        continue;
      }
      if (layer.weights.length === 0) {
        if (own) used.add(own);
        continue;
      }
      const found = own && own.weights.length > 0 ? own : flat.get(layer.name);
      if (found) used.add(found);
      const matched = matchLayer(layer, qualified, found);
      if (typeof matched === 'string') problems.push(matched);
      else assignments.push({ layer, values: matched });
    }
  };
  visit(model, scope, '');

  const leftOver = [...flattenScope(scope).values()].filter((layer): layer is SavedLayer => layer !== undefined && !used.has(layer));
  for (const layer of leftOver) {
    problems.push(`The file holds weights for layer '${layer.name}' (${layer.weights.map((weight) => formatShape(weight.shape)).join(', ')}), which the model does not have.`);
  }
  if (problems.length > 0) {
    throw new UserError(
      `The weights in ${fileLabel} do not fit the model built from its architecture:\n  ${problems.join('\n  ')}`,
      'The file\'s weights and its config disagree: save the model again from Keras (model.save) rather than editing either part.',
    );
  }
  for (const { layer, values } of assignments) {
    const tensors = values.map((weight) => tf.tensor(weight.values, weight.shape, 'float32'));
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
}

/** Builds the model of an analysed Keras config; a UserError naming each layer at fault when the architecture has errors or tfjs refuses a layer. */
export function buildKerasModel(analysis: ModelAnalysis, fileLabel: string): tf.LayersModel {
  const errors = analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (!analysis.ir || errors.length > 0) {
    const listed = errors.map((diagnostic) => `  ${diagnostic.layer ? `layer '${diagnostic.layer}': ` : ''}${diagnostic.message}`).join('\n');
    throw new UserError(
      `The architecture in ${fileLabel} has ${errors.length || 'unreadable'} error(s):\n${listed}`,
      `\`cnnlab summary ${fileLabel}\` shows the model layer by layer; a pretrained base must get the input shape it was built for.`,
    );
  }
  try {
    return buildModel(analysis.ir, 0);
  } catch (error) {
    throw new UserError(`The model in ${fileLabel} cannot be built in TensorFlow.js: ${(error as Error).message}`, 'Check the layer named above in `cnnlab summary`.', { cause: error });
  }
}

/**
 * Sets the weights saved in the `.keras`/`.h5` file at `path` into `model`, built from that file's
 * architecture (fine-tuning starts from them); a UserError naming each layer that does not fit, with the model untouched.
 */
export async function loadKerasFileWeights(model: tf.LayersModel, path: string): Promise<void> {
  setKerasWeights(model, await readKerasWeights(path), basename(path));
}

/** Reads a `.keras` or `.h5` file and returns its tfjs model with the file's weights. */
export async function loadKerasModel(path: string): Promise<LoadedKerasModel> {
  const file = await readKerasModel(path);
  const fileLabel = basename(path);
  const analysis = analyzeModel(file.configText, path);
  const model = buildKerasModel(analysis, fileLabel);
  try {
    setKerasWeights(model, file.weights, fileLabel);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, file, analysis: analysis as LoadedKerasModel['analysis'] };
}
