// The layer kinds CNN Lab understands, their option names (tf.layers args, camelCase) and
// defaults (Keras's, which tfjs shares). Completions, the JSON Schema and option checking all
// read this one table, so they cannot disagree.

import type { LayerSpec, ModelFormat } from './types';

export type OptionKind =
  | 'positiveInt'
  | 'positiveIntOrPair'
  | 'padding'
  | 'activation'
  | 'boolean'
  | 'rate'
  | 'number'
  | 'positiveNumber'
  | 'nullablePositiveNumber'
  | 'shape'
  | 'batchShape'
  | 'targetShape'
  | 'axis'
  | 'axes'
  | 'nullableAxes'
  | 'nullableNonNegativeIntOrPair'
  | 'nullableNumbers'
  | 'dataFormat'
  | 'paddingAmounts'
  | 'interpolation'
  | 'string'
  | 'initializer'
  | 'nullableObject'
  | 'inputNames';

export interface OptionSpec {
  kind: OptionKind;
  /** Keras's default; `undefined` only for required options. */
  default: unknown;
  required?: boolean;
  description: string;
  /**
   * `false` for a Keras option the tfjs layer lacks (Conv2DTranspose's `outputPadding`): model JSON
   * and Keras JSON accept it, a `.model.ts` file does not (tfjs would ignore it), and the trainer
   * refuses any value but the default.
   */
  tfjs?: false;
}

export interface LayerKind {
  /** Keras class name, also the `type` in our JSON. */
  className: string;
  /**
   * The `tf.layers` factory that builds it, e.g. `conv2d`; absent when tfjs has none
   * (SpatialDropout2D: CNN Lab's trainer supplies that layer, so only model JSON and Keras JSON
   * can use it; in a `.model.ts` file `tf.layers.spatialDropout2d` is not a function).
   */
  factory?: string;
  /** Other `tf.layers` functions tfjs exports for the same layer (`avgPool2d` for `averagePooling2d`). */
  factoryAliases: string[];
  /** Other class names Keras and tfjs accept for the same layer. */
  aliases: string[];
  description: string;
  options: Record<string, OptionSpec>;
}


const option = (kind: OptionKind, defaultValue: unknown, description: string): OptionSpec => ({ kind, default: defaultValue, description });
const required = (kind: OptionKind, description: string): OptionSpec => ({ kind, default: undefined, required: true, description });
/** A Keras option the tfjs layer has no argument for (see OptionSpec.tfjs). */
const kerasOnly = (kind: OptionKind, defaultValue: unknown, description: string): OptionSpec => ({ kind, default: defaultValue, description, tfjs: false });

/** Options every layer accepts. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  name: option('string', null, 'Layer name, unique in the model (generated Keras-style when absent).'),
  inputShape: option('shape', null, 'Shape of one example without the batch axis, e.g. [28, 28, 1]; on the first layer only.'),
  batchInputShape: option('batchShape', null, 'Shape including the batch axis (null for any batch size).'),
  batchSize: option('positiveInt', null, 'Fixed batch size to go with inputShape.'),
  dtype: option('string', 'float32', 'Data type of the layer.'),
  trainable: option('boolean', true, 'Whether the weights are updated by training.'),
  inputs: option('inputNames', null, 'Functional models: names of the layers feeding this one.'),
};

const activationOption = option('activation', 'linear', 'Activation applied to the output.');
const dataFormatOption = option('dataFormat', 'channelsLast', 'Axis order; CNN Lab supports channelsLast (height, width, channels) only.');
const weightOptions: Record<string, OptionSpec> = {
  useBias: option('boolean', true, 'Whether the layer adds a bias vector.'),
  kernelInitializer: option('initializer', 'glorotUniform', 'Initializer of the kernel weights.'),
  biasInitializer: option('initializer', 'zeros', 'Initializer of the bias.'),
  kernelRegularizer: option('nullableObject', null, 'Regularizer of the kernel weights.'),
  biasRegularizer: option('nullableObject', null, 'Regularizer of the bias.'),
  activityRegularizer: option('nullableObject', null, 'Regularizer of the output.'),
  kernelConstraint: option('nullableObject', null, 'Constraint on the kernel weights.'),
  biasConstraint: option('nullableObject', null, 'Constraint on the bias.'),
};
const convOptions: Record<string, OptionSpec> = {
  kernelSize: required('positiveIntOrPair', 'Height and width of the convolution window: n or [height, width].'),
  strides: option('positiveIntOrPair', 1, 'Step of the window: n or [height, width].'),
  padding: option('padding', 'valid', '"valid" (no padding) or "same" (output size = ⌈input / stride⌉).'),
  dataFormat: dataFormatOption,
  dilationRate: option('positiveIntOrPair', 1, 'Dilation of the window: n or [height, width].'),
  activation: activationOption,
  ...weightOptions,
};
const poolingOptions: Record<string, OptionSpec> = {
  poolSize: option('positiveIntOrPair', 2, 'Window size: n or [height, width].'),
  strides: option('positiveIntOrPair', null, 'Step of the window; defaults to poolSize.'),
  padding: option('padding', 'valid', '"valid" or "same".'),
  dataFormat: dataFormatOption,
};
const globalPoolingOptions: Record<string, OptionSpec> = {
  dataFormat: dataFormatOption,
  keepdims: kerasOnly('boolean', false, "Keep the spatial axes with size 1 (Keras only: tfjs's global poolings have no keepdims; CNN Lab's trainer supplies it)."),
};
const normalizationInitializers: Record<string, OptionSpec> = {
  betaInitializer: option('initializer', 'zeros', 'Initializer of beta.'),
  gammaInitializer: option('initializer', 'ones', 'Initializer of gamma.'),
  betaRegularizer: option('nullableObject', null, 'Regularizer of beta.'),
  gammaRegularizer: option('nullableObject', null, 'Regularizer of gamma.'),
  betaConstraint: option('nullableObject', null, 'Constraint on beta.'),
  gammaConstraint: option('nullableObject', null, 'Constraint on gamma.'),
};

const kind = (
  className: string,
  factory: string | undefined,
  description: string,
  options: Record<string, OptionSpec>,
  aliases: string[] = [],
  factoryAliases: string[] = [],
): LayerKind => ({
  className,
  ...(factory === undefined ? {} : { factory }),
  factoryAliases,
  aliases,
  description,
  options,
});

export const LAYER_CATALOG: readonly LayerKind[] = [
  kind('InputLayer', 'inputLayer', 'Declares the model input.', {}, ['Input']),
  kind('Conv2D', 'conv2d', '2-D convolution.', {
    filters: required('positiveInt', 'Number of output channels.'),
    ...convOptions,
    groups: kerasOnly('positiveInt', 1, 'Splits the channels into this many groups, each convolved with filters / groups filters (Keras only; tfjs has no groups).'),
  }, ['Convolution2D']),
  kind('DepthwiseConv2D', 'depthwiseConv2d', 'Depthwise 2-D convolution: one filter set per input channel.', {
    ...convOptions,
    depthMultiplier: option('positiveInt', 1, 'Output channels per input channel.'),
    depthwiseInitializer: option('initializer', 'glorotUniform', 'Initializer of the depthwise kernel.'),
    depthwiseRegularizer: option('nullableObject', null, 'Regularizer of the depthwise kernel.'),
    depthwiseConstraint: option('nullableObject', null, 'Constraint on the depthwise kernel.'),
  }),
  kind('SeparableConv2D', 'separableConv2d', 'Depthwise convolution followed by a 1×1 pointwise convolution.', {
    filters: required('positiveInt', 'Number of output channels.'),
    ...convOptions,
    depthMultiplier: option('positiveInt', 1, 'Depthwise output channels per input channel.'),
    depthwiseInitializer: option('initializer', 'glorotUniform', 'Initializer of the depthwise kernel.'),
    pointwiseInitializer: option('initializer', 'glorotUniform', 'Initializer of the pointwise kernel.'),
    depthwiseRegularizer: option('nullableObject', null, 'Regularizer of the depthwise kernel.'),
    pointwiseRegularizer: option('nullableObject', null, 'Regularizer of the pointwise kernel.'),
    depthwiseConstraint: option('nullableObject', null, 'Constraint on the depthwise kernel.'),
    pointwiseConstraint: option('nullableObject', null, 'Constraint on the pointwise kernel.'),
  }, ['SeparableConvolution2D']),
  kind('Conv2DTranspose', 'conv2dTranspose', 'Transposed 2-D convolution (upsampling).', {
    filters: required('positiveInt', 'Number of output channels.'),
    ...convOptions,
    outputPadding: kerasOnly(
      'nullableNonNegativeIntOrPair',
      null,
      'Extra rows and columns added to the bottom and right of the output, each less than the stride: n or [height, width] (Keras only; tfjs has no outputPadding).',
    ),
  }, ['Convolution2DTranspose']),
  // The factory aliases are exactly those tfjs 4.22 exports (test/model/tfjs-factories.test.ts
  // checks them against tf.layers): it has no `globalAvgPool2d`, though Keras has GlobalAvgPool2D.
  kind('MaxPooling2D', 'maxPooling2d', 'Maximum over each window.', poolingOptions, ['MaxPool2D'], ['maxPool2d']),
  kind('AveragePooling2D', 'averagePooling2d', 'Mean over each window.', poolingOptions, ['AvgPool2D'], ['avgPool2d', 'avgPooling2d']),
  kind('GlobalAveragePooling2D', 'globalAveragePooling2d', 'Mean over height and width.', globalPoolingOptions, ['GlobalAvgPool2D']),
  kind('GlobalMaxPooling2D', 'globalMaxPooling2d', 'Maximum over height and width.', globalPoolingOptions, ['GlobalMaxPool2D'], ['globalMaxPool2d']),
  kind('ZeroPadding2D', 'zeroPadding2d', 'Adds rows and columns of zeros around the image.', {
    padding: option('paddingAmounts', 1, 'n, [rows, columns] or [[top, bottom], [left, right]].'),
    dataFormat: dataFormatOption,
  }),
  kind('Cropping2D', 'cropping2D', 'Removes rows and columns at the edges of the image.', {
    cropping: option('paddingAmounts', 0, 'n, [rows, columns] or [[top, bottom], [left, right]].'),
    dataFormat: dataFormatOption,
  }),
  kind('Dropout', 'dropout', 'Sets a fraction of the inputs to zero during training.', {
    rate: required('rate', 'Fraction of the inputs to drop, in [0, 1).'),
    noiseShape: option('batchShape', null, 'Shape of the dropout mask.'),
    seed: option('number', null, 'Random seed.'),
  }),
  kind('SpatialDropout2D', undefined, 'Drops whole channels during training.', {
    rate: required('rate', 'Fraction of the channels to drop, in [0, 1).'),
    dataFormat: dataFormatOption,
    seed: option('number', null, 'Random seed.'),
  }),
  kind('Flatten', 'flatten', 'Flattens each example to one axis.', { dataFormat: dataFormatOption }),
  kind('Reshape', 'reshape', 'Gives each example a new shape with the same number of values.', {
    targetShape: required('targetShape', 'New shape without the batch axis; one axis may be -1.'),
  }),
  kind('Dense', 'dense', 'Fully connected layer on the last axis.', {
    units: required('positiveInt', 'Number of outputs.'),
    activation: activationOption,
    ...weightOptions,
  }),
  kind('BatchNormalization', 'batchNormalization', 'Normalizes each channel over the batch.', {
    axis: option('axis', -1, 'Axis normalized (the channel axis).'),
    momentum: option('number', 0.99, 'Momentum of the moving averages.'),
    epsilon: option('positiveNumber', 0.001, 'Added to the variance for stability.'),
    center: option('boolean', true, 'Learn an offset beta.'),
    scale: option('boolean', true, 'Learn a scale gamma.'),
    movingMeanInitializer: option('initializer', 'zeros', 'Initializer of the moving mean.'),
    movingVarianceInitializer: option('initializer', 'ones', 'Initializer of the moving variance.'),
    renorm: kerasOnly('boolean', false, 'Batch renormalization: adds a moving stddev, renorm mean and renorm stddev, non-trainable (Keras only).'),
    ...normalizationInitializers,
  }),
  kind('LayerNormalization', 'layerNormalization', 'Normalizes each example over its last axis (or the axes listed).', {
    axis: option('axes', -1, 'Axis or list of axes normalized; gamma and beta have one value per position on them.'),
    epsilon: option('positiveNumber', 0.001, 'Added to the variance for stability.'),
    center: option('boolean', true, 'Learn an offset beta.'),
    scale: option('boolean', true, 'Learn a scale gamma.'),
    rmsScaling: kerasOnly('boolean', false, 'Deprecated in Keras: scale by the variance with gamma only, no beta (Keras only).'),
    ...normalizationInitializers,
  }),
  kind('Activation', 'activation', 'Applies an activation function.', { activation: { ...activationOption, required: true, default: undefined } }),
  kind('ReLU', 'reLU', 'Rectified linear unit.', {
    maxValue: option('nullablePositiveNumber', null, 'Upper bound of the output.'),
  }),
  kind('LeakyReLU', 'leakyReLU', 'Leaky rectified linear unit.', { alpha: option('number', 0.3, 'Slope for negative inputs.') }),
  kind('Softmax', 'softmax', 'Softmax over an axis.', { axis: option('axis', -1, 'Axis of the softmax.') }),
  kind('Rescaling', 'rescaling', 'Multiplies by scale and adds offset, e.g. scale 1/255.', {
    scale: required('number', 'Factor, e.g. 0.00392156862745098 (1/255).'),
    offset: option('number', 0, 'Added after scaling.'),
  }),
  // Keras's preprocessing Normalization (keras.applications' EfficientNet and ConvNeXt start with
  // it); tfjs has none, so CNN Lab's trainer supplies it (src/trainer/buildModel.ts).
  kind('Normalization', undefined, 'Shifts and scales each input by a fixed mean and variance: (x − mean) / √variance.', {
    axis: option('nullableAxes', -1, 'Axis or axes with a mean and variance per position; null for one of each for the whole input.'),
    mean: option('nullableNumbers', null, 'Mean per position of the kept axes (or one number); null: weights that Keras learns with adapt().'),
    variance: option('nullableNumbers', null, 'Variance per position of the kept axes (or one number); given together with mean.'),
    invert: option('boolean', false, 'Apply the inverse: x · √variance + mean.'),
  }),
  // Elementwise merges broadcast as Keras does: (N, H, W, C) and (N, 1, 1, C) give (N, H, W, C).
  kind('Add', 'add', 'Sums its inputs elementwise (shapes broadcast).', {}),
  kind('Subtract', undefined, 'Subtracts its second input from its first (shapes broadcast).', {}),
  kind('Multiply', 'multiply', 'Multiplies its inputs elementwise (shapes broadcast).', {}),
  kind('Average', 'average', 'Averages its inputs elementwise (shapes broadcast).', {}),
  kind('Maximum', 'maximum', 'Elementwise maximum of its inputs (shapes broadcast).', {}),
  kind('Minimum', 'minimum', 'Elementwise minimum of its inputs (shapes broadcast).', {}),
  kind('Concatenate', 'concatenate', 'Joins inputs along an axis.', { axis: option('axis', -1, 'Axis to join along.') }),
  kind('UpSampling2D', 'upSampling2d', 'Repeats rows and columns.', {
    size: option('positiveIntOrPair', 2, 'Factor: n or [rows, columns].'),
    dataFormat: dataFormatOption,
    interpolation: option('interpolation', 'nearest', '"nearest" or "bilinear".'),
  }),
];

const byName = new Map<string, LayerKind>();
for (const layerKind of LAYER_CATALOG) {
  for (const spelling of [layerKind.className, ...layerKind.aliases]) byName.set(spelling, layerKind);
}
/** Every `tf.layers` function tfjs exports for a catalogued kind, and nothing else. */
const byFactory = new Map<string, LayerKind>();
for (const layerKind of LAYER_CATALOG) {
  for (const factory of [...(layerKind.factory === undefined ? [] : [layerKind.factory]), ...layerKind.factoryAliases]) byFactory.set(factory, layerKind);
}

export function layerKindByClassName(className: string): LayerKind | undefined {
  return byName.get(className);
}

export function layerKindByFactory(factory: string): LayerKind | undefined {
  return byFactory.get(factory);
}

/** The kind whose class name or alias this is, ignoring case (`globalAvgPool2d` → GlobalAveragePooling2D), for suggestions. */
export function layerKindLike(name: string): LayerKind | undefined {
  const lower = name.toLowerCase();
  for (const [spelling, layerKind] of byName) if (spelling.toLowerCase() === lower) return layerKind;
  return undefined;
}

/**
 * tfjs's Dense layer also takes `inputDim: n` for `inputShape: [n]`, and ignores it when an input
 * shape is given; no other catalogued layer reads it. The `.model.ts` front ends rewrite it here
 * (moving its source ranges along), so every later stage sees one spelling. Returns what is wrong
 * with a value tfjs would refuse, Keras-style.
 */
export function rewriteInputDim(layer: LayerSpec): string | undefined {
  if (layer.className !== 'Dense' || !Object.hasOwn(layer.config, 'inputDim')) return undefined;
  const { inputDim, ...config } = layer.config;
  const range = layer.optionRanges?.inputDim;
  const keyRange = layer.optionKeyRanges?.inputDim;
  delete layer.optionRanges?.inputDim;
  delete layer.optionKeyRanges?.inputDim;
  layer.config = config;
  if (!(typeof inputDim === 'number' && Number.isInteger(inputDim) && inputDim > 0)) {
    return `Invalid value for \`inputDim\` of Dense "${layer.name}": expected a positive integer, the size of each example (tfjs reads it as inputShape [inputDim]). Received: inputDim=${JSON.stringify(inputDim) ?? String(inputDim)}.`;
  }
  if (config.inputShape != null || config.batchInputShape != null) return undefined;
  config.inputShape = [inputDim];
  if (range && layer.optionRanges) layer.optionRanges.inputShape = range;
  if (keyRange && layer.optionKeyRanges) layer.optionKeyRanges.inputShape = keyRange;
  return undefined;
}

/**
 * All options a layer kind accepts: its own and the common ones. In a `.model.ts` file (`format`
 * "typescript"), only those the tfjs layer has: not the Keras-only ones (OptionSpec.tfjs).
 */
export function optionsOf(layerKind: LayerKind, format?: ModelFormat): Record<string, OptionSpec> {
  const cache = format === 'typescript' ? tfjsOptions : acceptedOptions;
  let options = cache.get(layerKind);
  if (!options) {
    const all: Record<string, OptionSpec> = { ...COMMON_OPTIONS, ...layerKind.options };
    options = format === 'typescript' ? Object.fromEntries(Object.entries(all).filter(([, spec]) => spec.tfjs !== false)) : all;
    cache.set(layerKind, options);
  }
  return options;
}
const acceptedOptions = new Map<LayerKind, Record<string, OptionSpec>>();
const tfjsOptions = new Map<LayerKind, Record<string, OptionSpec>>();

/** The Keras-only options of a layer kind (OptionSpec.tfjs), which tfjs's layer lacks. */
export function kerasOnlyOptions(layerKind: LayerKind): string[] {
  return Object.entries(layerKind.options).filter(([, spec]) => spec.tfjs === false).map(([name]) => name);
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length];
}

/** The closest candidate, compared case-insensitively, when it is close enough to be a likely typo. */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(2, Math.floor(name.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

/** Every class-name spelling, for suggestions. */
export function allClassNames(): string[] {
  return [...byName.keys()];
}

/** Every factory spelling, for suggestions in TypeScript. */
export function allFactoryNames(): string[] {
  return [...byFactory.keys()];
}

/** Keras's `to_snake_case`, used for generated layer names: `MaxPooling2D` → `max_pooling2d`. */
export function kerasSnakeCase(className: string): string {
  return className
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Generates unique Keras-style layer names (`conv2d`, `conv2d_1`, …) in declaration order. */
export class LayerNamer {
  private readonly counts = new Map<string, number>();
  private readonly taken = new Set<string>();

  /** Records a name the user wrote so generated names avoid it. */
  reserve(name: string): void {
    this.taken.add(name);
  }

  next(className: string): string {
    const base = className === 'InputLayer' ? 'input' : kerasSnakeCase(className);
    for (;;) {
      const count = this.counts.get(base) ?? 0;
      this.counts.set(base, count + 1);
      const candidate = count === 0 && base !== 'input' ? base : `${base}_${base === 'input' ? count + 1 : count}`;
      if (!this.taken.has(candidate)) {
        this.taken.add(candidate);
        return candidate;
      }
    }
  }
}
