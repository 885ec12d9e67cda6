// The JSON Schema of `*.model.json` (schemas/model.schema.json), generated from LAYER_CATALOG so
// that editor completion and validation list exactly the layers and options the core accepts.
// A test regenerates it and fails when the shipped file differs.

import { APPLICATION_NAMES, applicationSchemaVariants } from './applications';
import { COMMON_OPTIONS, LAYER_CATALOG, type OptionKind, type OptionSpec } from './catalog';
import { SWEEP_GOALS, SWEEP_METHODS, SWEEP_METRICS } from './sweep';
import { TRAINING_KEYS, TRAINING_OBJECT_FIELDS, type TrainingObjectKey } from './training';
import { ACTIVATIONS, BACKEND_CHOICES, BUILT_IN_DATASET_NAMES, FOLDER_DATASET_PREFIX, LOSS_NAMES, OPTIMIZER_NAMES } from './vocabulary';

// Each problem is reported once, by CNN Lab (issue 10, item 9). VS Code's JSON service validates
// a document against this schema and CNN Lab's own diagnostics check the same file; when both
// checked option names, types and enum values, every typo appeared twice. CNN Lab is the side that
// keeps reporting: its messages use Keras's wording ("Unrecognized keyword argument … Did you
// mean …", "Received: …"), point at the exact token, and carry the quick fixes (rename the option,
// change the value, add the input shape) that VS Code offers only for diagnostics it published
// itself; the schema's "Property padingg is not allowed" can carry none of that. So this schema
// only helps to write the file: property names and descriptions for completion and hover, defaults,
// and the allowed values as completion proposals (`defaultSnippets`, which VS Code proposes but
// never validates). It has no `additionalProperties: false`, `required`, `enum`, `type` or range
// keyword on anything CNN Lab checks (the layers, their options, the top-level inputShape and
// layers, the training block's own keys); it still validates the few values CNN Lab does not check
// (`name`, `description`, `outputs`, and the keys inside training's nested objects), where it is the
// only report.

type JsonSchema = Record<string, unknown>;

/** Completion proposals for a value, without validating it. */
const proposals = (values: readonly unknown[]): JsonSchema => ({ defaultSnippets: values.map((value) => ({ label: JSON.stringify(value), body: value })) });
const fieldTypes = (key: TrainingObjectKey): Record<string, JsonSchema> =>
  Object.fromEntries(Object.entries(TRAINING_OBJECT_FIELDS[key]).map(([field, type]) => [field, { type }]));

const KIND_HINTS: Record<OptionKind, JsonSchema> = {
  positiveInt: {},
  positiveIntOrPair: {},
  padding: proposals(['valid', 'same']),
  activation: proposals(ACTIVATIONS),
  boolean: proposals([true, false]),
  rate: {},
  number: {},
  positiveNumber: {},
  nullablePositiveNumber: {},
  shape: proposals([[28, 28, 1], [32, 32, 3]]),
  batchShape: {},
  targetShape: {},
  axis: {},
  axes: {},
  nullableAxes: {},
  nullableNonNegativeIntOrPair: {},
  nullableNumbers: {},
  dataFormat: proposals(['channelsLast']),
  paddingAmounts: {},
  interpolation: proposals(['nearest', 'bilinear']),
  string: {},
  initializer: proposals(['glorotUniform', 'heNormal', 'heUniform', 'leCunNormal', 'zeros', 'ones']),
  nullableObject: {},
  inputNames: {},
};

// Completion order (issue 10, item 19). VS Code's JSON service sorts property proposals by label
// unless the schema gives `suggestSortText` (its own keyword, copied to the proposal's sortText);
// the order of `properties` does not count. So each option carries a sort key: the layer's
// required options first, then the ones nearly every layer of that kind sets, then the first
// layer's `inputShape` and `name`, then the rest alphabetically. `completionDetail` shows the Keras
// spelling beside the proposal (newer VS Code), and the description names it too (every version).

/** Options to propose first, in this order, when the layer has them. */
const FIRST_OPTIONS = ['filters', 'units', 'rate', 'kernelSize', 'poolSize', 'activation', 'padding', 'strides'];
/** Pooling reads as Keras writes it: pool size, then strides, then padding. */
const POOLING_FIRST = ['poolSize', 'strides', 'padding'];
const THEN_OPTIONS = ['inputShape', 'name'];

/** Keras's name for a tf.layers option: `kernelSize` → `kernel_size`. */
export function kerasOptionName(option: string): string {
  return option.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** The layer's options in completion order. */
export function optionCompletionOrder(options: Record<string, OptionSpec>, className: string): string[] {
  const names = Object.keys(options);
  const first = /Pooling/.test(className) ? POOLING_FIRST : FIRST_OPTIONS;
  const required = names.filter((name) => options[name].required);
  const leading = [...required, ...first.filter((name) => name in options), ...THEN_OPTIONS.filter((name) => name in options)];
  const unique = [...new Set(leading)];
  return [...unique, ...names.filter((name) => !unique.includes(name)).sort()];
}

function optionSchema(name: string, spec: OptionSpec, rank: number): JsonSchema {
  // `inputs` is CNN Lab's own way to wire a functional model: Keras has no such layer argument.
  const keras = name === 'inputs' ? undefined : kerasOptionName(name);
  const schema: JsonSchema = { ...KIND_HINTS[spec.kind], description: keras ? `${spec.description} Keras: ${keras}.` : spec.description };
  if (spec.default !== undefined && spec.default !== null) schema.default = spec.default;
  schema.suggestSortText = `${String(rank).padStart(3, '0')} ${name}`;
  if (keras) schema.completionDetail = `Keras: ${keras}`;
  return schema;
}


export function buildModelSchema(): JsonSchema {
  const layerVariants: JsonSchema[] = LAYER_CATALOG.map((layerKind) => {
    const properties: Record<string, JsonSchema> = { type: { description: layerKind.description, suggestSortText: '000 type' } };
    const options = { ...COMMON_OPTIONS, ...layerKind.options };
    optionCompletionOrder(options, layerKind.className).forEach((name, index) => {
      properties[name] = optionSchema(name, options[name], index + 1);
    });
    // `if` only selects which layer's options to propose; it reports nothing itself.
    return {
      if: { properties: { type: { enum: [layerKind.className, ...layerKind.aliases] } }, required: ['type'] },
      then: { properties },
    };
  });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://cnn-lab.invalid/schemas/model.schema.json',
    title: 'CNN Lab model',
    description: 'A CNN as a list of tf.layers layers (option names as in tf.layers args), with an optional training block.',
    properties: {
      $schema: { type: 'string' },
      name: { type: 'string', description: 'Model name shown in the summary.' },
      description: { type: 'string' },
      inputShape: { ...KIND_HINTS.shape, description: 'Shape of one example without the batch axis, e.g. [28, 28, 1] (height, width, channels).' },
      outputs: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'Functional models: names of the output layers (default: the last layer).' },
      layers: {
        description: 'Layers in order. A layer with `inputs` makes the model functional.',
        items: {
          properties: { type: { ...proposals([...LAYER_CATALOG.map((layerKind) => layerKind.className), ...APPLICATION_NAMES, 'Model']), description: 'Keras layer class name, a keras.applications base (VGG16, ResNet50…) or Model (a saved model).' } },
          allOf: [...layerVariants, ...applicationSchemaVariants()],
        },
      },
      training: {
        description: 'Dataset and hyperparameters used by "CNN Lab: Train Model".',
        // CNN Lab checks every key here and its value (src/model/training.ts); inside the nested
        // objects it checks only that they are objects, so their keys keep their types.
        properties: {
          dataset: { ...proposals([...BUILT_IN_DATASET_NAMES, FOLDER_DATASET_PREFIX]), description: 'A built-in dataset, or "folder:PATH" for a folder of images, one subfolder per class.' },
          epochs: { description: 'Passes over the training data.' },
          batchSize: { description: 'Examples per gradient step.' },
          optimizer: { ...proposals(OPTIMIZER_NAMES), properties: { ...fieldTypes('optimizer'), name: proposals(OPTIMIZER_NAMES) } },
          learningRate: { description: 'Step size of the optimizer.' },
          loss: proposals(LOSS_NAMES),
          fromLogits: proposals([true, false]),
          metrics: proposals([['accuracy']]),
          validationSplit: { description: 'Fraction of the training data held out for validation, in [0, 1).' },
          shuffle: proposals([true, false]),
          seed: { description: 'Random seed, for runs that can be repeated.' },
          grayscale: proposals([true, false]),
          earlyStopping: { properties: fieldTypes('earlyStopping') },
          reduceLROnPlateau: { properties: fieldTypes('reduceLROnPlateau') },
          checkpoint: { properties: fieldTypes('checkpoint') },
          augmentation: { properties: fieldTypes('augmentation') },
          backend: proposals(BACKEND_CHOICES),
        },
      },
      // CNN Lab checks every key and value of the sweep block (src/model/sweep.ts), layer names included.
      sweep: {
        description: 'A grid or random search over training keys and layer options: "cnnlab sweep FILE" or "CNN Lab: Sweep…" trains one run per variant.',
        properties: {
          method: { ...proposals(SWEEP_METHODS), description: 'grid: every combination; random: `trials` combinations drawn with `seed`.' },
          parameters: {
            description: 'Values to try: a training key (learningRate, batchSize, optimizer…), a field of an object-valued one ("augmentation.rotationRange") or "<layer name>.<option>" (e.g. "conv2d.filters"), each with a list of values.',
            properties: Object.fromEntries(TRAINING_KEYS.map((key) => [key, { description: `Values of the training key ${key} to try, e.g. a list of numbers.` }])),
          },
          trials: { description: 'Random search: how many variants to draw.' },
          metric: { ...proposals(SWEEP_METRICS.map((metric) => metric.name)), description: 'The metric variants are ranked by (default val_acc).' },
          goal: { ...proposals(SWEEP_GOALS), description: 'Whether a higher (max) or lower (min) metric is better; by default max for accuracy, min for loss.' },
          seed: { description: 'Seed of the random search draw.' },
        },
      },
    },
  };
}
