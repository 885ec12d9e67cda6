// Turns uint8 dataset examples into the tensors the model and the loss expect.
import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from './datasets';
import type { ResolvedTraining } from './trainingConfig';
import { augmentBatch, augmentationEnabled } from './augment';

export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

export interface BatchMaker {
  /** x scaled to [0, 1] in the model's input shape; y encoded for the loss. */
  make(split: ImageSplit, indices: number[], augment: boolean): { x: tf.Tensor; y: tf.Tensor };
  /** Mean loss of a batch, the same function training minimises. */
  lossOf(y: tf.Tensor, output: tf.Tensor): tf.Scalar;
  /** Mean accuracy of a batch. */
  accuracyOf(y: tf.Tensor, output: tf.Tensor): tf.Scalar;
  /** Per-class probabilities for a batch of model outputs ([batch, classes] even for one sigmoid unit). */
  classProbabilities(output: tf.Tensor): tf.Tensor2D;
  /** What model.compile gets: tfjs's named loss, or a function where tfjs has none (logits). */
  compileLoss: string | LossFn;
  metric: LossFn;
}

export function createBatchMaker(
  imageShape: [number, number, number],
  modelInputShape: number[],
  classes: number,
  outputUnits: number,
  training: ResolvedTraining,
  random: () => number,
): BatchMaker {
  const [height, width, channels] = imageShape;
  const exampleBytes = height * width * channels;
  const singleUnit = outputUnits === 1;
  const { loss: lossName, fromLogits } = training;
  const sparse = lossName === 'sparseCategoricalCrossentropy' && !fromLogits;

  const encodeLabels = (labels: number[]): tf.Tensor => {
    if (singleUnit) return tf.tensor2d(labels, [labels.length, 1]);
    if (sparse) return tf.tensor2d(labels, [labels.length, 1]);
    return tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
  };

  // Logits need the softmax/sigmoid inside the loss; tfjs's named losses expect probabilities.
  const logitsLoss: LossFn | undefined = !fromLogits
    ? undefined
    : singleUnit || lossName === 'binaryCrossentropy'
      ? (yTrue, yPred) => tf.losses.sigmoidCrossEntropy(yTrue, yPred)
      : (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred);
  const probabilityLoss: LossFn = (yTrue, yPred) => {
    if (lossName === 'meanSquaredError') return tf.metrics.meanSquaredError(yTrue, yPred);
    if (lossName === 'binaryCrossentropy') return tf.metrics.binaryCrossentropy(yTrue, yPred);
    const oneHot = sparse ? tf.oneHot(tf.cast(tf.reshape(yTrue, [-1]), 'int32'), classes) : yTrue;
    return tf.metrics.categoricalCrossentropy(oneHot, yPred);
  };
  const loss = logitsLoss ?? probabilityLoss;
  const metric: LossFn = singleUnit
    ? fromLogits
      ? (yTrue, yPred) => tf.metrics.binaryAccuracy(yTrue, tf.sigmoid(yPred))
      : (yTrue, yPred) => tf.metrics.binaryAccuracy(yTrue, yPred)
    : sparse
      ? (yTrue, yPred) => tf.metrics.sparseCategoricalAccuracy(yTrue, yPred)
      : (yTrue, yPred) => tf.metrics.categoricalAccuracy(yTrue, yPred);

  return {
    make(split, indices, augment) {
      const pixels = new Float32Array(indices.length * exampleBytes);
      const labels: number[] = [];
      for (const [position, index] of indices.entries()) {
        const source = split.images.subarray(index * exampleBytes, (index + 1) * exampleBytes);
        for (let offset = 0; offset < exampleBytes; offset++) pixels[position * exampleBytes + offset] = source[offset] / 255;
        labels.push(split.labels[index]);
      }
      const x = tf.tidy(() => {
        let images = tf.tensor4d(pixels, [indices.length, height, width, channels]);
        if (augment && augmentationEnabled(training.augmentation)) images = augmentBatch(images, training.augmentation, random);
        return images.reshape([indices.length, ...modelInputShape]);
      });
      return { x, y: encodeLabels(labels) };
    },
    lossOf: (y, output) => tf.tidy(() => tf.mean(loss(y, output)) as tf.Scalar),
    accuracyOf: (y, output) => tf.tidy(() => tf.mean(metric(y, output)) as tf.Scalar),
    classProbabilities: (output) =>
      tf.tidy(() => {
        if (singleUnit) {
          const positive = fromLogits ? tf.sigmoid(output) : output;
          return tf.concat([tf.sub(1, positive), positive], 1) as tf.Tensor2D;
        }
        return (fromLogits ? tf.softmax(output) : output) as tf.Tensor2D;
      }),
    compileLoss: logitsLoss ?? lossName,
    metric,
  };
}
