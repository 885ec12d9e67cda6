// One rule per layer kind: output shape, trainable and non-trainable params, FLOPs and the
// arithmetic in the user's numbers. Every convolution and pooling computes its spatial size
// through `convOutputLength` (src/model/shape.ts). Tensors are channels-last:
// (batch, height, width, channels).
//
// FLOPs are for one example: a multiply-add counts 2, a bias add, comparison or elementwise
// operation counts 1; activation functions are not counted.

import { amountsOf, axesOf, numbersOf, pairOf } from './options';
import { convOutputLength, formatShape, formatTuple, knownProduct, mergeShapes, transposedConvOutputLength, type AxisLength, type Padding } from './shape';
import type { DiagnosticCode, DiagnosticSeverity, Dim, Shape } from './types';

/** A quick fix the summarizer can turn into source edits for the front end's syntax. */
export type ProblemFix = { kind: 'add-channel-axis' };

export interface LayerProblem {
  code: DiagnosticCode;
  message: string;
  /** The option to blame, whose value range the diagnostic covers. */
  option?: string;
  severity?: DiagnosticSeverity;
  fix?: ProblemFix;
}

export interface LayerResult {
  outputShape: Shape;
  trainableParams: number;
  nonTrainableParams: number;
  flops: number;
  explanation: string[];
}

export type RuleOutcome = { ok: true; result: LayerResult } | { ok: false; problem: LayerProblem };

export interface RuleInput {
  layerName: string;
  className: string;
  /** Options with defaults filled in, already checked against the catalog. */
  options: Record<string, unknown>;
  inputs: Shape[];
}

type Rule = (input: RuleInput) => RuleOutcome;

const ok = (result: LayerResult): RuleOutcome => ({ ok: true, result });
const fail = (problem: LayerProblem): RuleOutcome => ({ ok: false, problem });
const dimText = (dim: Dim): string => (dim === null ? 'None' : String(dim));
const size = (shape: Shape): number => knownProduct(shape.slice(1)) ?? 0;

function rankProblem(input: RuleInput, expectedRank: number, hint: string): LayerProblem {
  const shape = input.inputs[0];
  const fix: ProblemFix | undefined = expectedRank === 4 && shape.length === 3 ? { kind: 'add-channel-axis' } : undefined;
  return {
    code: 'wrong-rank',
    message:
      `Input 0 of layer "${input.layerName}" is incompatible with the layer: expected ndim=${expectedRank}, found ndim=${shape.length}. ` +
      `Full shape received: ${formatShape(shape)}. ${hint}`,
    fix,
  };
}

const imageHint = (className: string, shape: Shape): string =>
  shape.length === 3
    ? `${className} needs (batch, height, width, channels): add a channel axis to the input shape, e.g. [${shape.slice(1).map(dimText).join(', ')}, 1].`
    : `${className} needs (batch, height, width, channels); use a Reshape layer to restore height, width and channels before it.`;

function requireImage(input: RuleInput): LayerProblem | undefined {
  const shape = input.inputs[0];
  return shape.length === 4 ? undefined : rankProblem(input, 4, imageHint(input.className, shape));
}

interface WindowSpec {
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: Padding;
  /** The option blamed when the window does not fit: `kernelSize` or `poolSize`. */
  windowOption: string;
  transposed?: boolean;
  /** Conv2DTranspose's outputPadding per axis, null when not given. */
  outputPadding?: [number, number] | null;
}

/** Spatial output size of a windowed layer, or the non-positive-dimension problem with its arithmetic. */
function windowOutput(input: RuleInput, window: WindowSpec): { height: AxisLength; width: AxisLength } | LayerProblem {
  const shape = input.inputs[0];
  const axisLength = (axis: 0 | 1): AxisLength =>
    window.transposed
      ? transposedConvOutputLength(shape[axis + 1], window.kernel[axis], window.strides[axis], window.padding, window.dilation[axis], window.outputPadding?.[axis] ?? null)
      : convOutputLength(shape[axis + 1], window.kernel[axis], window.strides[axis], window.padding, window.dilation[axis]);
  const height = axisLength(0);
  const width = axisLength(1);
  for (const [axis, length] of [['height', height], ['width', width]] as const) {
    if (length.length !== null && length.length <= 0) {
      const dilation = window.dilation[0] !== 1 || window.dilation[1] !== 1 ? `, dilationRate=${formatTuple(window.dilation)}` : '';
      const outputPadding = window.outputPadding ? `, outputPadding=${formatTuple(window.outputPadding)}` : '';
      return {
        code: 'non-positive-dimension',
        option: window.windowOption,
        message:
          `Computed output size would be ${length.length === 0 ? 'zero' : 'negative'} on the ${axis} axis: ${length.arithmetic}. ` +
          `Received: input shape=${formatShape(shape)}, ${window.windowOption}=${formatTuple(window.kernel)}, strides=${formatTuple(window.strides)}, ` +
          `padding="${window.padding}"${dilation}${outputPadding}. The input is smaller than the window: use a smaller ${window.windowOption}, padding "same", or fewer downsampling layers before this one.`,
      };
    }
  }
  return { height, width };
}

function axisLines(height: AxisLength, width: AxisLength): string[] {
  const lines: string[] = [];
  if (height.arithmetic) lines.push(`height: ${height.arithmetic}`);
  if (width.arithmetic) lines.push(`width: ${width.arithmetic}`);
  return lines;
}

function convWindow(options: Record<string, unknown>, transposed = false): WindowSpec {
  return {
    kernel: pairOf(options.kernelSize),
    strides: pairOf(options.strides),
    dilation: pairOf(options.dilationRate),
    padding: options.padding as Padding,
    windowOption: 'kernelSize',
    transposed,
    outputPadding: transposed && options.outputPadding != null ? pairOf(options.outputPadding) : null,
  };
}

/**
 * What every Keras convolution refuses when it is made, before it sees an input
 * (keras/src/layers/convolutional/base_conv.py, base_conv_transpose.py, base_depthwise_conv.py,
 * base_separable_conv.py: `__init__`).
 */
function convolutionArgumentProblem(window: WindowSpec): LayerProblem | undefined {
  if (Math.max(...window.strides) > 1 && Math.max(...window.dilation) > 1) {
    return {
      code: 'bad-option-value',
      option: 'dilationRate',
      message:
        `\`strides > 1\` not supported in conjunction with \`dilation_rate > 1\`. Received: strides=${formatTuple(window.strides)} and dilation_rate=${formatTuple(window.dilation)}. ` +
        'Use strides 1 with a dilation, or dilationRate 1 with strides.',
    };
  }
  // tf-keras's Conv2DTranspose (keras/layers/convolutional/conv2d_transpose.py, `__init__`): an
  // output padding of a stride or more would add whole rows a smaller input would give.
  const outputPadding = window.outputPadding;
  if (outputPadding && outputPadding.some((amount, axis) => amount >= window.strides[axis])) {
    return {
      code: 'bad-option-value',
      option: 'outputPadding',
      message: `Strides must be greater than output padding. Received strides=${formatTuple(window.strides)}, output_padding=${formatTuple(outputPadding)}. Give each axis an outputPadding below its stride.`,
    };
  }
  return undefined;
}

const isProblem = (value: object): value is LayerProblem => 'code' in value;

/** What every convolution rule needs first: a rank-4 input with known channels, and its output grid. */
function convolutionInput(input: RuleInput, transposed = false) {
  const window = convWindow(input.options, transposed);
  const argumentProblem = convolutionArgumentProblem(window);
  if (argumentProblem) return argumentProblem;
  const rankError = requireImage(input);
  if (rankError) return rankError;
  const shape = input.inputs[0];
  const channels = shape[3];
  if (channels === null) return unknownChannels(input);
  const spatial = windowOutput(input, window);
  if (isProblem(spatial)) return spatial;
  return { shape, channels, window, spatial };
}

const conv2d: Rule = (input) => {
  const convolution = convolutionInput(input);
  if (isProblem(convolution)) return fail(convolution);
  const { shape, channels, window, spatial } = convolution;
  const filters = input.options.filters as number;
  const groups = (input.options.groups as number | undefined) ?? 1;
  // keras/src/layers/convolutional/base_conv.py: `__init__` and `build`.
  if (filters % groups !== 0) {
    return fail({
      code: 'bad-option-value',
      option: 'groups',
      message: `The number of filters must be evenly divisible by the number of groups. Received: groups=${groups}, filters=${filters}.`,
    });
  }
  if (channels % groups !== 0) {
    return fail({
      code: 'bad-option-value',
      option: 'groups',
      message: `The number of input channels must be evenly divisible by the number of groups. Received groups=${groups}, but the input has ${channels} channels (full input shape is ${formatShape(shape)}).`,
    });
  }
  const groupChannels = channels / groups;
  const bias = input.options.useBias === true;
  const [kh, kw] = window.kernel;
  const params = filters * kh * kw * groupChannels + (bias ? filters : 0);
  const positions = (spatial.height.length ?? 0) * (spatial.width.length ?? 0);
  const outputShape: Shape = [shape[0], spatial.height.length, spatial.width.length, filters];
  const channelsText = groups === 1 ? String(channels) : `(${channels} / ${groups})`;
  return ok({
    outputShape,
    trainableParams: params,
    nonTrainableParams: 0,
    flops: positions * filters * (2 * kh * kw * groupChannels + (bias ? 1 : 0)),
    explanation: [...axisLines(spatial.height, spatial.width), `params: ${filters} · ${kh} · ${kw} · ${channelsText}${bias ? ` + ${filters}` : ''} = ${params}`],
  });
};

function unknownChannels(input: RuleInput): LayerProblem {
  return {
    code: 'wrong-rank',
    message: `The channel dimension of the inputs to "${input.layerName}" should be defined. Found None. Full input shape received: ${formatShape(input.inputs[0])}.`,
  };
}

const depthwiseConv2d: Rule = (input) => {
  const convolution = convolutionInput(input);
  if (isProblem(convolution)) return fail(convolution);
  const { shape, channels, window, spatial } = convolution;
  const multiplier = input.options.depthMultiplier as number;
  const outChannels = channels * multiplier;
  const bias = input.options.useBias === true;
  const [kh, kw] = window.kernel;
  const params = kh * kw * channels * multiplier + (bias ? outChannels : 0);
  const positions = (spatial.height.length ?? 0) * (spatial.width.length ?? 0);
  return ok({
    outputShape: [shape[0], spatial.height.length, spatial.width.length, outChannels],
    trainableParams: params,
    nonTrainableParams: 0,
    flops: positions * outChannels * (2 * kh * kw + (bias ? 1 : 0)),
    explanation: [...axisLines(spatial.height, spatial.width), `params: ${kh} · ${kw} · ${channels} · ${multiplier}${bias ? ` + ${outChannels}` : ''} = ${params}`],
  });
};

const separableConv2d: Rule = (input) => {
  const convolution = convolutionInput(input);
  if (isProblem(convolution)) return fail(convolution);
  const { shape, channels, window, spatial } = convolution;
  const multiplier = input.options.depthMultiplier as number;
  const filters = input.options.filters as number;
  const bias = input.options.useBias === true;
  const [kh, kw] = window.kernel;
  const depthwise = kh * kw * channels * multiplier;
  const pointwise = channels * multiplier * filters;
  const params = depthwise + pointwise + (bias ? filters : 0);
  const positions = (spatial.height.length ?? 0) * (spatial.width.length ?? 0);
  return ok({
    outputShape: [shape[0], spatial.height.length, spatial.width.length, filters],
    trainableParams: params,
    nonTrainableParams: 0,
    flops: positions * (2 * depthwise + 2 * pointwise + (bias ? filters : 0)),
    explanation: [
      ...axisLines(spatial.height, spatial.width),
      `params: ${kh} · ${kw} · ${channels} · ${multiplier} + ${channels} · ${multiplier} · ${filters}${bias ? ` + ${filters}` : ''} = ${params}`,
    ],
  });
};

const conv2dTranspose: Rule = (input) => {
  const convolution = convolutionInput(input, true);
  if (isProblem(convolution)) return fail(convolution);
  const { shape, channels, window, spatial } = convolution;
  const filters = input.options.filters as number;
  const bias = input.options.useBias === true;
  const [kh, kw] = window.kernel;
  const params = kh * kw * filters * channels + (bias ? filters : 0);
  const inputPositions = (shape[1] ?? 0) * (shape[2] ?? 0);
  const outputPositions = (spatial.height.length ?? 0) * (spatial.width.length ?? 0);
  return ok({
    outputShape: [shape[0], spatial.height.length, spatial.width.length, filters],
    trainableParams: params,
    nonTrainableParams: 0,
    flops: inputPositions * 2 * kh * kw * channels * filters + (bias ? outputPositions * filters : 0),
    explanation: [...axisLines(spatial.height, spatial.width), `params: ${kh} · ${kw} · ${filters} · ${channels}${bias ? ` + ${filters}` : ''} = ${params}`],
  });
};

const pooling2d: Rule = (input) => {
  const rankError = requireImage(input);
  if (rankError) return fail(rankError);
  const shape = input.inputs[0];
  const poolSize = pairOf(input.options.poolSize);
  const strides = input.options.strides === null ? poolSize : pairOf(input.options.strides);
  const spatial = windowOutput(input, { kernel: poolSize, strides, dilation: [1, 1], padding: input.options.padding as Padding, windowOption: 'poolSize' });
  if (isProblem(spatial)) return fail(spatial);
  const outputShape: Shape = [shape[0], spatial.height.length, spatial.width.length, shape[3]];
  const stridesLine = input.options.strides === null ? [`strides default to poolSize: ${formatTuple(poolSize)}`] : [];
  return ok({
    outputShape,
    trainableParams: 0,
    nonTrainableParams: 0,
    flops: size(outputShape) * poolSize[0] * poolSize[1],
    explanation: [...stridesLine, ...axisLines(spatial.height, spatial.width)],
  });
};

const globalPooling2d: Rule = (input) => {
  const rankError = requireImage(input);
  if (rankError) return fail(rankError);
  const shape = input.inputs[0];
  const outputShape: Shape = input.options.keepdims === true ? [shape[0], 1, 1, shape[3]] : [shape[0], shape[3]];
  return ok({
    outputShape,
    trainableParams: 0,
    nonTrainableParams: 0,
    flops: size(shape),
    explanation: [`one value per channel over ${dimText(shape[1])} × ${dimText(shape[2])} positions`],
  });
};

const zeroPadding2d: Rule = (input) => {
  const rankError = requireImage(input);
  if (rankError) return fail(rankError);
  const shape = input.inputs[0];
  const [[top, bottom], [left, right]] = amountsOf(input.options.padding);
  const grow = (dim: Dim, before: number, after: number): Dim => (dim === null ? null : dim + before + after);
  const outputShape: Shape = [shape[0], grow(shape[1], top, bottom), grow(shape[2], left, right), shape[3]];
  return ok({
    outputShape,
    trainableParams: 0,
    nonTrainableParams: 0,
    flops: 0,
    explanation: [`height: ${dimText(shape[1])} + ${top} + ${bottom} = ${dimText(outputShape[1])}`, `width: ${dimText(shape[2])} + ${left} + ${right} = ${dimText(outputShape[2])}`],
  });
};

const cropping2d: Rule = (input) => {
  const rankError = requireImage(input);
  if (rankError) return fail(rankError);
  const shape = input.inputs[0];
  const [[top, bottom], [left, right]] = amountsOf(input.options.cropping);
  const shrink = (dim: Dim, before: number, after: number): Dim => (dim === null ? null : dim - before - after);
  const height = shrink(shape[1], top, bottom);
  const width = shrink(shape[2], left, right);
  for (const [axis, dim, before, after, original] of [['height', height, top, bottom, shape[1]], ['width', width, left, right, shape[2]]] as const) {
    if (dim !== null && dim <= 0) {
      return fail({
        code: 'non-positive-dimension',
        option: 'cropping',
        message:
          `Cropping would leave no ${axis}: ${original} − ${before} − ${after} = ${dim}. ` +
          `Received: input shape=${formatShape(shape)}, cropping=${JSON.stringify(input.options.cropping)}. Crop less than the input's ${axis}.`,
      });
    }
  }
  const outputShape: Shape = [shape[0], height, width, shape[3]];
  return ok({
    outputShape,
    trainableParams: 0,
    nonTrainableParams: 0,
    flops: 0,
    explanation: [`height: ${dimText(shape[1])} − ${top} − ${bottom} = ${dimText(height)}`, `width: ${dimText(shape[2])} − ${left} − ${right} = ${dimText(width)}`],
  });
};

/** Layers whose output has the input's shape and no weights. */
const passThrough =
  (flopsPerValue: number, note: string): Rule =>
  (input) =>
    ok({ outputShape: [...input.inputs[0]], trainableParams: 0, nonTrainableParams: 0, flops: size(input.inputs[0]) * flopsPerValue, explanation: note ? [note] : [] });

const spatialDropout2d: Rule = (input) => {
  const rankError = requireImage(input);
  if (rankError) return fail(rankError);
  return passThrough(0, `drops whole channels at rate ${String(input.options.rate)} during training`)(input);
};

const flatten: Rule = (input) => {
  const shape = input.inputs[0];
  const features = shape.length <= 1 ? 1 : knownProduct(shape.slice(1));
  const known = shape.slice(1);
  return ok({
    outputShape: [shape[0], features],
    trainableParams: 0,
    nonTrainableParams: 0,
    flops: 0,
    explanation: known.length > 1 ? [`${known.map(dimText).join(' · ')} = ${dimText(features)}`] : [],
  });
};

const reshape: Rule = (input) => {
  const shape = input.inputs[0];
  const target = input.options.targetShape as number[];
  const inputSize = knownProduct(shape.slice(1));
  const knownTarget = target.filter((dim) => dim !== -1).reduce((product, dim) => product * dim, 1);
  const mismatch = (): RuleOutcome =>
    fail({
      code: 'bad-option-value',
      option: 'targetShape',
      message:
        `The total size of the new array must be unchanged: the input has ${inputSize} values per example, targetShape gives ${knownTarget}. ` +
        `Received: input_shape=${formatShape(shape)}, target_shape=${formatTuple(target)}. Choose a targetShape whose product is ${inputSize}, or use -1 for one axis.`,
    });
  let outputDims: Dim[] = [...target];
  if (target.includes(-1)) {
    if (inputSize === null) {
      outputDims = target.map((dim) => (dim === -1 ? null : dim));
    } else {
      if (inputSize % knownTarget !== 0) return mismatch();
      outputDims = target.map((dim) => (dim === -1 ? inputSize / knownTarget : dim));
    }
  } else if (inputSize !== null && inputSize !== knownTarget) {
    return mismatch();
  }
  return ok({
    outputShape: [shape[0], ...outputDims],
    trainableParams: 0,
    nonTrainableParams: 0,
    flops: 0,
    explanation: inputSize === null ? [] : [`${inputSize} values per example → ${formatTuple(outputDims.map((dim) => dim ?? 0))}`],
  });
};

const dense: Rule = (input) => {
  const shape = input.inputs[0];
  if (shape.length < 2) return fail(rankProblem(input, 2, 'Dense needs at least (batch, features).'));
  const features = shape[shape.length - 1];
  if (features === null) {
    return fail({
      code: 'wrong-rank',
      message: `The last dimension of the inputs to a Dense layer should be defined. Found None. Full input shape received: ${formatShape(shape)}.`,
    });
  }
  const units = input.options.units as number;
  const bias = input.options.useBias === true;
  const params = features * units + (bias ? units : 0);
  const outputShape: Shape = [...shape.slice(0, -1), units];
  const rows = knownProduct(shape.slice(1, -1)) ?? 0;
  const explanation = [`params: ${features} · ${units}${bias ? ` + ${units}` : ''} = ${params}`];
  if (shape.length > 2) explanation.unshift(`applied to the last axis (${features}) at each of ${rows} positions`);
  return ok({
    outputShape,
    trainableParams: params,
    nonTrainableParams: 0,
    flops: rows === 0 && shape.length > 2 ? 0 : Math.max(rows, 1) * units * (2 * features + (bias ? 1 : 0)),
    explanation,
  });
};

/** The axis `written` (negative counts from the end) as an index of the input, or what is wrong with it. */
function axisIndex(input: RuleInput, written: number): number | LayerProblem {
  const shape = input.inputs[0];
  const axis = written < 0 ? shape.length + written : written;
  if (axis <= 0 || axis >= shape.length) {
    return {
      code: 'bad-option-value',
      option: 'axis',
      message: `Invalid axis ${written} for an input of rank ${shape.length}: expected an axis from 1 to ${shape.length - 1} or from -${shape.length - 1} to -1. Received: input shape=${formatShape(shape)}.`,
    };
  }
  return axis;
}

/** A normalized axis and its size, which must be known: the weights have one value per position on it. */
function normalizedAxis(input: RuleInput, written = input.options.axis as number): { axis: number; channels: Dim } | LayerProblem {
  const axis = axisIndex(input, written);
  if (typeof axis !== 'number') return axis;
  const shape = input.inputs[0];
  const channels = shape[axis];
  if (channels === null) {
    return { code: 'wrong-rank', option: 'axis', message: `Axis ${written} of input shape ${formatShape(shape)} should have a defined dimension, but the layer received an input with None on that axis.` };
  }
  return { axis, channels };
}

const batchNormalization: Rule = (input) => {
  const resolved = normalizedAxis(input);
  if (isProblem(resolved)) return fail(resolved);
  const channels = resolved.channels as number;
  const learned = (input.options.center === true ? 1 : 0) + (input.options.scale === true ? 1 : 0);
  const trainable = learned * channels;
  // keras/src/layers/normalization/batch_normalization.py, build: renorm adds moving_stddev,
  // renorm_mean and renorm_stddev, each of the channels' shape.
  const renorm = input.options.renorm === true;
  const statistics = renorm ? 5 : 2;
  const nonTrainable = statistics * channels;
  const learnedNames = [input.options.scale === true ? 'gamma' : '', input.options.center === true ? 'beta' : ''].filter(Boolean).join(', ');
  const statisticNames = renorm ? 'moving mean, moving variance, moving stddev, renorm mean, renorm stddev' : 'moving mean, moving variance';
  return ok({
    outputShape: [...input.inputs[0]],
    trainableParams: trainable,
    nonTrainableParams: nonTrainable,
    flops: 2 * size(input.inputs[0]),
    explanation: [
      `params: ${statistics + learned} · ${channels} = ${trainable + nonTrainable} (${learnedNames || 'nothing'} trainable: ${trainable}; ${statisticNames} non-trainable: ${nonTrainable})`,
    ],
  });
};

/**
 * keras/src/layers/normalization/layer_normalization.py, `build`: gamma and beta each have the shape
 * of the normalized axes, `tuple(input_shape[dim] for dim in axis)`; with the deprecated
 * `rms_scaling`, gamma only.
 */
const layerNormalization: Rule = (input) => {
  const dims: number[] = [];
  for (const written of axesOf(input.options.axis)) {
    const resolved = normalizedAxis(input, written);
    if (isProblem(resolved)) return fail(resolved);
    dims.push(resolved.channels as number);
  }
  const perWeight = dims.reduce((product, dim) => product * dim, 1);
  const rmsScaling = input.options.rmsScaling === true;
  const gamma = input.options.scale === true || rmsScaling;
  const beta = input.options.center === true && !rmsScaling;
  const learned = (gamma ? 1 : 0) + (beta ? 1 : 0);
  const params = learned * perWeight;
  return ok({
    outputShape: [...input.inputs[0]],
    trainableParams: params,
    nonTrainableParams: 0,
    flops: 5 * size(input.inputs[0]),
    explanation: [`params: ${learned} · ${dims.length === 0 ? '1' : dims.join(' · ')} = ${params}`],
  });
};

/** Keras's Softmax keeps the shape; the axis may have any size, None included (keras/src/layers/activations/softmax.py). */
const softmax: Rule = (input) => {
  const axis = axisIndex(input, input.options.axis as number);
  if (typeof axis !== 'number') return fail(axis);
  return passThrough(3, '')(input);
};

/** Python's repr of a value from JSON, for Keras's "Received: mean=None". */
const pythonValue = (value: unknown): string => (value === null || value === undefined ? 'None' : JSON.stringify(value));

/**
 * Keras's preprocessing Normalization (keras/src/layers/preprocessing/normalization.py, `__init__`
 * and `build`): the shape is kept; without a given mean and variance it has the weights `adapt()`
 * fills, mean and variance of the kept axes' shape and a scalar count, all non-trainable.
 */
const normalization: Rule = (input) => {
  const shape = input.inputs[0];
  const { mean, variance } = input.options;
  if ((mean === null) !== (variance === null)) {
    return fail({
      code: 'bad-option-value',
      option: mean === null ? 'variance' : 'mean',
      message: `When setting values directly, both \`mean\` and \`variance\` must be set. Received: mean=${pythonValue(mean)} and variance=${pythonValue(variance)}. Give both, or neither (Keras then learns them with adapt()).`,
    });
  }
  const axes = axesOf(input.options.axis);
  const ndim = shape.length;
  if (axes.some((axis) => axis < -ndim || axis >= ndim)) {
    return fail({
      code: 'bad-option-value',
      option: 'axis',
      message: `All \`axis\` values must be in the range [-ndim, ndim). Received inputs with ndim=${ndim}, while axis=${formatTuple(axes)}. Full input shape received: ${formatShape(shape)}.`,
    });
  }
  const kept = axes.map((axis) => (axis < 0 ? axis + ndim : axis)).sort((a, b) => a - b);
  const unknown = kept.find((axis) => shape[axis] === null);
  if (unknown !== undefined) {
    return fail({
      code: 'wrong-rank',
      option: 'axis',
      message: `All \`axis\` values to be kept must have a known shape. Received axis=${formatTuple(axes)}, inputs.shape=${formatShape(shape)}, with unknown axis at index ${unknown}.`,
    });
  }
  const dims = kept.map((axis) => shape[axis] as number);
  const perWeight = dims.reduce((product, dim) => product * dim, 1);
  for (const [option, value] of [['mean', mean], ['variance', variance]] as const) {
    const count = numbersOf(value).length;
    if (value !== null && count !== 1 && count !== perWeight) {
      return fail({
        code: 'bad-option-value',
        option,
        message:
          `The ${option} has ${count} values, but the kept axes ${formatTuple(kept)} of input shape ${formatShape(shape)} have ${perWeight} positions: ` +
          `expected one value per position (${perWeight}) or one number. Received: ${option}=${JSON.stringify(value)}.`,
      });
    }
  }
  const adapted = mean === null;
  const nonTrainable = adapted ? 2 * perWeight + 1 : 0;
  const given = numbersOf(mean).length;
  return ok({
    outputShape: [...shape],
    trainableParams: 0,
    nonTrainableParams: nonTrainable,
    flops: 2 * size(shape),
    explanation: adapted
      ? [`params: mean ${dims.length === 0 ? '1' : dims.join(' · ')} + variance ${dims.length === 0 ? '1' : dims.join(' · ')} + count 1 = ${nonTrainable} (non-trainable; Keras sets them with adapt())`]
      : [`mean and variance given (${given} value${given === 1 ? '' : 's'} each): no weights`],
  });
};

const upSampling2d: Rule = (input) => {
  const rankError = requireImage(input);
  if (rankError) return fail(rankError);
  const shape = input.inputs[0];
  const [rows, columns] = pairOf(input.options.size);
  const scale = (dim: Dim, factor: number): Dim => (dim === null ? null : dim * factor);
  const outputShape: Shape = [shape[0], scale(shape[1], rows), scale(shape[2], columns), shape[3]];
  return ok({
    outputShape,
    trainableParams: 0,
    nonTrainableParams: 0,
    flops: 0,
    explanation: [`height: ${dimText(shape[1])} · ${rows} = ${dimText(outputShape[1])}`, `width: ${dimText(shape[2])} · ${columns} = ${dimText(outputShape[2])}`],
  });
};

function tooFewInputs(input: RuleInput): LayerProblem {
  return {
    code: 'shape-mismatch',
    option: 'inputs',
    message: `A merge layer should be called on a list of at least 2 inputs. Got ${input.inputs.length} input${input.inputs.length === 1 ? '' : 's'}. Give "${input.layerName}" two or more inputs (functional model).`,
  };
}

const sameDim = (a: Dim, b: Dim): boolean => a === null || b === null || a === b;
const mergeDim = (a: Dim, b: Dim): Dim => (a === null ? b : a);
/** Python's repr of a list of shapes: `[(None, 4), (None, 4)]`. */
const shapeList = (shapes: readonly Shape[]): string => `[${shapes.map(formatShape).join(', ')}]`;

/**
 * Add, Subtract, Multiply, Average, Maximum, Minimum: the output shape of Keras's
 * `Merge.compute_output_shape` (keras/src/layers/merging/base_merge.py), which broadcasts:
 * (N, H, W, C) and (N, 1, 1, C) give (N, H, W, C). Subtract takes exactly 2 inputs
 * (keras/src/layers/merging/subtract.py, `build`).
 */
const elementwiseMerge =
  (extraFlopsPerValue: number, exactInputs?: number): Rule =>
  (input) => {
    if (exactInputs !== undefined && input.inputs.length !== exactInputs) {
      return fail({
        code: 'shape-mismatch',
        option: 'inputs',
        message: `A \`${input.className}\` layer should be called on exactly ${exactInputs} inputs. Received: input_shape=${shapeList(input.inputs)}. Give "${input.layerName}" ${exactInputs} inputs (functional model).`,
      });
    }
    if (input.inputs.length < 2) return fail(tooFewInputs(input));
    const merged = mergeShapes(input.inputs);
    if (!merged.ok) {
      return fail({
        code: 'shape-mismatch',
        option: 'inputs',
        message:
          merged.reason === 'batch'
            ? `Cannot merge tensors with different batch sizes. Received tensors with shapes ${shapeList(input.inputs)}.`
            : `Inputs have incompatible shapes. Received shapes ${formatShape(merged.shapes[0])} and ${formatShape(merged.shapes[1])}. ` +
              `${input.className} needs shapes that broadcast: aligned from the last axis, each pair of sizes equal or one of them 1.`,
      });
    }
    const outputShape = merged.shape;
    const same = input.inputs.every((shape) => formatShape(shape) === formatShape(outputShape));
    return ok({
      outputShape,
      trainableParams: 0,
      nonTrainableParams: 0,
      flops: size(outputShape) * (input.inputs.length - 1 + extraFlopsPerValue),
      explanation: [
        same
          ? `${input.inputs.length} inputs of shape ${formatShape(outputShape)}`
          : `${input.inputs.map(formatShape).join(' and ')} broadcast to ${formatShape(outputShape)}`,
      ],
    });
  };

const concatenate: Rule = (input) => {
  if (input.inputs.length < 2) return fail(tooFewInputs(input));
  const first = input.inputs[0];
  const written = input.options.axis as number;
  const axis = written < 0 ? first.length + written : written;
  const received = `Received: input_shape=[${input.inputs.map(formatShape).join(', ')}]`;
  if (axis <= 0 || axis >= first.length) {
    return fail({ code: 'bad-option-value', option: 'axis', message: `Invalid axis ${written} for inputs of rank ${first.length}. ${received}.` });
  }
  const compatible = input.inputs.every(
    (shape) => shape.length === first.length && shape.every((dim, index) => index === axis || sameDim(dim, first[index])),
  );
  if (!compatible) {
    return fail({
      code: 'shape-mismatch',
      option: 'inputs',
      message: `A \`Concatenate\` layer requires inputs with matching shapes except for the concatenation axis. ${received}. Make every axis other than ${written} equal.`,
    });
  }
  const joined = input.inputs.map((shape) => shape[axis]);
  const total = knownProduct(joined) === null ? null : joined.reduce<number>((sum, dim) => sum + (dim ?? 0), 0);
  const outputShape = first.map((dim, index) => (index === axis ? total : input.inputs.reduce<Dim>((merged, shape) => mergeDim(merged, shape[index]), dim)));
  return ok({
    outputShape,
    trainableParams: 0,
    nonTrainableParams: 0,
    flops: 0,
    explanation: [`axis ${written}: ${joined.map(dimText).join(' + ')} = ${dimText(total)}`],
  });
};

const inputLayer: Rule = (input) =>
  ok({ outputShape: [...input.inputs[0]], trainableParams: 0, nonTrainableParams: 0, flops: 0, explanation: [] });

const RULES: Record<string, Rule> = {
  InputLayer: inputLayer,
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  Conv2DTranspose: conv2dTranspose,
  MaxPooling2D: pooling2d,
  AveragePooling2D: pooling2d,
  GlobalAveragePooling2D: globalPooling2d,
  GlobalMaxPooling2D: globalPooling2d,
  ZeroPadding2D: zeroPadding2d,
  Cropping2D: cropping2d,
  Dropout: passThrough(0, ''),
  SpatialDropout2D: spatialDropout2d,
  Flatten: flatten,
  Reshape: reshape,
  Dense: dense,
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  Activation: passThrough(1, ''),
  ReLU: passThrough(1, ''),
  LeakyReLU: passThrough(1, ''),
  Softmax: softmax,
  Rescaling: passThrough(2, ''),
  Normalization: normalization,
  Add: elementwiseMerge(0),
  Subtract: elementwiseMerge(0, 2),
  Multiply: elementwiseMerge(0),
  Average: elementwiseMerge(1),
  Maximum: elementwiseMerge(0),
  Minimum: elementwiseMerge(0),
  Concatenate: concatenate,
  UpSampling2D: upSampling2d,
};

/** Applies the rule of `input.className` (a canonical catalog class name). */
export function applyLayerRule(input: RuleInput): RuleOutcome {
  const rule = RULES[input.className];
  if (!rule) {
    return fail({ code: 'unknown-layer', message: `CNN Lab has no shape rule for layer type ${input.className}.` });
  }
  return rule(input);
}

/** Class names that have a rule: a test checks this equals the catalog. */
export const RULE_CLASS_NAMES: readonly string[] = Object.keys(RULES);
