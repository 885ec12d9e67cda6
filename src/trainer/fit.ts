// The training loop, Keras's `fit` with its callbacks, one `trainOnBatch` at a time so that a Stop
// takes effect after the current batch. Everything a run does besides training (metrics.jsonl,
// events to the host, checkpoints, early stopping, learning-rate changes) is a callback.
import * as tf from '@tensorflow/tfjs';
import type { Logs } from '../runs/format';
import { CallbackList, type Callback, type FitOutcome, type TrainingControl } from './callbacks/callback';
import { TrainingError } from './errors';
import { learningRateOf } from './optimizers';
import { reseedStochasticLayers } from './seeding';

/** At most this many batch groups (`batches` events and metrics lines) per second. */
const BATCH_GROUPS_PER_SECOND = 10;

/** The examples a run trains and validates on, in batches. */
export interface TrainingData {
  stepsPerEpoch: number;
  /** The example indices of each batch of the next epoch, in training order. */
  epochBatches(): number[][];
  /** The tensors of a training batch, augmented when the run augments; the caller disposes them. */
  batch(indices: number[]): { x: tf.Tensor; y: tf.Tensor };
  /** val_loss and val_acc on the held-out examples; nothing without validation data. */
  validate(model: tf.LayersModel): Promise<Logs>;
}

export interface FitPlan {
  /** The first epoch to train: 0, or the epoch a resumed run's saved model reached. */
  initialEpoch: number;
  epochs: number;
  /** Seeds the dropout layers afresh at every batch (see reseedStochasticLayers). */
  dropoutRandom: () => number;
}

/** Trains a compiled `model` from `plan.initialEpoch` until `plan.epochs`, or until a callback ends training. */
export async function fit(model: tf.LayersModel, data: TrainingData, plan: FitPlan, callbacks: readonly Callback[], control: TrainingControl): Promise<FitOutcome> {
  const list = new CallbackList(callbacks);
  for (let epoch = plan.initialEpoch; epoch < plan.epochs && !control.stopTraining; epoch++) {
    await list.onEpochBegin(epoch);
    const trained = await trainEpoch(model, data, plan, epoch, list, control);
    if (control.interrupted) break;
    const logs: Logs = { ...trained, ...(await data.validate(model)), lr: learningRateOf(model.optimizer) };
    await list.onEpochEnd(epoch, logs);
  }
  const outcome = control.interrupted ? 'stopped' : 'completed';
  await list.onTrainEnd(outcome);
  return outcome;
}

/** Trains one epoch, batch by batch; returns its mean loss and accuracy. */
async function trainEpoch(model: tf.LayersModel, data: TrainingData, plan: FitPlan, epoch: number, list: CallbackList, control: TrainingControl): Promise<Logs> {
  let lossSum = 0;
  let accSum = 0;
  let seen = 0;
  let groupStart = Date.now();
  let grouped = 0;
  for (const [batch, indices] of data.epochBatches().entries()) {
    await list.onBatchBegin(batch);
    if (control.interrupted) break;
    const { loss, acc } = await trainBatch(model, data, plan, indices);
    if (!Number.isFinite(loss)) throw divergence(loss, epoch, batch);
    lossSum += loss * indices.length;
    accSum += acc * indices.length;
    seen += indices.length;
    const step = epoch * data.stepsPerEpoch + batch;
    await list.onBatchEnd({ epoch, batch, step, size: indices.length, seen, logs: { loss: lossSum / seen, acc: accSum / seen } });
    grouped += 1;
    if (Date.now() - groupStart >= 1000 / BATCH_GROUPS_PER_SECOND) {
      await list.onBatchGroupEnd(epoch);
      groupStart = Date.now();
      grouped = 0;
    }
  }
  if (grouped > 0) await list.onBatchGroupEnd(epoch);
  return { loss: lossSum / seen, acc: accSum / seen };
}

async function trainBatch(model: tf.LayersModel, data: TrainingData, plan: FitPlan, indices: number[]): Promise<{ loss: number; acc: number }> {
  const { x, y } = data.batch(indices);
  reseedStochasticLayers(model, plan.dropoutRandom);
  const result = await model.trainOnBatch(x, y);
  tf.dispose([x, y]);
  const [loss, acc] = Array.isArray(result) ? result : [result, Number.NaN];
  return { loss, acc };
}

function divergence(loss: number, epoch: number, batch: number): TrainingError {
  return new TrainingError(
    `The loss became ${loss} at epoch ${epoch + 1}, batch ${batch + 1}: training diverged.`,
    'Lower the learning rate, check that inputs are scaled, or use a softmax output with categoricalCrossentropy.',
  );
}
