// MobileNetV2 as keras.applications builds it (keras/src/applications/mobilenet_v2.py): Conv1
// (3×3/2, _make_divisible(32·alpha, 8) filters), bn_Conv1, Conv1_relu (ReLU 6), seventeen inverted
// residual blocks (expanded_conv_*, then block_{1..16}_*: 1×1 expand, a ZeroPadding2D of
// correct_pad before each stride-2 depthwise, 3×3 depthwise, 1×1 linear project, an Add where
// the shapes allow), then Conv_1 (1280 filters, more when alpha > 1), Conv_1_bn and out_relu.
// BatchNormalization epsilon 1e-3, momentum 0.999.

import type { Dim, ModelIR } from '../types';
import { GraphBuilder } from './graph';
import { addPooling, type ResolvedApplicationOptions } from './options';

/** Keras's _make_divisible: the nearest multiple of `divisor`, at least `divisor`, never more than 10 % below `value`. */
export function makeDivisible(value: number, divisor: number, minValue = divisor): number {
  let rounded = Math.max(minValue, Math.floor(Math.trunc(value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

/** imagenet_utils.correct_pad: the zero padding that makes a stride-2 "valid" window centred as TF's "same" is. */
export function correctPad(height: Dim, width: Dim, kernelSize: number): [[number, number], [number, number]] {
  const adjust = height === null ? [1, 1] : [1 - (height % 2), 1 - ((width ?? 0) % 2)];
  const correct = Math.floor(kernelSize / 2);
  return [[correct - adjust[0], correct], [correct - adjust[1], correct]];
}

const BLOCKS: { filters: number; stride: number; expansion: number }[] = [
  { filters: 16, stride: 1, expansion: 1 },
  { filters: 24, stride: 2, expansion: 6 },
  { filters: 24, stride: 1, expansion: 6 },
  { filters: 32, stride: 2, expansion: 6 },
  { filters: 32, stride: 1, expansion: 6 },
  { filters: 32, stride: 1, expansion: 6 },
  { filters: 64, stride: 2, expansion: 6 },
  { filters: 64, stride: 1, expansion: 6 },
  { filters: 64, stride: 1, expansion: 6 },
  { filters: 64, stride: 1, expansion: 6 },
  { filters: 96, stride: 1, expansion: 6 },
  { filters: 96, stride: 1, expansion: 6 },
  { filters: 96, stride: 1, expansion: 6 },
  { filters: 160, stride: 2, expansion: 6 },
  { filters: 160, stride: 1, expansion: 6 },
  { filters: 160, stride: 1, expansion: 6 },
  { filters: 320, stride: 1, expansion: 6 },
];

const batchNorm = { axis: -1, epsilon: 1e-3, momentum: 0.999 };

/** Keras's "same" output size of a stride-s window (what the next correct_pad needs to know). */
const sameSize = (size: Dim, stride: number): Dim => (size === null ? null : Math.ceil(size / stride));

export function mobileNetV2(options: ResolvedApplicationOptions): ModelIR {
  const { alpha } = options;
  const graph = new GraphBuilder();
  let x = graph.input(options.inputShape);
  let [height, width] = options.inputShape;
  let channels = makeDivisible(32 * alpha, 8);
  x = graph.add('Conv2D', 'Conv1', { filters: channels, kernelSize: 3, strides: [2, 2], padding: 'same', useBias: false }, x);
  [height, width] = [sameSize(height, 2), sameSize(width, 2)];
  x = graph.add('BatchNormalization', 'bn_Conv1', batchNorm, x);
  x = graph.add('ReLU', 'Conv1_relu', { maxValue: 6 }, x);

  BLOCKS.forEach(({ filters, stride, expansion }, blockId) => {
    const input = x;
    const pointwiseFilters = makeDivisible(Math.trunc(filters * alpha), 8);
    const prefix = blockId === 0 ? 'expanded_conv_' : `block_${blockId}_`;
    if (blockId !== 0) {
      x = graph.add('Conv2D', `${prefix}expand`, { filters: expansion * channels, kernelSize: 1, padding: 'same', useBias: false, activation: null }, x);
      x = graph.add('BatchNormalization', `${prefix}expand_BN`, batchNorm, x);
      x = graph.add('ReLU', `${prefix}expand_relu`, { maxValue: 6 }, x);
    }
    if (stride === 2) {
      x = graph.add('ZeroPadding2D', `${prefix}pad`, { padding: correctPad(height, width, 3) }, x);
    }
    x = graph.add('DepthwiseConv2D', `${prefix}depthwise`, { kernelSize: 3, strides: stride, activation: null, useBias: false, padding: stride === 1 ? 'same' : 'valid' }, x);
    [height, width] = [sameSize(height, stride), sameSize(width, stride)];
    x = graph.add('BatchNormalization', `${prefix}depthwise_BN`, batchNorm, x);
    x = graph.add('ReLU', `${prefix}depthwise_relu`, { maxValue: 6 }, x);
    x = graph.add('Conv2D', `${prefix}project`, { filters: pointwiseFilters, kernelSize: 1, padding: 'same', useBias: false, activation: null }, x);
    x = graph.add('BatchNormalization', `${prefix}project_BN`, batchNorm, x);
    if (channels === pointwiseFilters && stride === 1) x = graph.add('Add', `${prefix}add`, {}, [input, x]);
    channels = pointwiseFilters;
  });

  // No alpha on the last convolution below 1 (the paper's choice, kept by Keras).
  const lastFilters = alpha > 1 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = graph.add('Conv2D', 'Conv_1', { filters: lastFilters, kernelSize: 1, useBias: false }, x);
  x = graph.add('BatchNormalization', 'Conv_1_bn', batchNorm, x);
  x = graph.add('ReLU', 'out_relu', { maxValue: 6 }, x);
  if (options.includeTop) {
    x = graph.add('GlobalAveragePooling2D', 'global_average_pooling2d', {}, x);
    x = graph.add('Dense', 'predictions', { units: options.classes, activation: options.classifierActivation }, x);
  } else {
    x = addPooling(graph, x, options.pooling);
  }
  return graph.model(options.name, x);
}
