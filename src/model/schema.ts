// The JSON Schema of `*.model.json` (schemas/model.schema.json), generated from LAYER_CATALOG so
// that editor completion and validation list exactly the layers and options the core accepts.
// A test regenerates it and fails when the shipped file differs.

import { ACTIVATIONS, COMMON_OPTIONS, LAYER_CATALOG, type OptionKind, type OptionSpec } from './catalog';

type JsonSchema = Record<string, unknown>;

const positiveInt: JsonSchema = { type: 'integer', minimum: 1 };
const nonNegativeInt: JsonSchema = { type: 'integer', minimum: 0 };
const dim: JsonSchema = { anyOf: [positiveInt, { type: 'null' }] };

const KIND_SCHEMAS: Record<OptionKind, JsonSchema> = {
  positiveInt,
  positiveIntOrPair: { anyOf: [positiveInt, { type: 'array', items: positiveInt, minItems: 2, maxItems: 2 }] },
  padding: { enum: ['valid', 'same'] },
  activation: { enum: [...ACTIVATIONS] },
  boolean: { type: 'boolean' },
  rate: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
  number: { type: ['number', 'null'] },
  positiveNumber: { type: 'number', exclusiveMinimum: 0 },
  nullablePositiveNumber: { anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'null' }] },
  shape: { type: 'array', items: dim, minItems: 1 },
  batchShape: { anyOf: [{ type: 'array', items: dim, minItems: 1 }, { type: 'null' }] },
  targetShape: { type: 'array', items: { anyOf: [positiveInt, { const: -1 }] }, minItems: 1 },
  axis: { type: 'integer' },
  dataFormat: { enum: ['channelsLast'] },
  paddingAmounts: {
    anyOf: [
      nonNegativeInt,
      { type: 'array', items: nonNegativeInt, minItems: 2, maxItems: 2 },
      { type: 'array', items: { type: 'array', items: nonNegativeInt, minItems: 2, maxItems: 2 }, minItems: 2, maxItems: 2 },
    ],
  },
  interpolation: { enum: ['nearest', 'bilinear'] },
  string: { type: ['string', 'null'] },
  initializer: { anyOf: [{ type: 'string' }, { type: 'object' }] },
  nullableObject: { anyOf: [{ type: 'string' }, { type: 'object' }, { type: 'null' }] },
  inputNames: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
};

function optionSchema(spec: OptionSpec): JsonSchema {
  const schema: JsonSchema = { ...KIND_SCHEMAS[spec.kind], description: spec.description };
  if (spec.default !== undefined && spec.default !== null) schema.default = spec.default;
  return schema;
}

export function buildModelSchema(): JsonSchema {
  const layerVariants = LAYER_CATALOG.map((layerKind) => {
    const properties: Record<string, JsonSchema> = { type: { enum: [layerKind.className, ...layerKind.aliases], description: layerKind.description } };
    for (const [name, spec] of Object.entries({ ...COMMON_OPTIONS, ...layerKind.options })) properties[name] = optionSchema(spec);
    const required = ['type', ...Object.entries(layerKind.options).filter(([, spec]) => spec.required).map(([name]) => name)];
    return {
      if: { properties: { type: { enum: [layerKind.className, ...layerKind.aliases] } }, required: ['type'] },
      then: { properties, required, additionalProperties: false },
    };
  });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://cnn-lab.invalid/schemas/model.schema.json',
    title: 'CNN Lab model',
    description: 'A CNN as a list of tf.layers layers (option names as in tf.layers args), with an optional training block.',
    type: 'object',
    required: ['layers'],
    properties: {
      $schema: { type: 'string' },
      name: { type: 'string', description: 'Model name shown in the summary.' },
      description: { type: 'string' },
      inputShape: { ...KIND_SCHEMAS.shape, description: 'Shape of one example without the batch axis, e.g. [28, 28, 1] (height, width, channels).' },
      outputs: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'Functional models: names of the output layers (default: the last layer).' },
      layers: {
        type: 'array',
        description: 'Layers in order. A layer with `inputs` makes the model functional.',
        items: {
          type: 'object',
          required: ['type'],
          properties: { type: { enum: LAYER_CATALOG.flatMap((layerKind) => [layerKind.className, ...layerKind.aliases]), description: 'Keras layer class name.' } },
          allOf: layerVariants,
        },
      },
      training: {
        type: 'object',
        description: 'Dataset and hyperparameters used by "CNN Lab: Train Model".',
        properties: {
          dataset: { anyOf: [{ enum: ['shapes', 'mnist', 'fashion-mnist', 'cifar10'] }, { type: 'string', pattern: '^folder:' }] },
          epochs: positiveInt,
          batchSize: positiveInt,
          optimizer: {
            anyOf: [
              { enum: ['sgd', 'adam', 'rmsprop', 'adagrad'] },
              { type: 'object', properties: { name: { enum: ['sgd', 'adam', 'rmsprop', 'adagrad'] }, learningRate: { type: 'number' }, momentum: { type: 'number' }, nesterov: { type: 'boolean' } }, required: ['name'] },
            ],
          },
          learningRate: { type: 'number', exclusiveMinimum: 0 },
          loss: { enum: ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'] },
          fromLogits: { type: 'boolean' },
          metrics: { type: 'array', items: { type: 'string' } },
          validationSplit: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
          shuffle: { type: 'boolean' },
          seed: { type: 'integer' },
          grayscale: { type: 'boolean' },
          earlyStopping: { type: 'object', properties: { monitor: { type: 'string' }, patience: { type: 'integer' }, minDelta: { type: 'number' }, restoreBestWeights: { type: 'boolean' } } },
          reduceLROnPlateau: { type: 'object', properties: { monitor: { type: 'string' }, factor: { type: 'number' }, patience: { type: 'integer' }, minLR: { type: 'number' } } },
          checkpoint: { type: 'object', properties: { monitor: { type: 'string' }, saveBestOnly: { type: 'boolean' } } },
          augmentation: {
            type: 'object',
            properties: { horizontalFlip: { type: 'boolean' }, rotationRange: { type: 'number' }, widthShiftRange: { type: 'number' }, heightShiftRange: { type: 'number' }, zoomRange: { type: 'number' } },
          },
          backend: { enum: ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] },
        },
      },
    },
  };
}
