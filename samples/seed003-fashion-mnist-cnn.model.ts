// Seed 003: the Fashion-MNIST CNN, two conv/pool/dropout blocks and a dense classifier.
import * as tf from '@tensorflow/tfjs';

const dropoutRate = 0.3;

const model = tf.sequential({
  name: 'seed003-fashion-mnist-cnn',
  layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 64, kernelSize: 2, padding: 'same', activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.dropout({ rate: dropoutRate }),
    tf.layers.conv2d({ filters: 32, kernelSize: 2, padding: 'same', activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.dropout({ rate: dropoutRate }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 256, activation: 'relu' }),
    tf.layers.dropout({ rate: 0.5 }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});

export const training = {
  dataset: 'fashion-mnist',
  epochs: 10,
  batchSize: 64,
  optimizer: 'rmsprop',
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
  validationSplit: 0.3,
};

export default model;
