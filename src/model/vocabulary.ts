// Every name a user can write or pick that is not a layer kind (those live in catalog.ts), written
// once. The validator, the JSON schema, the trainer, the CLI, the settings quick pick and the
// manifest all take their lists from here, so a name accepted in one place is accepted in all.

import { camelCase } from './names';

/** The datasets a `training.dataset` can name (besides `folder:PATH`), with what the model must fit. */
export const BUILT_IN_DATASETS = [
  {
    name: 'shapes',
    // Generated to fit the model's input: no fixed size.
    inputShape: undefined,
    classNames: ['circle', 'square', 'triangle', 'cross'],
    description: 'Generated circles, squares, triangles and crosses; no download, learns in under a minute',
  },
  {
    name: 'mnist',
    inputShape: [28, 28, 1],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    description: 'Handwritten digits, 28×28 grey (downloaded on first use)',
  },
  {
    name: 'fashion-mnist',
    inputShape: [28, 28, 1],
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    description: 'Clothing, 28×28 grey (downloaded on first use)',
  },
  {
    name: 'cifar10',
    inputShape: [32, 32, 3],
    classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    description: 'Ten object classes, 32×32 colour (downloaded on first use)',
  },
] as const;

export type BuiltInDatasetName = (typeof BUILT_IN_DATASETS)[number]['name'];
export const BUILT_IN_DATASET_NAMES: readonly BuiltInDatasetName[] = BUILT_IN_DATASETS.map((dataset) => dataset.name);

/** Other spellings users write for a built-in dataset (Keras's own loader says `cifar10`, its docs `CIFAR-10`). */
const DATASET_ALIASES: Record<string, BuiltInDatasetName> = { 'cifar-10': 'cifar10' };

/** The prefix of a dataset read from a folder of class subfolders. */
export const FOLDER_DATASET_PREFIX = 'folder:';

/** The built-in dataset `name` means, alias or not; undefined for a folder or an unknown name. */
export function builtInDataset(name: string): (typeof BUILT_IN_DATASETS)[number] | undefined {
  const canonical = DATASET_ALIASES[name] ?? name;
  return BUILT_IN_DATASETS.find((dataset) => dataset.name === canonical);
}

/** The class names of a built-in dataset, in label order. */
export function classNamesOf(name: BuiltInDatasetName): readonly string[] {
  return BUILT_IN_DATASETS.find((dataset) => dataset.name === name)?.classNames ?? [];
}

export function isDatasetName(value: string): boolean {
  return builtInDataset(value) !== undefined || value.startsWith(FOLDER_DATASET_PREFIX);
}

/** How the user names every accepted dataset, for messages: `"shapes", "mnist", … or "folder:PATH"`. */
export const DATASET_CHOICES_TEXT = `${quotedList(BUILT_IN_DATASET_NAMES)} or "${FOLDER_DATASET_PREFIX}PATH"`;

/** Backends the trainer can run on, in the order `auto` tries them. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What a user may choose: `tensorflow` takes the GPU build when it is installed, so `tensorflow-gpu` is not a choice of its own. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export function isBackendChoice(value: string | undefined): value is BackendChoice {
  return (BACKEND_CHOICES as readonly (string | undefined)[]).includes(value);
}

export const OPTIMIZER_NAMES = ['sgd', 'adam', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export const LOSS_NAMES = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'] as const;
export type LossName = (typeof LOSS_NAMES)[number];
/** Keras's short names for losses. */
const LOSS_ALIASES: Record<string, LossName> = { mse: 'meanSquaredError' };

/** The loss a name means, in Keras's snake_case, tfjs's camelCase or a Keras alias; undefined when none. */
export function lossNamed(name: string): LossName | undefined {
  const camel = camelCase(name);
  return LOSS_ALIASES[camel] ?? LOSS_NAMES.find((loss) => loss === camel);
}

/** The optimizer a name means, whatever its case; undefined when none. */
export function optimizerNamed(name: string): OptimizerName | undefined {
  return OPTIMIZER_NAMES.find((optimizer) => optimizer === name.toLowerCase());
}

/** Metrics the trainer reports besides the loss (Keras's `acc` is read as `accuracy`). */
export const METRIC_NAMES = ['accuracy'] as const;

/**
 * Every activation Keras 3 accepts by name: `keras.activations.get` looks names up in
 * keras/src/activations/__init__.py's ALL_OBJECTS_DICT (each function's name, plus the aliases
 * `swish` for silu and `hard_swish` for hard_silu). Listed in tfjs's camelCase spelling
 * (`hardSigmoid`, as tfjs writes it); a model file may write each as Keras does (`hard_sigmoid`) or
 * in camelCase, and `activationNamed` reads both. `null` means linear, as in Keras and tfjs.
 * No activation changes a layer's output shape or its weights in Keras's summary (an Activation
 * layer's and every other layer's compute_output_shape ignore it), so the model core needs only
 * the names; which of them tfjs can run is `TFJS_ACTIVATIONS`.
 */
export const ACTIVATIONS = [
  'linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'softmax', 'softplus', 'softsign', 'tanh', 'swish', 'mish', 'gelu',
  'silu', 'leakyRelu', 'hardSilu', 'hardSwish', 'logSoftmax', 'exponential', 'celu', 'glu', 'sparsePlus', 'squareplus', 'tanhShrink',
  'softShrink', 'hardShrink', 'hardTanh', 'threshold', 'logSigmoid', 'sparsemax', 'sparseSigmoid',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** The activation a name means, written as Keras writes it (`leaky_relu`) or in camelCase (`leakyRelu`); undefined when none. */
export function activationNamed(name: string): ActivationName | undefined {
  const camel = camelCase(name);
  return ACTIVATIONS.find((activation) => activation === camel);
}

/**
 * The tfjs 4.22 activation (a class name tfjs-layers registers) that computes each Keras activation
 * tfjs has; the trainer refuses the others. `silu` is tfjs's `swish`. Keras 3's `gelu` is the exact
 * (erf) form by default, as tfjs's is. tfjs's own `hardSigmoid` is Keras 2's (0.2·x + 0.5 clipped to
 * [0, 1]); Keras 3's is x/6 + 0.5 clipped (ops.hard_sigmoid), which the trainer registers with tfjs
 * as `keras3HardSigmoid` (src/trainer/buildModel.ts).
 */
export const TFJS_ACTIVATIONS: Partial<Record<ActivationName, string>> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  selu: 'selu',
  sigmoid: 'sigmoid',
  hardSigmoid: 'keras3HardSigmoid',
  softmax: 'softmax',
  logSoftmax: 'logSoftmax',
  softplus: 'softplus',
  softsign: 'softsign',
  tanh: 'tanh',
  swish: 'swish',
  silu: 'swish',
  mish: 'mish',
  gelu: 'gelu',
};

/** The model files CNN Lab reads by name (Keras `to_json()` text is recognised by content in any `.json`). */
export const MODEL_FILE_SUFFIXES = ['.model.json', '.model.ts'] as const;
export const MODEL_FILE_GLOB = '**/*.{model.json,model.ts}';
/** Folders whose model files are never listed: dependencies, build output and CNN Lab's own run folders. */
export const MODEL_FILE_EXCLUDE_GLOB = '**/{node_modules,.cnnlab,dist,out}/**';
/** One glob per model file suffix, for document selectors. */
export const MODEL_FILE_PATTERNS = MODEL_FILE_SUFFIXES.map((suffix) => `**/*${suffix}`);

/** `"a", "b", "c"`, for the expected part of a message. */
export function quotedList(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}
