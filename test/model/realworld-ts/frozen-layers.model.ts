// Freezing after construction, in the ways a fine-tuning script does it: a layer made apart from the
// model and frozen through its variable, layers frozen by index and by name once the model is built,
// one frozen among its options and thawed again, and a frozen BatchNormalization (its gamma and beta
// become non-trainable too). Every one of these the static reader follows.
import * as tf from '@tensorflow/tfjs';

const stem = tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' });
stem.trainable = false;
const norm = tf.layers.batchNormalization({ name: 'stem_bn' });

const model = tf.sequential({ name: 'frozen_layers' });
model.add(stem);
model.add(norm);
model.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', trainable: false }));
model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
model.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }));
model.add(tf.layers.globalAveragePooling2d({}));
model.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'head' }));

model.getLayer('stem_bn').trainable = false;
model.layers[4].trainable = false;
model.layers[2].trainable = true;

export default model;
