// Two inputs of different depth (an image and tabular metadata) joined before the classifier.
import * as tf from '@tensorflow/tfjs';

const image = tf.input({ shape: [28, 28, 1], name: 'image' });
const metadata = tf.input({ shape: [5], name: 'metadata' });

const conv = tf.layers.conv2d({ filters: 8, kernelSize: 5, activation: 'relu' }).apply(image) as tf.SymbolicTensor;
const pooled = tf.layers.maxPooling2d({ poolSize: 4 }).apply(conv) as tf.SymbolicTensor;
const flat = tf.layers.flatten().apply(pooled) as tf.SymbolicTensor;
const imageFeatures = tf.layers.dense({ units: 16, activation: 'relu' }).apply(flat) as tf.SymbolicTensor;
const metaFeatures = tf.layers.dense({ units: 4, activation: 'relu' }).apply(metadata) as tf.SymbolicTensor;
const joined = tf.layers.concatenate({ axis: -1 }).apply([metaFeatures, imageFeatures]) as tf.SymbolicTensor;
const hidden = tf.layers.dense({ units: 8, activation: 'relu' }).apply(joined) as tf.SymbolicTensor;
const output = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(hidden) as tf.SymbolicTensor;

export default tf.model({ inputs: [image, metadata], outputs: output, name: 'image-and-metadata' });
