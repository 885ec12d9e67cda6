// The arguments of keras.applications' constructors in a model file's vocabulary (camelCase:
// includeTop, inputShape, classifierActivation…), checked as Keras checks them (weights,
// classes, imagenet_utils.obtain_input_shape, validate_activation, MobileNetV2's alpha), with
// Keras's messages, and resolved to what the architecture is built from.

import { nearestName } from '../catalog';
import { describeValue, expectedForValue } from '../options';
import type { Dim } from '../types';
import { activationNamed } from '../vocabulary';
import type { GraphBuilder } from './graph';

export type ApplicationName = 'VGG16' | 'VGG19' | 'ResNet50' | 'MobileNetV2';

export interface ResolvedApplicationOptions {
  /** The Keras model's name (`vgg16`, `mobilenetv2_1.00_224`), or the name the file gives. */
  name: string;
  includeTop: boolean;
  /** null, "imagenet" or a path as written. */
  weights: string | null;
  /** The per-example input shape after obtain_input_shape, e.g. [224, 224, 3] or [null, null, 3]. */
  inputShape: Dim[];
  pooling: 'avg' | 'max' | null;
  classes: number;
  classifierActivation: string | null;
  /** MobileNetV2's width multiplier (1 for the others). */
  alpha: number;
  /** MobileNetV2: the input size its ImageNet weights were trained at (Keras's `rows`, which names the model and the weights file). */
  rows: Dim;
}

export interface ApplicationProblem {
  severity: 'error' | 'warning';
  code: 'unknown-option' | 'bad-option-value';
  message: string;
  /** The option the problem is about (its value's range, or its key's for an unknown option). */
  option?: string;
  onKey?: boolean;
}

const COMMON = ['name', 'trainable', 'includeTop', 'weights', 'inputShape', 'pooling', 'classes', 'classifierActivation'];
/** Options each application accepts, in the order its Keras signature has them. */
export const APPLICATION_OPTIONS: Record<ApplicationName, string[]> = {
  VGG16: COMMON,
  VGG19: COMMON,
  ResNet50: COMMON,
  MobileNetV2: [...COMMON, 'alpha'],
};

/** Keras's default model names; MobileNetV2's depends on alpha and the input size. */
const DEFAULT_NAMES: Record<Exclude<ApplicationName, 'MobileNetV2'>, string> = { VGG16: 'vgg16', VGG19: 'vgg19', ResNet50: 'resnet50' };

/** MobileNetV2's ImageNet widths and sizes. */
export const MOBILENET_V2_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];
const MOBILENET_V2_SIZES = [96, 128, 160, 192, 224];

/** Python's `f"{value:0.2f}"`: JavaScript's toFixed, except that an exact tie rounds to even as Python's does. */
export function pythonFixed2(value: number): string {
  const scaled = value * 100;
  const floor = Math.floor(scaled);
  if (scaled - floor === 0.5 && Number.isInteger(value * 8)) return ((floor % 2 === 0 ? floor : floor + 1) / 100).toFixed(2);
  return value.toFixed(2);
}

/** Python's str() of a float: `1.0`, `0.35`. */
export const pythonFloat = (value: number): string => (Number.isInteger(value) ? value.toFixed(1) : String(value));

export function addPooling(graph: GraphBuilder, input: string, pooling: 'avg' | 'max' | null): string {
  if (pooling === 'avg') return graph.add('GlobalAveragePooling2D', 'global_average_pooling2d', {}, input);
  if (pooling === 'max') return graph.add('GlobalMaxPooling2D', 'global_max_pooling2d', {}, input);
  return input;
}

/**
 * Checks one application layer's options and resolves them; `options` undefined when an error
 * stops Keras from building the model. `config` holds the options as written (the layer name under `name`).
 */
export function resolveApplicationOptions(application: ApplicationName, config: Record<string, unknown>): { options?: ResolvedApplicationOptions; problems: ApplicationProblem[] } {
  const problems: ApplicationProblem[] = [];
  const accepted = APPLICATION_OPTIONS[application];
  const error = (message: string, option?: string): void => {
    problems.push({ severity: 'error', code: 'bad-option-value', message, ...(option ? { option } : {}) });
  };
  for (const key of Object.keys(config)) {
    if (accepted.includes(key)) continue;
    const suggestion = nearestName(key, accepted);
    problems.push({
      severity: 'error',
      code: 'unknown-option',
      message: `Unrecognized keyword argument passed to ${application}: '${key}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Accepted options: ${accepted.join(', ')}.`,
      option: key,
      onKey: true,
    });
  }
  const invalid = (key: string, expected: string): void => error(`Invalid value for \`${key}\` of ${application}: expected ${expected}. Received: ${key}=${describeValue(config[key])}.`, key);
  const has = (key: string): boolean => Object.hasOwn(config, key) && config[key] !== undefined;

  const includeTop = has('includeTop') ? config.includeTop : true;
  if (typeof includeTop !== 'boolean') invalid('includeTop', 'true or false');
  const weights = has('weights') ? config.weights : 'imagenet';
  const weightsValid = weights === null || weights === 'imagenet' || (typeof weights === 'string' && /\.(h5|hdf5|keras)$/i.test(weights));
  if (!weightsValid) {
    error(
      `The \`weights\` argument should be either \`null\` (random initialization), "imagenet" (pre-training on ImageNet), or the path to the weights file to be loaded (.h5, .weights.h5 or .keras). Received: weights=${describeValue(weights)}.`,
      'weights',
    );
  }
  const classes = has('classes') ? config.classes : 1000;
  if (expectedForValue('positiveInt', classes)) invalid('classes', 'a positive integer');
  const pooling = has('pooling') ? config.pooling : null;
  if (pooling !== null && pooling !== 'avg' && pooling !== 'max') invalid('pooling', '"avg", "max" or null');
  const classifierActivation = has('classifierActivation') ? config.classifierActivation : 'softmax';
  if (classifierActivation !== null && (typeof classifierActivation !== 'string' || activationNamed(classifierActivation) === undefined)) {
    invalid('classifierActivation', 'an activation name (e.g. "softmax") or null for the logits');
  }
  const alpha = application === 'MobileNetV2' && has('alpha') ? config.alpha : 1.0;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0) invalid('alpha', 'a positive number (the width multiplier, e.g. 0.35 or 1.0)');
  const written = has('inputShape') ? config.inputShape : null;
  if (written !== null && expectedForValue('shape', written)) invalid('inputShape', 'a list of positive integers (null for an unknown size), e.g. [224, 224, 3]');
  if (has('name') && (typeof config.name !== 'string' || config.name.length === 0)) invalid('name', 'a non-empty string');
  if (has('trainable') && typeof config.trainable !== 'boolean') invalid('trainable', 'true or false');
  if (problems.some((problem) => problem.severity === 'error')) return { problems };

  const top = includeTop as boolean;
  const imagenet = weights === 'imagenet';
  if (imagenet && top && classes !== 1000) {
    error(`If using \`weights: "imagenet"\` with \`includeTop: true\`, \`classes\` should be 1000. Received: classes=${describeValue(classes)}.`, 'classes');
  }
  if (top && weights !== null) {
    const activation = classifierActivation === null ? 'linear' : activationNamed(classifierActivation as string);
    if (activation !== 'softmax' && activation !== 'linear') {
      error(
        `Only \`null\` and "softmax" activations are allowed for the \`classifierActivation\` argument when using pretrained weights, with \`includeTop: true\`. Received: classifierActivation=${describeValue(classifierActivation)}.`,
        'classifierActivation',
      );
    }
  }
  if (top && has('pooling') && pooling !== null) {
    problems.push({ severity: 'warning', code: 'bad-option-value', message: `\`pooling\` is ignored when \`includeTop\` is true: Keras pools only a model without its top (which ends in its own ${application.startsWith('VGG') ? 'Flatten' : 'GlobalAveragePooling2D'}). Received: pooling=${describeValue(pooling)}.`, option: 'pooling' });
  }
  if (application === 'MobileNetV2' && imagenet && !MOBILENET_V2_ALPHAS.includes(alpha as number)) {
    error(`If imagenet weights are being loaded, alpha must be one of \`0.35\`, \`0.50\`, \`0.75\`, \`1.0\`, \`1.3\` or \`1.4\` only. Received: alpha=${describeValue(alpha)}.`, 'alpha');
  }

  // imagenet_utils.obtain_input_shape (channels last). MobileNetV2 takes a square input of one of
  // its ImageNet sizes as its default size.
  const given = written as Dim[] | null;
  let defaultSize = 224;
  if (application === 'MobileNetV2' && given && given.length === 3 && given[0] === given[1] && typeof given[0] === 'number' && MOBILENET_V2_SIZES.includes(given[0])) defaultSize = given[0];
  const defaultShape: Dim[] = !imagenet && given && given.length === 3 ? [defaultSize, defaultSize, given[2]] : [defaultSize, defaultSize, 3];
  let inputShape: Dim[];
  if (imagenet && top) {
    if (given && (given.length !== 3 || given.some((dim, axis) => dim !== defaultShape[axis]))) {
      error(`When setting \`includeTop: true\` and loading "imagenet" weights, \`inputShape\` should be ${describeValue(defaultShape)}. Received: inputShape=${describeValue(given)}.`, 'inputShape');
    }
    inputShape = defaultShape;
  } else if (given) {
    if (given.length !== 3) error(`\`inputShape\` must be a list of three integers (height, width, channels). Received: inputShape=${describeValue(given)}.`, 'inputShape');
    else if (given[2] !== 3 && imagenet) error(`The input must have 3 channels. Received: inputShape=${describeValue(given)}.`, 'inputShape');
    else if ((given[0] !== null && given[0] < 32) || (given[1] !== null && given[1] < 32)) error(`Input size must be at least 32x32. Received: inputShape=${describeValue(given)}.`, 'inputShape');
    else if (!imagenet && given[2] !== 1 && given[2] !== 3) {
      problems.push({ severity: 'warning', code: 'bad-option-value', message: `This model usually expects 1 or 3 input channels. However, it was passed an inputShape with ${String(given[2])} input channels. Received: inputShape=${describeValue(given)}.`, option: 'inputShape' });
    }
    inputShape = given;
  } else {
    inputShape = top ? defaultShape : [null, null, 3];
  }
  if (top && inputShape.includes(null)) {
    error(`If \`includeTop\` is true, you should specify a static \`inputShape\`. Received: inputShape=${describeValue(inputShape)}.`, 'inputShape');
  }
  if (problems.some((problem) => problem.severity === 'error')) return { problems };

  let rows: Dim = inputShape[0];
  if (application === 'MobileNetV2' && imagenet && (inputShape[0] !== inputShape[1] || rows === null || !MOBILENET_V2_SIZES.includes(rows))) {
    problems.push({
      severity: 'warning',
      code: 'bad-option-value',
      message: `\`inputShape\` is undefined or non-square, or its size is not in [96, 128, 160, 192, 224]: the weights for input shape (224, 224) will be loaded, as Keras does. Received: inputShape=${describeValue(written)}.`,
      ...(has('inputShape') ? { option: 'inputShape' } : {}),
    });
    rows = 224;
  }
  const name =
    typeof config.name === 'string' ? config.name : application === 'MobileNetV2' ? `mobilenetv2_${pythonFixed2(alpha as number)}_${rows === null ? 'None' : rows}` : DEFAULT_NAMES[application];
  return {
    options: { name, includeTop: top, weights: weights as string | null, inputShape, pooling: pooling as 'avg' | 'max' | null, classes: classes as number, classifierActivation: classifierActivation as string | null, alpha: alpha as number, rows },
    problems,
  };
}
