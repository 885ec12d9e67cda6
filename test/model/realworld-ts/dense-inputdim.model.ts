// The classic tfjs MLP: the first Dense layer takes `inputDim` instead of `inputShape`.
import * as tf from '@tensorflow/tfjs';

export default tf.sequential({
  layers: [
    tf.layers.dense({ inputDim: 784, units: 128, activation: 'relu' }),
    tf.layers.dropout({ rate: 0.2 }),
    tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
