// Optimizers made at module level, a compiled model, and a training function nobody calls on load.
import * as tf from '@tensorflow/tfjs';

const LEARNING_RATE = 1e-3;

export const optimizers = {
  adam: tf.train.adam(LEARNING_RATE),
  sgd: tf.train.sgd(0.01),
  momentum: tf.train.momentum(0.01, 0.9, true),
  rmsprop: tf.train.rmsprop(LEARNING_RATE, 0.9),
  adagrad: tf.train.adagrad(0.01),
  adadelta: tf.train.adadelta(),
  adamax: tf.train.adamax(0.002),
};

function build(): tf.Sequential {
  const model = tf.sequential({ name: 'tabular' });
  model.add(tf.layers.dense({ inputShape: [20], units: 64, activation: 'relu' }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.dropout({ rate: 0.3 }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: optimizers.adam, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

export async function train(xs: tf.Tensor, ys: tf.Tensor): Promise<tf.History> {
  const model = build();
  return model.fit(xs, ys, { epochs: 5, batchSize: 32, validationSplit: 0.1 });
}

export default build;
