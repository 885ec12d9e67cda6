// A feature extractor and a head, each a Sequential model, added to an outer Sequential model.
import * as tf from '@tensorflow/tfjs';

function featureExtractor(): tf.Sequential {
  return tf.sequential({
    name: 'features',
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.globalAveragePooling2d({}),
    ],
  });
}

const head = tf.sequential({ layers: [tf.layers.dense({ inputShape: [32], units: 10, activation: 'softmax' })] });

export default function build(): tf.Sequential {
  const model = tf.sequential({ name: 'classifier' });
  model.add(featureExtractor());
  model.add(tf.layers.dropout({ rate: 0.2 }));
  model.add(head);
  return model;
}
