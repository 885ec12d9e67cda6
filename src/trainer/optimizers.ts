// The optimizer of a run, and its learning rate read and changed while it trains.
import * as tf from '@tensorflow/tfjs';
import type { ResolvedTraining } from './trainingConfig';

export function createOptimizer(training: ResolvedTraining): tf.Optimizer {
  switch (training.optimizer) {
    case 'sgd':
      return training.momentum > 0 || training.nesterov
        ? tf.train.momentum(training.learningRate, training.momentum, training.nesterov)
        : tf.train.sgd(training.learningRate);
    case 'adam':
      return tf.train.adam(training.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(training.learningRate);
    case 'adagrad':
      return tf.train.adagrad(training.learningRate);
  }
}

/** The field every tfjs optimizer reads its rate from, protected in their typings. */
interface WithLearningRate {
  learningRate: number;
}

export function learningRateOf(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as WithLearningRate).learningRate;
}

export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  // SGD and momentum cache the rate in a tensor; Adam, RMSprop and Adagrad read the field at every
  // step. (`instanceof` cannot tell them apart: tfjs optimizers answer it by duck typing.)
  if (optimizer instanceof tf.SGDOptimizer && 'setLearningRate' in optimizer) optimizer.setLearningRate(learningRate);
  else (optimizer as unknown as WithLearningRate).learningRate = learningRate;
}
