// Real parts for the callback tests: a small tfjs model, a run folder with its RunWriter, events.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RunWriter } from '../../../src/runs/store';
import { temporaryDir } from '../helpers';
import { sampleRecord } from '../runFolders';

/** Dense 3 → 2 with fixed initial weights. */
export function smallModel(seed = 3): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  return model;
}

export function weightsOf(model: tf.LayersModel): number[][] {
  return model.getWeights().map((weight) => Array.from(weight.dataSync()));
}

/** Replaces every weight of `model` with `value`, as a training step would change them. */
export function overwriteWeights(model: tf.LayersModel, value: number): void {
  const filled = model.getWeights().map((weight) => tf.fill(weight.shape, value));
  model.setWeights(filled);
  tf.dispose(filled);
}

/** A new run folder, `running`, as runTraining opens one. */
export function openRun(epochsCompleted = 0): RunWriter {
  return RunWriter.create(join(temporaryDir('cnnlab-callbacks-'), 'runs'), sampleRecord('run-1', { status: 'running', epochsCompleted, epochsPlanned: 5 }));
}
