// An async builder that waits for tfjs, starts from tf.layers.input and normalizes its input.
import * as tf from '@tensorflow/tfjs';

export default async function build(): Promise<tf.LayersModel> {
  await tf.ready();
  const input = tf.layers.input({ shape: [28, 28, 1] });
  let x = tf.layers.rescaling({ scale: 1 / 255 }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 5, activation: 'tanh' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.averagePooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'tanh' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.averagePooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 120, activation: 'tanh' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 84, activation: 'tanh' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'lenet' });
}
