import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { TrainingControl } from '../../../src/trainer/callbacks/callback';
import { EarlyStopping } from '../../../src/trainer/callbacks/earlyStopping';
import { overwriteWeights, smallModel, weightsOf } from './helpers';

function earlyStopping(options: { patience?: number; minDelta?: number; restoreBestWeights?: boolean } = {}) {
  const model = smallModel();
  const control = new TrainingControl();
  const messages: string[] = [];
  const config = { monitor: 'val_loss', patience: 0, minDelta: 0, restoreBestWeights: false, ...options };
  const callback = new EarlyStopping(model, config, control, (message) => messages.push(message));
  return { model, control, messages, callback };
}

describe('callbacks: EarlyStopping', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('ends training after more than `patience` epochs without improvement, and says why at the end', () => {
    const { control, messages, callback } = earlyStopping({ patience: 1 });
    callback.onEpochEnd(0, { val_loss: 1 });
    callback.onEpochEnd(1, { val_loss: 1.1 });
    assert.equal(control.stopTraining, false, 'one epoch of patience');
    callback.onEpochEnd(2, { val_loss: 1.2 });
    assert.equal(control.stopTraining, true);
    assert.equal(control.interrupted, false, 'the epoch is finished, not cut short');
    assert.deepEqual(messages, []);
    callback.onTrainEnd();
    assert.deepEqual(messages, ['Early stopping: val_loss has not improved for 2 epochs.']);
  });

  it('counts an improvement smaller than minDelta as none', () => {
    const { control, callback } = earlyStopping({ minDelta: 0.5 });
    callback.onEpochEnd(0, { val_loss: 1 });
    callback.onEpochEnd(1, { val_loss: 0.7 });
    assert.equal(control.stopTraining, true);
  });

  it('goes back to the weights of the best epoch with restoreBestWeights, and frees its copy at the end', () => {
    const { model, control, callback } = earlyStopping({ restoreBestWeights: true });
    const tensorsBefore = tf.memory().numTensors;
    overwriteWeights(model, 0.25);
    callback.onEpochEnd(0, { val_loss: 1 });
    const best = weightsOf(model);
    overwriteWeights(model, 0.75);
    callback.onEpochEnd(1, { val_loss: 2 });
    assert.equal(control.stopTraining, true);
    assert.deepEqual(weightsOf(model), best);
    callback.onTrainEnd();
    assert.equal(tf.memory().numTensors, tensorsBefore);
  });

  it('keeps the last weights without restoreBestWeights, and says nothing when training ran to the end', () => {
    const { model, messages, callback } = earlyStopping();
    callback.onEpochEnd(0, { val_loss: 1 });
    overwriteWeights(model, 0.75);
    const last = weightsOf(model);
    callback.onEpochEnd(1, { val_loss: 0.5 });
    callback.onTrainEnd();
    assert.deepEqual(weightsOf(model), last);
    assert.deepEqual(messages, []);
  });
});
