// ResNet50 as keras.applications builds it (keras/src/applications/resnet.py: ResNet with
// preact=False, use_bias=True and ResNet50's stack_fn): a 7×7/2 stem (conv1_pad, conv1_conv,
// conv1_bn, conv1_relu, pool1_pad, pool1_pool), then stacks conv2..conv5 of bottleneck blocks
// (conv{s}_block{b}_{0..3}_{conv,bn}, _1_relu, _2_relu, _add, _out), the first block of each stack
// with a 1×1 convolution shortcut. BatchNormalization epsilon 1.001e-5 on the channel axis (3).

import type { ModelIR } from '../types';
import type { GraphBuilder as Graph } from './graph';
import { GraphBuilder } from './graph';
import type { ResolvedApplicationOptions } from './options';

const bn = (graph: Graph, name: string, input: string): string => graph.add('BatchNormalization', name, { axis: 3, epsilon: 1.001e-5 }, input);
const relu = (graph: Graph, name: string, input: string): string => graph.add('Activation', name, { activation: 'relu' }, input);

/** residual_block_v1: the bottleneck block with a convolution shortcut (first of a stack) or an identity one. */
function block(graph: Graph, input: string, filters: number, stride: number, convShortcut: boolean, name: string): string {
  const shortcut = convShortcut ? bn(graph, `${name}_0_bn`, graph.add('Conv2D', `${name}_0_conv`, { filters: 4 * filters, kernelSize: 1, strides: stride }, input)) : input;
  let x = graph.add('Conv2D', `${name}_1_conv`, { filters, kernelSize: 1, strides: stride }, input);
  x = relu(graph, `${name}_1_relu`, bn(graph, `${name}_1_bn`, x));
  x = graph.add('Conv2D', `${name}_2_conv`, { filters, kernelSize: 3, padding: 'same' }, x);
  x = relu(graph, `${name}_2_relu`, bn(graph, `${name}_2_bn`, x));
  x = bn(graph, `${name}_3_bn`, graph.add('Conv2D', `${name}_3_conv`, { filters: 4 * filters, kernelSize: 1 }, x));
  x = graph.add('Add', `${name}_add`, {}, [shortcut, x]);
  return relu(graph, `${name}_out`, x);
}

/** stack_residual_blocks_v1: `blocks` blocks, the first strided (stride1) with a convolution shortcut. */
function stack(graph: Graph, input: string, filters: number, blocks: number, stride1: number, name: string): string {
  let x = block(graph, input, filters, stride1, true, `${name}_block1`);
  for (let index = 2; index <= blocks; index++) x = block(graph, x, filters, 1, false, `${name}_block${index}`);
  return x;
}

export function resnet50(options: ResolvedApplicationOptions): ModelIR {
  const graph = new GraphBuilder();
  let x = graph.input(options.inputShape);
  x = graph.add('ZeroPadding2D', 'conv1_pad', { padding: [[3, 3], [3, 3]] }, x);
  x = graph.add('Conv2D', 'conv1_conv', { filters: 64, kernelSize: 7, strides: 2 }, x);
  x = relu(graph, 'conv1_relu', bn(graph, 'conv1_bn', x));
  x = graph.add('ZeroPadding2D', 'pool1_pad', { padding: [[1, 1], [1, 1]] }, x);
  x = graph.add('MaxPooling2D', 'pool1_pool', { poolSize: 3, strides: 2 }, x);
  x = stack(graph, x, 64, 3, 1, 'conv2');
  x = stack(graph, x, 128, 4, 2, 'conv3');
  x = stack(graph, x, 256, 6, 2, 'conv4');
  x = stack(graph, x, 512, 3, 2, 'conv5');
  if (options.includeTop) {
    x = graph.add('GlobalAveragePooling2D', 'avg_pool', {}, x);
    x = graph.add('Dense', 'predictions', { units: options.classes, activation: options.classifierActivation }, x);
  } else if (options.pooling === 'avg') {
    x = graph.add('GlobalAveragePooling2D', 'avg_pool', {}, x);
  } else if (options.pooling === 'max') {
    x = graph.add('GlobalMaxPooling2D', 'max_pool', {}, x);
  }
  return graph.model(options.name, x);
}
