// Every pooling alias tfjs exports, and a few layers people reach for by their short names.
import * as tf from '@tensorflow/tfjs';

export default tf.sequential({
  name: 'aliases',
  layers: [
    tf.layers.zeroPadding2d({ inputShape: [64, 64, 3], padding: 1 }),
    tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2 }),
    tf.layers.reLU(),
    tf.layers.avgPool2d({ poolSize: 2 }),
    tf.layers.separableConv2d({ filters: 16, kernelSize: 3, padding: 'same' }),
    tf.layers.leakyReLU({ alpha: 0.1 }),
    tf.layers.avgPooling2d({ poolSize: 2, strides: 1 }),
    tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }),
    tf.layers.maxPool2d({ poolSize: 2 }),
    tf.layers.upSampling2d({ size: [2, 2] }),
    tf.layers.cropping2D({ cropping: [[1, 1], [2, 2]] }),
    tf.layers.averagePooling2d({ poolSize: 3, padding: 'same' }),
    tf.layers.globalMaxPool2d({}),
    tf.layers.dense({ units: 5, activation: 'softmax' }),
  ],
});
