// A Sequential encoder and a functional projector applied inside a functional model.
import * as tf from '@tensorflow/tfjs';

const encoder = tf.sequential({
  name: 'encoder',
  layers: [tf.layers.dense({ inputShape: [16], units: 8, activation: 'relu' }), tf.layers.dense({ units: 4 })],
});

function projector(): tf.LayersModel {
  const input = tf.input({ shape: [4] });
  const hidden = tf.layers.dense({ units: 6, activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 2 }).apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'projector' });
}

const input = tf.input({ shape: [16] });
const encoded = encoder.apply(input) as tf.SymbolicTensor;
const projected = projector().apply(encoded) as tf.SymbolicTensor;
const skip = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
const output = tf.layers.add().apply([projected, skip]) as tf.SymbolicTensor;

export default tf.model({ inputs: input, outputs: output });
