// VGG16 and VGG19 as keras.applications builds them (keras/src/applications/vgg16.py, vgg19.py):
// five blocks of 3×3 "same" ReLU convolutions (block{b}_conv{i}) each ending in a 2×2 max pool
// (block{b}_pool); with the top, Flatten and fc1/fc2 (4096, ReLU) and predictions; without it,
// the optional global pooling.

import type { ModelIR } from '../types';
import { GraphBuilder } from './graph';
import { addPooling, type ResolvedApplicationOptions } from './options';

const FILTERS = [64, 128, 256, 512, 512];

function vgg(name: string, convolutionsPerBlock: number[], options: ResolvedApplicationOptions): ModelIR {
  const graph = new GraphBuilder();
  let x = graph.input(options.inputShape);
  convolutionsPerBlock.forEach((count, blockIndex) => {
    const block = blockIndex + 1;
    for (let index = 1; index <= count; index++) {
      x = graph.add('Conv2D', `block${block}_conv${index}`, { filters: FILTERS[blockIndex], kernelSize: [3, 3], activation: 'relu', padding: 'same' }, x);
    }
    x = graph.add('MaxPooling2D', `block${block}_pool`, { poolSize: [2, 2], strides: [2, 2] }, x);
  });
  if (options.includeTop) {
    x = graph.add('Flatten', 'flatten', {}, x);
    x = graph.add('Dense', 'fc1', { units: 4096, activation: 'relu' }, x);
    x = graph.add('Dense', 'fc2', { units: 4096, activation: 'relu' }, x);
    x = graph.add('Dense', 'predictions', { units: options.classes, activation: options.classifierActivation }, x);
  } else {
    x = addPooling(graph, x, options.pooling);
  }
  return graph.model(name, x);
}

export const vgg16 = (options: ResolvedApplicationOptions): ModelIR => vgg(options.name, [2, 2, 3, 3, 3], options);
export const vgg19 = (options: ResolvedApplicationOptions): ModelIR => vgg(options.name, [2, 2, 4, 4, 4], options);
