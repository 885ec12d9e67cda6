// A small ResNet: residual blocks from a helper, called in a loop; tensors reassigned as it goes.
import * as tf from '@tensorflow/tfjs';

function residualBlock(x: tf.SymbolicTensor, filters: number, downsample: boolean): tf.SymbolicTensor {
  const strides = downsample ? 2 : 1;
  let y = tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
  y = tf.layers.reLU().apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
  let shortcut = x;
  if (downsample) shortcut = tf.layers.conv2d({ filters, kernelSize: 1, strides: 2 }).apply(x) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([y, shortcut]) as tf.SymbolicTensor;
  return tf.layers.reLU().apply(sum) as tf.SymbolicTensor;
}

export default function build(stages: number[] = [16, 32, 64]): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3] });
  let x = tf.layers.conv2d({ filters: stages[0], kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  stages.forEach((filters, index) => {
    x = residualBlock(x, filters, index > 0);
  });
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'resnet-mini' });
}
