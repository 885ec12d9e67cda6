// The training block as the trainer uses it: defaults filled in, Keras spellings turned into tfjs ones.
import type { TrainingConfig } from '../model/types';
import { UserError } from '../util/userError';
import { LOSS_NAMES, lossNamed, OPTIMIZER_NAMES, optimizerNamed, type LossName, type OptimizerName } from '../model/vocabulary';

export interface ResolvedTraining {
  dataset: string;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  loss: LossName;
  fromLogits: boolean;
  validationSplit: number;
  shuffle: boolean;
  seed: number;
  earlyStopping?: { monitor: string; patience: number; minDelta: number; restoreBestWeights: boolean };
  reduceLROnPlateau?: { monitor: string; factor: number; patience: number; minLR: number };
  checkpoint: { monitor: string; saveBestOnly: boolean };
  augmentation?: TrainingConfig['augmentation'];
}

/** Keras's default learning rates (tf.keras.optimizers.*). */
const defaultLearningRates: Record<OptimizerName, number> = { sgd: 0.01, adam: 0.001, rmsprop: 0.001, adagrad: 0.001 };

/** A training setting the trainer cannot use: the file's training block (or a flag) must change. */
export class TrainingConfigError extends UserError {
  constructor(message: string) {
    super(message, 'Fix the training block of the model file.');
  }
}

/** The seed of a run: the training block's, else a fixed one, so that runs repeat by default as Keras's tutorials expect after `keras.utils.set_random_seed`. */
export function runSeed(config: TrainingConfig): number {
  return config.seed ?? 1234;
}

function optimizerName(name: string): OptimizerName {
  const optimizer = optimizerNamed(name);
  if (!optimizer) throw new TrainingConfigError(`Unknown optimizer '${name}'. Use ${OPTIMIZER_NAMES.slice(0, -1).join(', ')} or ${OPTIMIZER_NAMES[OPTIMIZER_NAMES.length - 1]}.`);
  return optimizer;
}

function lossName(name: string): LossName {
  const loss = lossNamed(name);
  if (!loss) {
    throw new TrainingConfigError(
      `Unknown loss '${name}'. Use ${LOSS_NAMES.slice(0, -1).join(', ')} or ${LOSS_NAMES[LOSS_NAMES.length - 1]} (Keras's snake_case names work too).`,
    );
  }
  return loss;
}

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new TrainingConfigError(`${what} must be a whole number above 0. Received: ${value}.`);
  return value;
}

/** Keras monitors `val_loss` by default; without validation data only the training loss exists. */
function defaultMonitor(validation: boolean): string {
  return validation ? 'val_loss' : 'loss';
}

export function resolveTraining(config: TrainingConfig, outputUnits: number): ResolvedTraining {
  const optimizerSpec = typeof config.optimizer === 'object' ? config.optimizer : { name: config.optimizer ?? 'adam' };
  const optimizer = optimizerName(optimizerSpec.name);
  const learningRate = optimizerSpec.learningRate ?? config.learningRate ?? defaultLearningRates[optimizer];
  if (!(learningRate > 0)) throw new TrainingConfigError(`learningRate must be above 0. Received: ${learningRate}.`);
  const validationSplit = config.validationSplit ?? 0.1;
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new TrainingConfigError(`validationSplit must be in [0, 1). Received: ${validationSplit}.`);
  const monitor = defaultMonitor(validationSplit > 0);
  return {
    dataset: config.dataset ?? 'shapes',
    epochs: positiveInteger(config.epochs, 10, 'epochs'),
    batchSize: positiveInteger(config.batchSize, 32, 'batchSize'),
    optimizer,
    learningRate,
    momentum: typeof config.optimizer === 'object' ? config.optimizer.momentum ?? 0 : 0,
    nesterov: typeof config.optimizer === 'object' ? config.optimizer.nesterov ?? false : false,
    loss: lossName(config.loss ?? (outputUnits === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy')),
    fromLogits: config.fromLogits ?? false,
    validationSplit,
    shuffle: config.shuffle ?? true,
    seed: runSeed(config),
    earlyStopping: config.earlyStopping && {
      monitor: config.earlyStopping.monitor ?? monitor,
      patience: config.earlyStopping.patience ?? 0,
      minDelta: config.earlyStopping.minDelta ?? 0,
      restoreBestWeights: config.earlyStopping.restoreBestWeights ?? false,
    },
    reduceLROnPlateau: config.reduceLROnPlateau && {
      monitor: config.reduceLROnPlateau.monitor ?? monitor,
      factor: config.reduceLROnPlateau.factor ?? 0.1,
      patience: config.reduceLROnPlateau.patience ?? 10,
      minLR: config.reduceLROnPlateau.minLR ?? 0,
    },
    checkpoint: { monitor: config.checkpoint?.monitor ?? monitor, saveBestOnly: config.checkpoint?.saveBestOnly ?? true },
    augmentation: config.augmentation,
  };
}

/** Whether a larger value of this log is better (accuracies), as Keras's `mode='auto'` decides. */
export function higherIsBetter(monitor: string): boolean {
  return /acc/.test(monitor);
}
