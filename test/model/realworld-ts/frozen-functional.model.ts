// A functional model with a layer made apart and applied through its variable, frozen by index in
// tfjs's own order of `model.layers` (the InputLayer first) inside the builder function.
import * as tf from '@tensorflow/tfjs';

export default function build(): tf.LayersModel {
  const input = tf.input({ shape: [28, 28, 1] });
  const conv = tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' });
  const features = conv.apply(input) as tf.SymbolicTensor;
  const side = tf.layers.conv2d({ filters: 8, kernelSize: 1, name: 'side' }).apply(features) as tf.SymbolicTensor;
  const merged = tf.layers.add().apply([features, side]) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(merged) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  conv.trainable = false;
  model.layers[2].trainable = false;
  return model;
}
