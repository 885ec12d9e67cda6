// An inception-style block: branches of different depths joined by a concatenation, so the order
// of the rows is tfjs's (deepest first), not the order the layers were applied in.
import * as tf from '@tensorflow/tfjs';

const input = tf.input({ shape: [32, 32, 3], name: 'image' });
const stem = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
const branch1 = tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu' }).apply(stem) as tf.SymbolicTensor;
const reduce3 = tf.layers.conv2d({ filters: 8, kernelSize: 1, activation: 'relu' }).apply(stem) as tf.SymbolicTensor;
const branch3 = tf.layers.conv2d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(reduce3) as tf.SymbolicTensor;
const reduce5 = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }).apply(stem) as tf.SymbolicTensor;
const middle5 = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(reduce5) as tf.SymbolicTensor;
const branch5 = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(middle5) as tf.SymbolicTensor;
const pool = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(stem) as tf.SymbolicTensor;
const poolProjection = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }).apply(pool) as tf.SymbolicTensor;
const merged = tf.layers.concatenate().apply([branch1, branch3, branch5, poolProjection]) as tf.SymbolicTensor;
const pooled = tf.layers.globalAveragePooling2d({}).apply(merged) as tf.SymbolicTensor;
const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;

export default tf.model({ inputs: input, outputs: output, name: 'mini-inception' });
