// A functional model with a residual connection: the Add layer needs both branches to agree in shape.
import * as tf from '@tensorflow/tfjs';

const input = tf.input({ shape: [32, 32, 3] });
const stem = tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
const branch = tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same' }).apply(stem) as tf.SymbolicTensor;
const normalized = tf.layers.batchNormalization().apply(branch) as tf.SymbolicTensor;
const sum = tf.layers.add().apply([stem, normalized]) as tf.SymbolicTensor;
const pooled = tf.layers.globalAveragePooling2d({}).apply(sum) as tf.SymbolicTensor;
const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;

export default tf.model({ inputs: input, outputs: output, name: 'residual-block' });

export const training = { dataset: 'cifar10', epochs: 5, batchSize: 64, optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' };
