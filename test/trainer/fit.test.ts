import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Logs } from '../../src/runs/format';
import { TrainingControl, type BatchEnd, type Callback } from '../../src/trainer/callbacks/callback';
import { TrainingError } from '../../src/trainer/errors';
import { fit, type FitPlan, type TrainingData } from '../../src/trainer/fit';
import { learningRateOf } from '../../src/trainer/optimizers';
import { seededRandom } from '../../src/util/random';

const EXAMPLES = 5;
const BATCH_SIZE = 2;

/** Dense 3 → 2 (with a dropout layer in between when asked), compiled as runTraining compiles. */
function compiledModel(dropout = false): tf.LayersModel {
  const model = tf.sequential();
  if (dropout) model.add(tf.layers.dropout({ rate: 0.5, inputShape: [3] }));
  model.add(tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Five examples in batches of two, in order; `label` NaN makes the loss NaN. */
function data(validation: Logs = {}, label = 1): TrainingData {
  const random = seededRandom(4);
  const x = Array.from({ length: EXAMPLES }, () => [random(), random(), random()]);
  return {
    stepsPerEpoch: Math.ceil(EXAMPLES / BATCH_SIZE),
    epochBatches: () => [[0, 1], [2, 3], [4]],
    batch: (indices) => ({ x: tf.tensor2d(indices.map((index) => x[index])), y: tf.tensor2d(indices.map((index) => (index % 2 ? [label, 0] : [0, label]))) }),
    validate: async () => validation,
  };
}

const plan = (initialEpoch: number, epochs: number, dropoutRandom = seededRandom(9)): FitPlan => ({ initialEpoch, epochs, dropoutRandom });

/** Every hook call as a line, and the batches and epoch logs it was given. */
function recorder(extra: (calls: string[]) => Callback = () => ({})): Callback & { calls: string[]; batches: BatchEnd[]; epochs: Logs[] } {
  const calls: string[] = [];
  const batches: BatchEnd[] = [];
  const epochs: Logs[] = [];
  const more = extra(calls);
  return {
    calls,
    batches,
    epochs,
    onEpochBegin: (epoch) => void calls.push(`epochBegin ${epoch}`),
    onBatchBegin: (batch) => {
      calls.push(`batchBegin ${batch}`);
      return more.onBatchBegin?.(batch);
    },
    onBatchEnd: (batch) => {
      calls.push(`batchEnd ${batch.step}`);
      batches.push(batch);
      return more.onBatchEnd?.(batch);
    },
    onBatchGroupEnd: (epoch) => void calls.push(`group ${epoch}`),
    onEpochEnd: (epoch, logs) => {
      calls.push(`epochEnd ${epoch}`);
      epochs.push(logs);
      return more.onEpochEnd?.(epoch, logs);
    },
    onTrainEnd: (outcome) => void calls.push(`trainEnd ${outcome}`),
  };
}

describe('fit: the training loop', function () {
  this.timeout(20_000);

  before(async () => {
    await tf.setBackend('cpu');
  });

  it('calls the hooks in order, from the initial epoch, with running means and a step count that continues the resumed run', async () => {
    const model = compiledModel();
    const callback = recorder();
    const outcome = await fit(model, data({ val_loss: 0.5, val_acc: 0.25 }), plan(1, 3), [callback], new TrainingControl());
    assert.equal(outcome, 'completed');
    const epoch = (index: number, firstStep: number): string[] => [
      `epochBegin ${index}`,
      ...[0, 1, 2].flatMap((batch) => [`batchBegin ${batch}`, `batchEnd ${firstStep + batch}`]),
      `epochEnd ${index}`,
    ];
    // Groups close by time as well; the last one of an epoch closes before its end.
    assert.deepEqual(callback.calls.filter((call) => !call.startsWith('group')), [...epoch(1, 3), ...epoch(2, 6), 'trainEnd completed']);
    for (const index of [1, 2]) assert.equal(callback.calls[callback.calls.indexOf(`epochEnd ${index}`) - 1], `group ${index}`);

    const [first, second, third] = callback.batches;
    assert.deepEqual([first, second, third].map(({ epoch: e, batch, step, size, seen }) => [e, batch, step, size, seen]), [[1, 0, 3, 2, 2], [1, 1, 4, 2, 4], [1, 2, 5, 1, 5]]);
    const logs = callback.epochs[0];
    assert.deepEqual(Object.keys(logs), ['loss', 'acc', 'val_loss', 'val_acc', 'lr']);
    assert.deepEqual({ loss: logs.loss, acc: logs.acc }, third.logs, 'the epoch logs are the running means at its last batch');
    assert.deepEqual([logs.val_loss, logs.val_acc, logs.lr], [0.5, 0.25, learningRateOf(model.optimizer)]);
  });

  it('leaves out the validation logs without validation data', async () => {
    const callback = recorder();
    await fit(compiledModel(), data(), plan(0, 1), [callback], new TrainingControl());
    assert.deepEqual(Object.keys(callback.epochs[0]), ['loss', 'acc', 'lr']);
  });

  it('reports a group after every batch that took longer than a tenth of a second', async () => {
    const slow = recorder(() => ({ onBatchEnd: () => new Promise<void>((resolve) => setTimeout(resolve, 150)) }));
    await fit(compiledModel(), data(), plan(0, 1), [slow], new TrainingControl());
    assert.deepEqual(slow.calls.filter((call) => call.startsWith('batchEnd') || call.startsWith('group')), ['batchEnd 0', 'group 0', 'batchEnd 1', 'group 0', 'batchEnd 2', 'group 0']);
  });

  it('ends after the epoch in which a callback sets stopTraining, and completes', async () => {
    const control = new TrainingControl();
    const callback = recorder(() => ({ onEpochEnd: () => void (control.stopTraining = true) }));
    assert.equal(await fit(compiledModel(), data(), plan(0, 5), [callback], control), 'completed');
    assert.deepEqual(callback.calls.filter((call) => call.startsWith('epochEnd') || call.startsWith('trainEnd')), ['epochEnd 0', 'trainEnd completed']);
  });

  it('ends before the next batch when a callback interrupts, reporting the batches trained but not the epoch, and is stopped', async () => {
    const control = new TrainingControl();
    const callback = recorder(() => ({
      onBatchBegin: (batch) => {
        if (batch === 2) control.interrupted = true;
      },
    }));
    assert.equal(await fit(compiledModel(), data(), plan(0, 3), [callback], control), 'stopped');
    assert.deepEqual(callback.calls.filter((call) => !call.startsWith('group')), ['epochBegin 0', 'batchBegin 0', 'batchEnd 0', 'batchBegin 1', 'batchEnd 1', 'batchBegin 2', 'trainEnd stopped']);
    assert.deepEqual(callback.calls.slice(-2), ['group 0', 'trainEnd stopped'], 'the batches before the stop are reported');
  });

  it('gives the dropout layers a new seed from the run stream before every batch', async () => {
    let draws = 0;
    const stream = seededRandom(9);
    await fit(compiledModel(true), data(), plan(0, 2, () => (draws++, stream())), [], new TrainingControl());
    assert.equal(draws, 6);
  });

  it('fails with the epoch and batch where the loss stopped being a number', async () => {
    const callback = recorder();
    await assert.rejects(fit(compiledModel(), data({}, Number.NaN), plan(0, 2), [callback], new TrainingControl()), (error: unknown) => {
      assert.ok(error instanceof TrainingError);
      assert.match(error.message, /^The loss became NaN at epoch 1, batch 1: training diverged\.$/);
      assert.match(error.hint ?? '', /Lower the learning rate/);
      return true;
    });
    assert.deepEqual(callback.batches, [], 'the diverged batch is not reported');
  });
});
