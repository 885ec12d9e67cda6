// A decoder whose sizes come from tf.util helpers, printed with model.summary() at module level.
import * as tf from '@tensorflow/tfjs';

const featureShape = [7, 7, 32];
const features = tf.util.sizeFromShape(featureShape);
tf.util.assert(features === 7 * 7 * 32, () => `unexpected feature size ${features}`);

const model = tf.sequential({ name: 'decoder' });
model.add(tf.layers.dense({ inputShape: [64], units: features, activation: 'relu' }));
model.add(tf.layers.reshape({ targetShape: featureShape }));
model.add(tf.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
model.add(tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }));
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
model.summary();

export default model;
