// The optional `training` block: accepts tfjs names and Keras spellings (`batch_size`,
// `categorical_crossentropy`), normalizes them to TrainingConfig, and reports values the
// trainer could not use. Unknown keys are reported as warnings, not errors: training is
// optional and the shapes are still right.

import { nearestName } from './catalog';
import { describeValue } from './options';
import type { TrainingConfig } from './types';
import { camelCase } from './names';
import { BACKEND_CHOICES, DATASET_CHOICES_TEXT, isDatasetName, LOSS_NAMES, lossNamed, OPTIMIZER_NAMES, quotedList } from './vocabulary';

export const TRAINING_KEYS = [
  'dataset', 'epochs', 'batchSize', 'optimizer', 'learningRate', 'loss', 'fromLogits', 'metrics', 'validationSplit', 'shuffle', 'seed',
  'grayscale', 'earlyStopping', 'reduceLROnPlateau', 'checkpoint', 'augmentation', 'backend',
] as const;

/**
 * The fields of the training keys whose value is an object, with their JSON types. The editor's
 * schema completes them, and a sweep addresses them as `<key>.<field>` (`augmentation.rotationRange`).
 */
export const TRAINING_OBJECT_FIELDS = {
  optimizer: { name: 'string', learningRate: 'number', momentum: 'number', nesterov: 'boolean' },
  earlyStopping: { monitor: 'string', patience: 'integer', minDelta: 'number', restoreBestWeights: 'boolean' },
  reduceLROnPlateau: { monitor: 'string', factor: 'number', patience: 'integer', minLR: 'number' },
  checkpoint: { monitor: 'string', saveBestOnly: 'boolean' },
  augmentation: { horizontalFlip: 'boolean', rotationRange: 'number', widthShiftRange: 'number', heightShiftRange: 'number', zoomRange: 'number' },
} as const satisfies Record<string, Record<string, 'string' | 'number' | 'integer' | 'boolean'>>;

export type TrainingObjectKey = keyof typeof TRAINING_OBJECT_FIELDS;

export const isTrainingObjectKey = (key: string): key is TrainingObjectKey => Object.hasOwn(TRAINING_OBJECT_FIELDS, key);


export interface TrainingProblem {
  /** The key to blame (tfjs spelling), or undefined for the whole block. */
  key?: string;
  /** The key as written in the file, for ranges. */
  writtenKey?: string;
  severity: 'error' | 'warning';
  message: string;
}

const isPositiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

/** Reads a training block value; returns the normalized config and the problems found. */
export function readTraining(value: unknown): { training?: TrainingConfig; problems: TrainingProblem[] } {
  const problems: TrainingProblem[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [{ severity: 'error', message: `\`training\` must be an object such as {"dataset": "mnist", "epochs": 10}. Received: training=${describeValue(value)}.` }] };
  }
  const training: Record<string, unknown> = {};
  for (const [writtenKey, raw] of Object.entries(value)) {
    const key = camelCase(writtenKey);
    if (!(TRAINING_KEYS as readonly string[]).includes(key)) {
      const suggestion = nearestName(key, TRAINING_KEYS);
      problems.push({ writtenKey, severity: 'warning', message: `Unknown training option '${writtenKey}'; it is ignored.${suggestion ? ` Did you mean '${suggestion}'?` : ''}` });
      continue;
    }
    const problem = checkTrainingValue(key, raw);
    if (problem) {
      problems.push({ key, writtenKey, severity: 'error', message: `Invalid value for training \`${key}\`: expected ${problem}. Received: ${writtenKey}=${describeValue(raw)}.` });
      continue;
    }
    training[key] = normalizeTrainingValue(key, raw);
  }
  return { training: training as TrainingConfig, problems };
}

function checkTrainingValue(key: string, value: unknown): string | undefined {
  switch (key) {
    case 'dataset':
      return typeof value === 'string' && isDatasetName(value) ? undefined : DATASET_CHOICES_TEXT;
    case 'epochs':
    case 'batchSize':
      return isPositiveInteger(value) ? undefined : 'a positive integer';
    case 'learningRate':
      return typeof value === 'number' && value > 0 ? undefined : 'a positive number';
    case 'validationSplit':
      return typeof value === 'number' && value >= 0 && value < 1 ? undefined : 'a number in [0, 1)';
    case 'optimizer': {
      const name = typeof value === 'string' ? value : typeof value === 'object' && value !== null ? (value as { name?: unknown }).name : undefined;
      return typeof name === 'string' && (OPTIMIZER_NAMES as readonly string[]).includes(name.toLowerCase()) ? undefined : `one of ${quotedList(OPTIMIZER_NAMES)} or {"name": ..., "learningRate": ...}`;
    }
    case 'loss':
      return typeof value === 'string' && lossNamed(value) ? undefined : `one of ${quotedList(LOSS_NAMES)}`;
    case 'fromLogits':
    case 'shuffle':
    case 'grayscale':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'metrics':
      return Array.isArray(value) && value.every((metric) => typeof metric === 'string') ? undefined : 'a list of metric names, e.g. ["accuracy"]';
    case 'seed':
      return Number.isInteger(value) ? undefined : 'an integer';
    case 'backend':
      return (BACKEND_CHOICES as readonly string[]).includes(String(value)) ? undefined : `one of ${quotedList(BACKEND_CHOICES)}`;
    default:
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : 'an object';
  }
}

/** Keras spellings inside values (`categorical_crossentropy`, `learning_rate`) become tfjs ones. */
function normalizeTrainingValue(key: string, value: unknown): unknown {
  if (key === 'loss' && typeof value === 'string') return lossNamed(value) ?? value;
  if (key === 'optimizer' && typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const normalized: Record<string, unknown> = {};
    for (const [inner, innerValue] of Object.entries(value)) normalized[camelCase(inner)] = innerValue;
    if (key === 'optimizer' && typeof normalized.name === 'string') normalized.name = normalized.name.toLowerCase();
    return normalized;
  }
  return value;
}
