// "Inside the network": what a finished run's model does with one image. The first convolution's
// filters, every convolution's feature maps, a class-activation map (Grad-CAM, Selvaraju et al.
// 2017) for the predicted class and a chosen one, and the top predictions. Used by the Inside
// child process (insideMain.ts, for the panel) and by `cnnlab inside`; what it returns is plain
// bytes and numbers, so nothing of tfjs leaves this module.
//
// The model is run layer by layer over its own graph (each layer applied to concrete tensors), so
// that the last convolution's output can be swapped for a tensor Grad-CAM differentiates against:
// tfjs cannot make a sub-model that starts at an inner layer.
import { basename, dirname, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadPredictionModel, readImage, topClasses, type ClassProbability, type PredictionModel } from '../keras/predict';
import type { RunRecord } from '../runs/format';
import { readRunRecord } from '../runs/store';
import type { InsideView } from '../channels/inside';
import { UserError } from '../util/userError';
import { loadDataset } from './datasets';
import { runSeed } from './trainingConfig';

/** The layers whose outputs are shown as feature maps; the first one's kernel is shown as filters. */
export const CONVOLUTION_CLASSES: readonly string[] = ['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D'];

/** Maps (and filters) drawn per layer unless more are asked for. */
export const DEFAULT_MAX_MAPS = 32;

export type InsideImageSource =
  /** Example `index` (from 0) of the test split of the run's dataset. */
  | { kind: 'test'; index: number }
  /** An image file (PNG, JPEG…), e.g. a misclassified example saved in the run folder. */
  | { kind: 'file'; path: string };

export interface InsideOptions {
  /** Maps and filters per layer at most (default DEFAULT_MAX_MAPS). */
  maxMaps?: number;
  /** A class (by name, or by number when the run has no names) to show a Grad-CAM map for, besides the predicted one. */
  className?: string;
  /** Folders the dataset is read from, for `test:N` (as the trainer's job has them). */
  dataDir?: string;
  cacheDir?: string;
  /** Folder run.json's relative `modelFile` is taken from (the workspace), for folder datasets. */
  baseDir?: string;
}

/** `count` images of `height`×`width`×`channels` bytes each, one after another in `pixels`. */
export interface ImageGrid {
  count: number;
  /** How many there are in all (`count` of them are here: at most `maxMaps`). */
  total: number;
  height: number;
  width: number;
  channels: 1 | 3;
  pixels: Uint8Array;
}

export interface FilterImages extends ImageGrid {
  layer: string;
  /** One image per filter in colour (the kernel has 3 input channels), else one per filter and input channel. */
  colour: boolean;
  /** Input channels of the kernel: a grey image per filter and input channel unless `colour`. */
  inputChannels: number;
}

export interface FeatureMaps extends ImageGrid {
  layer: string;
  className: string;
  /** As the model summary prints it: [null, height, width, channels]. */
  outputShape: (number | null)[];
}

export interface ClassActivationMap {
  classIndex: number;
  className: string;
  /** Which class score was differentiated: the logit (before softmax) when it could be had, else the probability. */
  score: 'logit' | 'probability';
  /** The convolution whose output the gradients were taken against. */
  layer: string;
  /** 0…1 scaled to 0…255, at the model's input size. */
  heat: Uint8Array;
  height: number;
  width: number;
}

export interface InsideResult {
  /** The model looked at, e.g. `run shapes-cnn-… (model/best)`. */
  source: string;
  /** The image as the model sees it (its input size and channels), and where it came from. */
  image: { label: string; height: number; width: number; channels: 1 | 3; pixels: Uint8Array; resizedFrom?: [number, number] };
  classNames: string[];
  predictedClass: number;
  top: ClassProbability[];
  filters?: FilterImages;
  featureMaps: FeatureMaps[];
  /** The predicted class first, then the class asked for (when it differs). */
  gradcam: ClassActivationMap[];
  /** What the page should say: convolutions skipped inside nested models, an empty map, … */
  notes: string[];
}

/** What is needed of a run to look inside it. */
interface OpenedRun {
  record: RunRecord;
  loaded: PredictionModel;
}

/** Loads the run's best model (model/best, else model/last) and its record. */
async function openRun(runDir: string): Promise<OpenedRun> {
  const loaded = await loadPredictionModel(runDir, dirname(runDir));
  try {
    return { record: await readRunRecord(runDir), loaded };
  } catch (error) {
    loaded.model.dispose();
    throw error;
  }
}

/** The image as the model's input (pixels / 255) and as bytes to show. */
async function readSource(run: OpenedRun, source: InsideImageSource, options: InsideOptions): Promise<{ input: tf.Tensor4D; image: InsideResult['image'] }> {
  const [height, width, channels] = run.loaded.inputShape;
  if (source.kind === 'file') {
    const { input, resizedFrom } = await readImage(source.path, run.loaded.inputShape);
    const pixels = Uint8Array.from(await input.data(), (value) => Math.round(value * 255));
    return { input, image: { label: basename(source.path), height, width, channels: channels as 1 | 3, pixels, ...(resizedFrom ? { resizedFrom } : {}) } };
  }
  const pixels = await testExample(run, source.index, options);
  const input = tf.tidy(() => tf.tensor4d(Float32Array.from(pixels), [1, height, width, channels]).div(255) as tf.Tensor4D);
  return { input, image: { label: `test example ${source.index} of ${run.record.dataset}`, height, width, channels: channels as 1 | 3, pixels } };
}

/** Test example `index` of the run's dataset, loaded as the trainer loaded it: the run's seed and example counts. */
async function testExample(run: OpenedRun, index: number, options: InsideOptions): Promise<Uint8Array> {
  const { record, loaded } = run;
  if (!Number.isInteger(index) || index < 0) throw new UserError(`A test example is numbered from 0. Received: ${index}.`);
  const baseDir = options.baseDir ?? process.cwd();
  const dataset = await loadDataset({
    name: record.dataset,
    inputShape: loaded.inputShape,
    baseDir: dirname(resolve(baseDir, record.modelFile)),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    seed: runSeed(record.training ?? {}),
    trainExamples: record.exampleLimits?.train,
    testExamples: record.exampleLimits?.test,
    progress: () => undefined,
  });
  const [height, width, channels] = loaded.inputShape;
  if (dataset.height !== height || dataset.width !== width || dataset.channels !== channels) {
    throw new UserError(`The test images of '${record.dataset}' are ${dataset.height}×${dataset.width}×${dataset.channels}, but the model takes ${height}×${width}×${channels}.`, 'Choose an image file instead: it is resized to the model.');
  }
  if (index >= dataset.test.count) {
    throw new UserError(`The test set of '${record.dataset}' has ${dataset.test.count} examples (0–${dataset.test.count - 1}). Received: test example ${index}.`);
  }
  const bytes = height * width * channels;
  return dataset.test.images.slice(index * bytes, (index + 1) * bytes);
}

/** Everything inside the network for one image of run `runDir`. */
export async function lookInside(runDir: string, source: InsideImageSource, options: InsideOptions = {}): Promise<InsideResult> {
  const maxMaps = options.maxMaps ?? DEFAULT_MAX_MAPS;
  if (!Number.isInteger(maxMaps) || maxMaps < 1) throw new UserError(`maxMaps must be a whole number above 0. Received: ${maxMaps}.`);
  const run = await openRun(runDir);
  try {
    const { input, image } = await readSource(run, source, options);
    try {
      return await inspect(run, input, image, maxMaps, options.className);
    } finally {
      input.dispose();
    }
  } finally {
    run.loaded.model.dispose();
  }
}

async function inspect(run: OpenedRun, input: tf.Tensor4D, image: InsideResult['image'], maxMaps: number, asked: string | undefined): Promise<InsideResult> {
  const { model } = run.loaded;
  const convolutions = model.layers.filter((layer) => CONVOLUTION_CLASSES.includes(layer.getClassName()));
  const notes = nestedConvolutionNotes(model);
  const forward = tf.tidy(() => {
    const values = runGraph(model, input);
    return { convOutputs: convolutions.map((layer) => tf.keep(outputOf(values, layer))), output: tf.keep(finalOutput(model, values)) };
  });
  let probabilities: number[];
  let featureMaps: FeatureMaps[];
  try {
    const flat = tf.tidy(() => (run.loaded.logits ? tf.softmax(forward.output.reshape([-1])) : forward.output.reshape([-1])));
    probabilities = Array.from(await flat.data());
    flat.dispose();
    featureMaps = await Promise.all(convolutions.map((layer, index) => featureMapsOf(layer, forward.convOutputs[index], maxMaps)));
  } finally {
    tf.dispose([...forward.convOutputs, forward.output]);
  }
  const classNames = run.loaded.classNames?.length === probabilities.length ? run.loaded.classNames : probabilities.map((_, index) => String(index));
  const predictedClass = probabilities.indexOf(Math.max(...probabilities));
  const classes = [predictedClass];
  if (asked !== undefined) {
    const askedIndex = classIndexOf(asked, classNames);
    if (askedIndex !== predictedClass) classes.push(askedIndex);
  }
  const lastConvolution = convolutions.at(-1);
  if (!lastConvolution) notes.push('The model has no convolution at its top level: there are no feature maps and no Grad-CAM map to show.');
  const gradcam = lastConvolution ? classes.map((classIndex) => classActivationMap(run.loaded, input, lastConvolution, classIndex, classNames)) : [];
  for (const map of gradcam) if (map.heat.every((value) => value === 0)) notes.push(`The Grad-CAM map of '${map.className}' is empty: nothing in ${map.layer}'s output raises that class's score.`);
  return {
    source: run.loaded.source,
    image,
    classNames,
    predictedClass,
    top: topClasses(probabilities, Math.min(5, probabilities.length), classNames),
    ...(convolutions[0] ? { filters: filtersOf(convolutions[0], maxMaps) } : {}),
    featureMaps,
    gradcam,
    notes,
  };
}

function classIndexOf(asked: string, classNames: readonly string[]): number {
  const byName = classNames.indexOf(asked);
  if (byName >= 0) return byName;
  const number = Number(asked);
  if (asked.trim() !== '' && Number.isInteger(number) && number >= 0 && number < classNames.length) return number;
  throw new UserError(`Unknown class '${asked}': expected one of ${classNames.join(', ')}. Received: ${asked}.`);
}

function isNestedModel(layer: tf.layers.Layer): layer is tf.LayersModel {
  return layer instanceof tf.LayersModel;
}

/** Convolutions inside nested models (a pretrained base) are not looked into: say so. */
function nestedConvolutionNotes(model: tf.LayersModel): string[] {
  return model.layers.filter(isNestedModel).flatMap((nested) => {
    const count = nested.layers.filter((layer) => CONVOLUTION_CLASSES.includes(layer.getClassName())).length;
    return count > 0 ? [`${count} convolution${count === 1 ? '' : 's'} inside the nested model '${nested.name}' ${count === 1 ? 'is' : 'are'} not shown: only the model's top-level layers are looked inside.`] : [];
  });
}

type GraphValues = Map<tf.SymbolicTensor, tf.Tensor>;

/**
 * Runs the model over its own graph, layer by layer, on concrete tensors: every symbolic tensor's
 * value. `replace` gives one layer's output instead of computing it (Grad-CAM's variable).
 */
function runGraph(model: tf.LayersModel, input: tf.Tensor, replace?: { layer: tf.layers.Layer; output: tf.Tensor }): GraphValues {
  const values: GraphValues = new Map([[model.inputs[0], input]]);
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    // The node that connects the layer in this model: the one whose inputs are known by now (a nested model also has the node of its own making).
    const node = layer.inboundNodes.find((candidate) => candidate.inputTensors.length > 0 && candidate.inputTensors.every((tensor) => values.has(tensor)));
    if (!node) continue;
    const inputs = node.inputTensors.map((tensor) => values.get(tensor) as tf.Tensor);
    const output = replace?.layer === layer ? replace.output : layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: false });
    const outputs = Array.isArray(output) ? output : [output];
    node.outputTensors.forEach((tensor, index) => values.set(tensor, outputs[index] as tf.Tensor));
  }
  return values;
}

function outputOf(values: GraphValues, layer: tf.layers.Layer): tf.Tensor {
  const node = layer.inboundNodes.find((candidate) => candidate.outputTensors.length === 1 && values.has(candidate.outputTensors[0]));
  const value = node && values.get(node.outputTensors[0]);
  if (!value) throw new Error(`layer ${layer.name} was not reached when running the model`);
  return value;
}

function finalOutput(model: tf.LayersModel, values: GraphValues): tf.Tensor {
  const value = values.get(model.outputs[0]);
  if (!value) throw new Error('the model output was not reached when running the model');
  return value;
}

/**
 * The class scores before softmax, when they can be had: the output itself for a model trained
 * from logits, the input of a final softmax Activation, or a final softmax Dense layer recomputed
 * without its activation. Otherwise the probabilities.
 */
function classScores(loaded: PredictionModel, values: GraphValues): { scores: tf.Tensor; kind: 'logit' | 'probability' } {
  const { model } = loaded;
  const output = finalOutput(model, values);
  if (loaded.logits) return { scores: output, kind: 'logit' };
  const last = model.outputs[0].sourceLayer;
  const softmax = (last.getConfig() as { activation?: unknown }).activation === 'softmax';
  const node = last.inboundNodes.find((candidate) => candidate.outputTensors.includes(model.outputs[0]));
  const before = softmax && node?.inputTensors.length === 1 ? values.get(node.inputTensors[0]) : undefined;
  if (before && last.getClassName() === 'Activation') return { scores: before, kind: 'logit' };
  if (before && last.getClassName() === 'Dense') {
    const [kernel, bias] = last.getWeights();
    const logits = tf.matMul(before.reshape([1, -1]), kernel);
    return { scores: bias ? logits.add(bias) : logits, kind: 'logit' };
  }
  return { scores: output, kind: 'probability' };
}

/** Grad-CAM: ReLU(Σ_k mean(∂score/∂A_k) · A_k) over the convolution's channels k, upsampled to the input and scaled to 0…1. */
function classActivationMap(loaded: PredictionModel, input: tf.Tensor4D, layer: tf.layers.Layer, classIndex: number, classNames: readonly string[]): ClassActivationMap {
  const [height, width] = loaded.inputShape;
  let kind: 'logit' | 'probability' = 'probability';
  const heat = tf.tidy(() => {
    const activations = outputOf(runGraph(loaded.model, input), layer);
    const score = (convOutput: tf.Tensor): tf.Scalar => {
      const scores = classScores(loaded, runGraph(loaded.model, input, { layer, output: convOutput }));
      kind = scores.kind;
      return scores.scores.reshape([-1]).gather([classIndex]).sum() as tf.Scalar;
    };
    const gradients = tf.grad(score)(activations);
    const channelWeights = gradients.mean([0, 1, 2]);
    const map = tf.relu(activations.mul(channelWeights).sum(-1)).reshape([activations.shape[1] as number, activations.shape[2] as number, 1]) as tf.Tensor3D;
    const upsampled = tf.image.resizeBilinear(map, [height, width], true);
    const largest = upsampled.max();
    return upsampled.div(tf.maximum(largest, 1e-12)).mul(255).round().reshape([-1]);
  });
  const bytes = Uint8Array.from(heat.dataSync());
  heat.dispose();
  return { classIndex, className: classNames[classIndex], score: kind, layer: layer.name, heat: bytes, height, width };
}

/** A value range scaled to 0…255 (a constant range becomes mid-grey, not noise). */
function scaleInto(target: Uint8Array, offset: number, values: ArrayLike<number>, pick: (index: number) => number, length: number): void {
  let low = Infinity;
  let high = -Infinity;
  for (let index = 0; index < length; index++) {
    const value = values[pick(index)];
    if (value < low) low = value;
    if (value > high) high = value;
  }
  const span = high - low;
  for (let index = 0; index < length; index++) {
    target[offset + index] = span > 0 ? Math.round(((values[pick(index)] - low) / span) * 255) : 128;
  }
}

/** The first `maxMaps` channels of a convolution's output for the image, each scaled to 0…255 on its own. */
async function featureMapsOf(layer: tf.layers.Layer, output: tf.Tensor, maxMaps: number): Promise<FeatureMaps> {
  const [, height, width, channels] = output.shape as number[];
  const count = Math.min(channels, maxMaps);
  const values = await output.data();
  const size = height * width;
  const pixels = new Uint8Array(count * size);
  for (let map = 0; map < count; map++) scaleInto(pixels, map * size, values, (index) => index * channels + map, size);
  const outputShape = (layer.outputShape as (number | null)[]).slice();
  return { layer: layer.name, className: layer.getClassName(), outputShape, count, total: channels, height, width, channels: 1, pixels };
}

/**
 * The first convolution's kernels as images: one colour image per filter when it reads 3
 * channels, else one grey image per filter and input channel. Each filter is scaled to 0…255 as a
 * whole (its input channels together), so their relative strength shows.
 */
function filtersOf(layer: tf.layers.Layer, maxMaps: number): FilterImages {
  const kernel = layer.getWeights()[0];
  const [kernelHeight, kernelWidth, inputs, outputs] = kernel.shape as number[];
  const values = kernel.dataSync();
  const colour = layer.getClassName() === 'Conv2D' && inputs === 3;
  const size = kernelHeight * kernelWidth;
  const perFilter = colour ? 1 : inputs;
  const total = outputs * perFilter;
  const filters = Math.min(outputs, Math.max(1, Math.floor(maxMaps / perFilter)));
  const count = Math.min(total, filters * perFilter);
  const pixels = new Uint8Array(filters * perFilter * size * (colour ? 3 : 1));
  for (let filter = 0; filter < filters; filter++) {
    // Kernel layout [h, w, in, out]: position p, input channel c of filter f is at (p * inputs + c) * outputs + f.
    // A colour image stores (p, c) as p * 3 + c; a grey image per input channel stores c * size + p.
    const at = colour ? (index: number) => index * outputs + filter : (index: number) => ((index % size) * inputs + Math.floor(index / size)) * outputs + filter;
    scaleInto(pixels, filter * perFilter * size * (colour ? 3 : 1), values, at, size * inputs);
  }
  return { layer: layer.name, colour, inputChannels: inputs, count, total, height: kernelHeight, width: kernelWidth, channels: colour ? 3 : 1, pixels: pixels.subarray(0, count * size * (colour ? 3 : 1)) };
}


const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** The result as the Inside channel carries it (src/channels/inside.ts): pixels as base64. */
export function toInsideView(result: InsideResult): InsideView {
  const grid = <G extends ImageGrid>({ pixels, ...rest }: G): Omit<G, 'pixels'> & { pixels: string } => ({ ...rest, pixels: base64(pixels) });
  return {
    source: result.source,
    image: { ...result.image, pixels: base64(result.image.pixels) },
    classNames: result.classNames,
    predictedClass: result.predictedClass,
    top: result.top,
    ...(result.filters ? { filters: grid(result.filters) } : {}),
    featureMaps: result.featureMaps.map(grid),
    gradcam: result.gradcam.map(({ heat, ...rest }) => ({ ...rest, heat: base64(heat) })),
    notes: result.notes,
  };
}
