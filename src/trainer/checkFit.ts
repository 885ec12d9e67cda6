// Whether a model can train on a dataset, checked before any training, with the fix spelled out.
import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from './datasets';
import { TrainingError } from './errors';
import type { ResolvedTraining } from './trainingConfig';

/** The model's input shape without the batch axis; -1 for an unknown size. */
export function perExampleShape(model: tf.LayersModel): number[] {
  return model.inputs[0].shape.slice(1).map((dim) => dim ?? -1);
}

/** The units of the model's last layer: one score per class, or one for a binary classifier. */
export function outputUnitsOf(model: tf.LayersModel): number {
  const outputShape = model.outputs[0].shape;
  return outputShape[outputShape.length - 1] ?? 0;
}

function formatShape(shape: number[]): string {
  return `(None, ${shape.join(', ')})`;
}

/**
 * Refuses a dataset the model cannot take; returns the model's output units. `savedModel`: the file
 * name of a Keras saved model being trained, which CNN Lab does not edit, so the hints say what fits
 * it, or how to use it as a base under a new head.
 */
export function checkFit(model: tf.LayersModel, dataset: Dataset, training: ResolvedTraining, savedModel?: string): number {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new TrainingError(`The model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; training on an image dataset needs one of each.`);
  }
  checkInput(model, dataset, savedModel);
  return checkOutput(model, dataset, training, savedModel);
}

function checkInput(model: tf.LayersModel, dataset: Dataset, savedModel: string | undefined): void {
  const input = perExampleShape(model);
  const image = [dataset.height, dataset.width, dataset.channels];
  const sameSize = input.reduce((product, dim) => product * dim, 1) === image.reduce((product, dim) => product * dim, 1);
  const sameImage = input.length === 3 ? input.every((dim, axis) => dim === image[axis]) : input.length === 2 && dataset.channels === 1 && input[0] === image[0] && input[1] === image[1];
  if (!sameImage && !(input.length === 1 && sameSize)) {
    throw new TrainingError(
      `The model expects input ${formatShape(input)} but '${dataset.name}' gives ${image.join('×')} images (height×width×channels).`,
      savedModel
        ? `${savedModel} takes ${input.join('×')} images only: train it on a dataset of that size, or on an image folder (folder:PATH), which is resized to the model's input.`
        : `Set the first layer's inputShape to [${image.join(', ')}], or train on a dataset of ${input.join('×')} images.`,
    );
  }
}

function checkOutput(model: tf.LayersModel, dataset: Dataset, training: ResolvedTraining, savedModel: string | undefined): number {
  const outputShape = model.outputs[0].shape;
  const outputUnits = outputUnitsOf(model);
  const classes = dataset.classNames.length;
  if (outputShape.length !== 2) {
    throw new TrainingError(`The model's output ${formatShape(outputShape.slice(1).map((dim) => dim ?? -1))} is not one score per class.`, 'End the model with Flatten (or a global pooling layer) and a Dense layer.');
  }
  const binaryOk = outputUnits === 1 && classes === 2;
  if (outputUnits !== classes && !binaryOk) {
    throw new TrainingError(
      `The model's last layer has ${outputUnits} units but '${dataset.name}' has ${classes} classes (${dataset.classNames.slice(0, 12).join(', ')}${classes > 12 ? ', …' : ''}).`,
      savedModel
        ? `${savedModel} classifies into ${outputUnits} classes: train it on a dataset with ${outputUnits} classes, or use it as a base under a new head in a .model.json: { "type": "Model", "path": "${savedModel}", "trainable": false }, then a Dense layer of ${classes} units.`
        : `Set units: ${classes} on the last Dense layer${classes === 2 ? ' (or units: 1 with a sigmoid and binaryCrossentropy)' : ''}.`,
    );
  }
  if (outputUnits === 1 && training.loss !== 'binaryCrossentropy' && training.loss !== 'meanSquaredError') {
    throw new TrainingError(`A model with one output unit needs binaryCrossentropy, not ${training.loss}.`, 'Set "loss": "binaryCrossentropy" in the training block.');
  }
  return outputUnits;
}
