// Seed 000: a small VGG-like network for 100×100 grayscale photos of cars, bikes and planes.
import * as tf from '@tensorflow/tfjs';

const imageSize = 100;
const classes = 3;
const dropoutRate = 0.25;

const model = tf.sequential({ name: 'seed000-vgg-like-cars-bikes-planes' });
model.add(tf.layers.conv2d({ name: 'Conv_1', inputShape: [imageSize, imageSize, 1], filters: 32, kernelSize: [3, 3], activation: 'relu' }));
model.add(tf.layers.conv2d({ name: 'Conv_2', filters: 32, kernelSize: [3, 3], activation: 'relu' }));
model.add(tf.layers.maxPooling2d({ name: 'Pool1', poolSize: [2, 2] }));
model.add(tf.layers.dropout({ name: 'Drop_1', rate: dropoutRate }));
model.add(tf.layers.conv2d({ name: 'Conv_3', filters: 2 * 32, kernelSize: [3, 3], activation: 'relu' }));
model.add(tf.layers.conv2d({ name: 'Conv_4', filters: 2 * 32, kernelSize: [3, 3], activation: 'relu' }));
model.add(tf.layers.maxPooling2d({ name: 'Pool2', poolSize: [2, 2] }));
model.add(tf.layers.dropout({ name: 'Drop_2', rate: dropoutRate }));
model.add(tf.layers.flatten({ name: 'Flat' }));
model.add(tf.layers.dense({ name: 'Dense_1', units: 256, activation: 'relu' }));
model.add(tf.layers.dropout({ name: 'Drop_3', rate: dropoutRate }));
model.add(tf.layers.dense({ name: 'Output', units: classes, activation: 'softmax' }));

export const training = {
  dataset: 'folder:data/cars-bikes-planes',
  grayscale: true,
  epochs: 200,
  batchSize: 32,
  optimizer: 'sgd',
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
  shuffle: true,
};

export default model;
