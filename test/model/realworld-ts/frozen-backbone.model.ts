// Transfer learning: a backbone frozen with `trainable = false`, applied under a new head, and a
// layer frozen after it was made.
import * as tf from '@tensorflow/tfjs';

function backbone(): tf.Sequential {
  const base = tf.sequential({
    name: 'backbone',
    layers: [
      tf.layers.conv2d({ inputShape: [48, 48, 3], filters: 8, kernelSize: 3, strides: 2, activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }),
      tf.layers.conv2d({ filters: 16, kernelSize: 1, activation: 'relu' }),
    ],
  });
  base.trainable = false;
  return base;
}

export default function build(): tf.LayersModel {
  const input = tf.input({ shape: [48, 48, 3] });
  const features = backbone().apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(features) as tf.SymbolicTensor;
  const bottleneck = tf.layers.dense({ units: 8, activation: 'relu' });
  bottleneck.trainable = false;
  const squeezed = bottleneck.apply(pooled) as tf.SymbolicTensor;
  const head = tf.layers.dense({ units: 5, activation: 'softmax', name: 'head' }).apply(squeezed) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: head });
}
