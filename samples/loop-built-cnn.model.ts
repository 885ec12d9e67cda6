// A CIFAR-10 CNN whose conv blocks are built in a loop through a helper function. Reading the
// source cannot follow the loop, so in a trusted workspace CNN Lab runs this module against a
// shape-only stand-in of tf.layers to show the shapes.
import * as tf from '@tensorflow/tfjs';

const filtersPerBlock = [32, 64, 128];

function convBlock(model: tf.Sequential, filters: number): void {
  model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
}

export default function buildModel(): tf.Sequential {
  const model = tf.sequential({ name: 'loop-built-cnn' });
  model.add(tf.layers.inputLayer({ inputShape: [32, 32, 3] }));
  for (const filters of filtersPerBlock) convBlock(model, filters);
  model.add(tf.layers.flatten());
  model.add(tf.layers.dropout({ rate: 0.5 }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

export const training = {
  dataset: 'cifar10',
  epochs: 10,
  batchSize: 64,
  optimizer: 'adam',
  loss: 'sparseCategoricalCrossentropy',
  metrics: ['accuracy'],
};
