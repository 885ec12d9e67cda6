// The first layer's options come from the builder's parameters, inside a loop over the widths.
import * as tf from '@tensorflow/tfjs';

export default function buildClassifier(inputSize = 32, channels = 3, widths: number[] = [16, 32, 64], classes = 10): tf.Sequential {
  const model = tf.sequential({ name: 'param-cnn' });
  for (let i = 0; i < widths.length; i++) {
    const first = i === 0 ? { inputShape: [inputSize, inputSize, channels] } : {};
    model.add(tf.layers.conv2d({ ...first, filters: widths[i], kernelSize: 3, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: classes, activation: 'softmax' }));
  return model;
}
