// A dataset's training split as the loop trains on it: the validation examples held out, the rest
// shuffled into batches every epoch.
import * as tf from '@tensorflow/tfjs';
import type { Logs } from '../runs/format';
import type { BatchMaker } from './batches';
import type { Dataset, ImageSplit } from './datasets';
import type { TrainingData } from './fit';
import type { ResolvedTraining } from './trainingConfig';

export interface SplitTrainingData extends TrainingData {
  examples: { train: number; validation: number };
}

/** `random` must be the stream `batches` augments with: shuffling and augmentation share it, so a seed keeps naming the same run. */
export function trainingData(dataset: Dataset, batches: BatchMaker, training: ResolvedTraining, random: () => number): SplitTrainingData {
  const split = splitValidation(dataset.train, training.validationSplit);
  const { batchSize } = training;
  const stepsPerEpoch = Math.ceil(split.train.length / batchSize);
  return {
    examples: { train: split.train.length, validation: split.validation.length },
    stepsPerEpoch,
    epochBatches() {
      const order = [...split.train];
      if (training.shuffle) shuffleInPlace(order, random);
      return Array.from({ length: stepsPerEpoch }, (_, batch) => order.slice(batch * batchSize, (batch + 1) * batchSize));
    },
    batch: (indices) => batches.make(dataset.train, indices, true),
    validate: async (model) => (split.validation.length > 0 ? evaluateIndices(model, dataset.train, split.validation, batches, batchSize) : {}),
  };
}

/** Keras's validation_split: the last fraction of the training data, taken before shuffling. */
function splitValidation(train: ImageSplit, fraction: number): { train: number[]; validation: number[] } {
  const validationCount = Math.floor(train.count * fraction);
  const trainCount = train.count - validationCount;
  return {
    train: Array.from({ length: trainCount }, (_, index) => index),
    validation: Array.from({ length: validationCount }, (_, index) => trainCount + index),
  };
}

function shuffleInPlace(values: number[], random: () => number): void {
  for (let index = values.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [values[index], values[other]] = [values[other], values[index]];
  }
}

async function evaluateIndices(model: tf.LayersModel, split: ImageSplit, indices: number[], batches: BatchMaker, batchSize: number): Promise<Logs> {
  let loss = 0;
  let acc = 0;
  const chunk = Math.max(batchSize, 256);
  for (let start = 0; start < indices.length; start += chunk) {
    const slice = indices.slice(start, start + chunk);
    const { x, y } = batches.make(split, slice, false);
    const [lossValue, accValue] = tf.tidy(() => {
      const output = model.predict(x) as tf.Tensor;
      return [batches.lossOf(y, output), batches.accuracyOf(y, output)];
    });
    loss += (await lossValue.data())[0] * slice.length;
    acc += (await accValue.data())[0] * slice.length;
    tf.dispose([x, y, lossValue, accValue]);
  }
  return { val_loss: loss / indices.length, val_acc: acc / indices.length };
}
