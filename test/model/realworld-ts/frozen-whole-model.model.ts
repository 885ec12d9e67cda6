// A whole model frozen with `model.trainable = false` (feature extraction): every layer's params are
// non-trainable, even one set trainable again afterwards, since tfjs's model then has no trainable
// weights at all.
import * as tf from '@tensorflow/tfjs';

const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
    tf.layers.batchNormalization(),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
model.trainable = false;
model.layers[3].trainable = true;

export default model;
