// Fine-tuning the usual way: freeze the first layers in a loop, and a head helper that unfreezes its
// own layer. The static reader cannot follow the loop and says so; the evaluate path runs it.
import * as tf from '@tensorflow/tfjs';

function head(model: tf.Sequential, classes: number): void {
  const dense = tf.layers.dense({ units: classes, activation: 'softmax', trainable: false });
  dense.trainable = true;
  model.add(dense);
}

export default function build(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.globalAveragePooling2d({}),
    ],
  });
  for (const layer of model.layers.slice(0, 3)) layer.trainable = false;
  head(model, 10);
  return model;
}
