import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ReduceLROnPlateau } from '../../../src/trainer/callbacks/reduceLROnPlateau';
import { learningRateOf } from '../../../src/trainer/optimizers';

function reduceLR(optimizer: tf.Optimizer, options: { factor?: number; patience?: number; minLR?: number } = {}) {
  const messages: string[] = [];
  const callback = new ReduceLROnPlateau(optimizer, { monitor: 'val_loss', factor: 0.5, patience: 0, minLR: 0, ...options }, (message) => messages.push(message));
  return { callback, messages };
}

/** How far one optimizer step moves x from 1 when minimising x (gradient 1). */
function stepSize(optimizer: tf.Optimizer): number {
  const x = tf.variable(tf.scalar(1));
  optimizer.minimize(() => x.mul(1) as tf.Scalar);
  const moved = 1 - x.dataSync()[0];
  x.dispose();
  return moved;
}

describe('callbacks: ReduceLROnPlateau', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('multiplies the learning rate by `factor` after more than `patience` epochs without improvement, then waits again', () => {
    const optimizer = tf.train.adam(0.01);
    const { callback, messages } = reduceLR(optimizer, { patience: 1 });
    const rates = [{ val_loss: 1 }, { val_loss: 1 }, { val_loss: 1 }, { val_loss: 1 }, { val_loss: 1 }].map((logs, epoch) => {
      callback.onEpochEnd(epoch, logs);
      return learningRateOf(optimizer);
    });
    assert.deepEqual(rates, [0.01, 0.01, 0.005, 0.005, 0.0025]);
    assert.deepEqual(messages, [
      'Reducing the learning rate to 5.00e-3 (val_loss has not improved for 2 epochs).',
      'Reducing the learning rate to 2.50e-3 (val_loss has not improved for 2 epochs).',
    ]);
  });

  it('keeps the rate while the monitored log improves', () => {
    const optimizer = tf.train.rmsprop(0.01);
    const { callback } = reduceLR(optimizer);
    for (const [epoch, loss] of [1, 0.9, 0.8].entries()) callback.onEpochEnd(epoch, { val_loss: loss });
    assert.equal(learningRateOf(optimizer), 0.01);
  });

  it('never goes below minLR, and stops reporting once there', () => {
    const optimizer = tf.train.adagrad(0.01);
    const { callback, messages } = reduceLR(optimizer, { minLR: 0.004 });
    for (const epoch of [0, 1, 2, 3]) callback.onEpochEnd(epoch, { loss: 1 });
    assert.equal(learningRateOf(optimizer), 0.004);
    assert.equal(messages.length, 2);
  });

  it('changes the step SGD and momentum take, not only the number they report', () => {
    for (const optimizer of [tf.train.sgd(0.1), tf.train.momentum(0.1, 0)]) {
      const { callback } = reduceLR(optimizer);
      assert.ok(Math.abs(stepSize(optimizer) - 0.1) < 1e-6);
      callback.onEpochEnd(0, { val_loss: Number.NaN });
      assert.ok(Math.abs(stepSize(optimizer) - 0.05) < 1e-6, optimizer.getClassName());
    }
  });
});
