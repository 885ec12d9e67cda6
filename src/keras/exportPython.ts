// A run → train.py: the model in Keras 3 code (keras.Sequential or the functional API, with
// keras.layers.* spelled and configured as Keras spells them, from the same per-layer configs the
// `.keras` export writes), compiled and fitted with the run's training block, on the run's dataset
// loaded the Keras way. For training where one machine is not enough: TensorFlow's distribution
// strategies take a Keras model as it is. No tfjs, no file access: the caller writes the text (and,
// for CNN Lab's generated `shapes`, the data file; see shapesNpz).

import { strToU8, zipSync } from 'fflate';
import { summarizeModel } from '../model/summarize';
import type { LayerSpec, ModelIR, ModelSummary, Shape, TrainingConfig } from '../model/types';
import { builtInDataset, FOLDER_DATASET_PREFIX } from '../model/vocabulary';
import { resolveTraining, type ResolvedTraining } from '../trainer/trainingConfig';
import { UserError } from '../util/userError';
import { KERAS_OPTIMIZERS, kerasLayerArguments, kerasLossClass, kerasLossName } from './exportConfig';

export interface PythonExportInput {
  ir: ModelIR;
  summary?: ModelSummary;
  /** The run's training block. */
  training: TrainingConfig;
  /** The run's dataset (`shapes`, `mnist`, `fashion-mnist`, `cifar10`, `folder:PATH`). */
  dataset: string;
  runId?: string;
  modelFile?: string;
  /** For a `folder:` dataset: the folder, resolved (the training block's path is relative to the model file). */
  datasetDir?: string;
  /** For `shapes`: the data file written beside the script (see shapesNpz). */
  shapesFile?: string;
  /** For a fine-tuning run: the Keras file whose saved weights it started from, resolved. */
  initialModelFile?: string;
}

export interface PythonExport {
  script: string;
  /** The model's per-example input shape (the data's). */
  inputShape: number[];
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------
// Python literals

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case keras layers np os model inputs outputs'.split(' '),
);
/** Arguments written as tuples (shapes and windows), as Keras's docs write them. */
const TUPLE_KEYS = new Set(['kernel_size', 'strides', 'pool_size', 'dilation_rate', 'size', 'target_shape', 'padding', 'cropping', 'output_padding', 'noise_shape']);
/** Arguments Keras checks are Python floats. */
const FLOAT_ARGUMENTS = new Set(['learning_rate', 'momentum', 'factor', 'min_lr', 'min_delta']);
const SQUARE_KEYS = new Set(['kernel_size', 'strides', 'pool_size', 'dilation_rate', 'size']);

function pyNumber(value: number, float = false): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'float("nan")' : value > 0 ? 'float("inf")' : 'float("-inf")';
  const text = String(value);
  return float && Number.isInteger(value) ? `${text}.0` : text;
}

const pyString = (value: string): string => JSON.stringify(value);

/** Text from the run (names, paths) inside a docstring: no quote, backslash or line break can end it or start an escape. */
const docText = (value: string): string => value.replace(/\\/g, '/').replace(/"/g, "'").replace(/[\r\n]+/g, ' ');

/** A JSON value as a Python expression; Keras objects (`{module, class_name, config}`) as constructor calls. */
export function py(value: unknown, key?: string): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value, key !== undefined && FLOAT_ARGUMENTS.has(key));
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) {
    if (key !== undefined && SQUARE_KEYS.has(key) && value.length === 2 && value[0] === value[1] && typeof value[0] === 'number') return py(value[0]);
    const items = value.map((item) => py(item, Array.isArray(item) && key !== undefined ? key : undefined));
    if (key !== undefined && TUPLE_KEYS.has(key)) return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    return `[${items.join(', ')}]`;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.class_name === 'string' && typeof record.module === 'string' && /^keras\.(initializers|regularizers|constraints|losses|optimizers)$/.test(record.module)) {
    const config = (record.config ?? {}) as Record<string, unknown>;
    const args = Object.entries(config).map(([name, item]) => `${name}=${py(item, name)}`);
    return `${record.module}.${record.class_name}(${args.join(', ')})`;
  }
  return `{${Object.entries(record).map(([name, item]) => `${pyString(name)}: ${py(item, name)}`).join(', ')}}`;
}

/** Unique Python identifiers for layer names (`stem_conv`, `block_1_pad`, `mobilenetv2_0_35_64`). */
class Identifiers {
  private readonly taken = new Set<string>();
  private readonly byName = new Map<string, string>();

  of(name: string): string {
    const existing = this.byName.get(name);
    if (existing) return existing;
    let base = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1') || 'layer';
    if (PYTHON_KEYWORDS.has(base)) base = `${base}_`;
    let candidate = base;
    for (let index = 1; this.taken.has(candidate); index += 1) candidate = `${base}_${index}`;
    this.taken.add(candidate);
    this.byName.set(name, candidate);
    return candidate;
  }
}

// ---------------------------------------------------------------------------------------------
// The model in Keras code

/** `layers.Conv2D(filters=8, kernel_size=3, activation="relu", name="conv2d")`: only what differs from Keras's defaults, and the name. */
function layerCall(spec: LayerSpec): string {
  const { className, config, defaults } = kerasLayerArguments(spec);
  const args: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (key === 'data_format' && value === 'channels_last') continue;
    if (key === 'strides' && className.endsWith('Pooling2D') && JSON.stringify(value) === JSON.stringify(config.pool_size)) continue;
    if (JSON.stringify(value) === JSON.stringify(defaults[key]) && !(className === 'Activation' && key === 'activation')) continue;
    args.push(`${key}=${py(value, key)}`);
  }
  if (spec.config.trainable === false && className !== 'SpatialDropout2D') args.push('trainable=False');
  args.push(`name=${pyString(spec.name)}`);
  return `layers.${className}(${args.join(', ')})`;
}

function inputShapeOf(spec: LayerSpec): Shape | undefined {
  const config = spec.config;
  const perExample = config.inputShape ?? config.shape;
  if (Array.isArray(perExample)) return perExample as Shape;
  const withBatch = config.batchInputShape ?? config.batchShape;
  return Array.isArray(withBatch) ? (withBatch as Shape).slice(1) : undefined;
}

const shapeTuple = (shape: Shape): string => (shape.length === 1 ? `(${py(shape[0])},)` : `(${shape.map((dim) => py(dim)).join(', ')})`);

/** A model's code: Sequential as a list of layers, functional as calls on tensors; nested models as builder functions. */
function modelCode(ir: ModelIR, ids: Identifiers, modelName: string, helpers: string[]): string[] {
  const body: string[] = [];
  const nestedCall = (spec: LayerSpec): string => {
    const model = spec.model as ModelIR;
    const variable = ids.of(`${spec.name}_model`);
    const builder = `build_${variable}`;
    const inner = modelCode(model, new Identifiers(), spec.name, helpers);
    helpers.push(
      `def ${builder}():`,
      `    """'${docText(spec.name)}', a model used as a layer, rebuilt from its architecture with new weights.`,
      '',
      '    A pretrained base keeps its trained weights in the .keras export of this run:',
      '    keras.models.load_model("RUN.keras") gives the whole model with them."""',
      ...inner,
      '',
      '',
    );
    body.push(`    ${variable} = ${builder}()`);
    if (spec.config.trainable === false) body.push(`    ${variable}.trainable = False  # frozen, as in the run`);
    return variable;
  };

  if (ir.topology === 'sequential') {
    const layers = ir.layers.filter((layer) => layer.className !== 'InputLayer');
    const inputLayer = ir.layers.find((layer) => layer.className === 'InputLayer');
    const first = layers[0];
    const shape = (inputLayer && inputShapeOf(inputLayer)) ?? (first ? inputShapeOf(first) : undefined);
    const items: string[] = [];
    if (shape) items.push(`keras.Input(shape=${shapeTuple(shape)}${inputLayer ? `, name=${pyString(inputLayer.name)}` : ''})`);
    for (const layer of layers) items.push(layer.model ? nestedCall(layer) : layerCall(layer));
    body.push('    model = keras.Sequential(', '        [', ...items.map((item) => `            ${item},`), '        ],', `        name=${pyString(modelName)},`, '    )', '    return model');
    return body;
  }

  for (const layer of ir.layers) {
    const variable = ids.of(layer.name);
    if (layer.className === 'InputLayer') {
      const shape = inputShapeOf(layer);
      if (!shape) throw new UserError(`Input layer '${layer.name}' has no shape, so train.py cannot declare it.`);
      body.push(`    ${variable} = keras.Input(shape=${shapeTuple(shape)}, name=${pyString(layer.name)})`);
      continue;
    }
    const feeds = layer.inbound.map((name) => ids.of(name));
    const argument = feeds.length === 1 ? feeds[0] : `[${feeds.join(', ')}]`;
    if (layer.model) {
      const callee = nestedCall(layer);
      const training = layer.config.trainable === false ? ', training=False' : '';
      body.push(`    ${variable} = ${callee}(${argument}${training})`);
    } else {
      body.push(`    ${variable} = ${layerCall(layer)}(${argument})`);
    }
  }
  const refs = (names: string[]): string => (names.length === 1 ? ids.of(names[0]) : `[${names.map((name) => ids.of(name)).join(', ')}]`);
  body.push(`    return keras.Model(inputs=${refs(ir.inputs)}, outputs=${refs(ir.outputs)}, name=${pyString(modelName)})`);
  return body;
}

// ---------------------------------------------------------------------------------------------
// Data

/** Keras names the accuracy log `accuracy`; CNN Lab `acc` (tfjs's name). */
const kerasMonitor = (monitor: string): string => monitor.replace(/(^|_)acc$/, '$1accuracy');

function labelsCode(training: ResolvedTraining, units: number): string[] {
  if (units === 1) return ['    y = y.reshape(-1, 1).astype("float32")  # one output unit: 0/1 labels'];
  if (training.loss === 'sparseCategoricalCrossentropy') return ['    y = y.reshape(-1).astype("int64")  # sparse_categorical_crossentropy: integer labels'];
  return ['    y = keras.utils.to_categorical(y.reshape(-1), NUM_CLASSES)  # one-hot labels, as CNN Lab gives them'];
}

function dataCode(input: PythonExportInput, training: ResolvedTraining, inputShape: Shape, units: number): { lines: string[]; warnings: string[] } {
  const warnings: string[] = [];
  const prepare = [
    'def prepare(x, y):',
    '    """Pixels scaled to [0, 1] (x / 255, as CNN Lab feeds them) in the model\'s input shape; labels as the loss takes them."""',
    '    x = x.reshape((-1,) + INPUT_SHAPE).astype("float32") / 255.0',
    ...labelsCode(training, units),
    '    return x, y',
    '',
    '',
  ];
  const dataset = builtInDataset(input.dataset)?.name;
  if (dataset === 'mnist' || dataset === 'fashion-mnist' || dataset === 'cifar10') {
    const loader = { mnist: 'mnist', 'fashion-mnist': 'fashion_mnist', cifar10: 'cifar10' }[dataset];
    return {
      lines: [
        ...prepare,
        'def load_data():',
        `    """keras.datasets.${loader}: the training and test sets CNN Lab's '${dataset}' reads."""`,
        `    (x_train, y_train), (x_test, y_test) = keras.datasets.${loader}.load_data()`,
        '    return prepare(x_train, y_train), prepare(x_test, y_test)',
      ],
      warnings,
    };
  }
  if (dataset === 'shapes') {
    const file = input.shapesFile ?? 'shapes.npz';
    return {
      lines: [
        ...prepare,
        'def load_data():',
        `    """CNN Lab's 'shapes' dataset: filled circles, squares, triangles and crosses at random places,`,
        '    sizes, angles and brightness on a noisy background. CNN Lab generates it (Keras has no such',
        `    dataset); \`cnnlab export RUN --format python\` wrote the images this run's settings give`,
        `    (seed ${training.seed}, ${inputShape.slice(1).join('×')}) to ${file} beside this script: uint8 pixels and class`,
        '    indices in CNN Lab\'s order (circle, square, triangle, cross)."""',
        `    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), ${pyString(file)})`,
        '    if not os.path.exists(path):',
        `        raise SystemExit(f"{path} is missing: export the run again with \`cnnlab export RUN --format python\`, which writes it.")`,
        '    with np.load(path) as data:',
        '        return prepare(data["x_train"], data["y_train"]), prepare(data["x_test"], data["y_test"])',
      ],
      warnings,
    };
  }
  if (input.dataset.startsWith(FOLDER_DATASET_PREFIX)) {
    const folder = input.datasetDir ?? input.dataset.slice(FOLDER_DATASET_PREFIX.length);
    const channels = inputShape.at(-1);
    const [height, width] = inputShape.slice(1, 3);
    return {
      lines: [
        ...prepare,
        `DATA_DIR = ${pyString(folder)}  # the run's ${pyString(input.dataset)}, one subfolder of images per class`,
        '',
        '',
        'def read_folder(path, class_names):',
        '    """The images of `path`/<class>/ as arrays, decoded and resized (stretched) to the model\'s input as CNN Lab does."""',
        '    dataset = keras.utils.image_dataset_from_directory(',
        '        path,',
        '        labels="inferred",',
        '        label_mode="int",',
        '        class_names=class_names,',
        `        color_mode=${pyString(channels === 1 ? 'grayscale' : 'rgb')},`,
        `        image_size=(${py(height)}, ${py(width)}),`,
        '        batch_size=None,',
        '        shuffle=False,',
        '    )',
        '    images, labels = [], []',
        '    for image, label in dataset:',
        '        images.append(np.asarray(image))',
        '        labels.append(int(label))',
        '    return np.stack(images), np.array(labels)',
        '',
        '',
        'def load_data():',
        '    """Class names are the subfolders in alphabetical order. A test/ (or validation/) subfolder with the',
        '    same classes is the test set; otherwise 20 % of each class is held out (CNN Lab draws its own 20 %)."""',
        '    held_out = [name for name in ("test", "validation") if os.path.isdir(os.path.join(DATA_DIR, name))]',
        '    class_names = sorted(',
        '        name for name in os.listdir(DATA_DIR) if os.path.isdir(os.path.join(DATA_DIR, name)) and name not in ("test", "validation")',
        '    )',
        '    x, y = read_folder(DATA_DIR, class_names)',
        '    if held_out:',
        '        x_test, y_test = read_folder(os.path.join(DATA_DIR, held_out[0]), class_names)',
        '        return prepare(x, y), prepare(x_test, y_test)',
        '    rng = np.random.default_rng(SEED)',
        '    test = np.zeros(len(y), dtype=bool)',
        '    for label in range(len(class_names)):',
        '        members = np.flatnonzero(y == label)',
        '        test[rng.permutation(members)[: int(round(len(members) * 0.2))]] = True',
        '    return prepare(x[~test], y[~test]), prepare(x[test], y[test])',
      ],
      warnings: [...warnings, 'keras.utils.image_dataset_from_directory needs TensorFlow installed (whatever the Keras backend).'],
    };
  }
  throw new UserError(`The run's dataset '${input.dataset}' is not one train.py can load.`, 'Use shapes, mnist, fashion-mnist, cifar10 or folder:PATH.');
}

function augmentationCode(training: ResolvedTraining, inputShape: Shape): string[] {
  const augmentation = training.augmentation;
  if (!augmentation) return [];
  const [height, width] = inputShape.slice(1, 3).map((dim) => (typeof dim === 'number' ? dim : 1));
  const fraction = (value: number, size: number): number => (value >= 1 ? value / size : value);
  const layers: string[] = [];
  if (augmentation.horizontalFlip) layers.push(`layers.RandomFlip("horizontal", seed=SEED)`);
  // RandomRotation's factor is a fraction of a full turn: ±rotationRange degrees.
  if (augmentation.rotationRange) layers.push(`layers.RandomRotation(${py(augmentation.rotationRange)} / 360, fill_mode="nearest", seed=SEED)`);
  if (augmentation.widthShiftRange || augmentation.heightShiftRange) {
    layers.push(
      `layers.RandomTranslation(height_factor=${py(fraction(augmentation.heightShiftRange ?? 0, height))}, width_factor=${py(fraction(augmentation.widthShiftRange ?? 0, width))}, fill_mode="nearest", seed=SEED)`,
    );
  }
  if (augmentation.zoomRange) {
    const zoom = py(augmentation.zoomRange);
    layers.push(`layers.RandomZoom(height_factor=(-${zoom}, ${zoom}), width_factor=(-${zoom}, ${zoom}), fill_mode="nearest", seed=SEED)`);
  }
  if (layers.length === 0) return [];
  return [
    '# The run\'s augmentation (drawn per image per batch, edges filled with the nearest pixel, like',
    "# Keras's ImageDataGenerator), as Keras 3 preprocessing layers. They act only while training.",
    'augmentation = keras.Sequential(',
    '    [',
    ...layers.map((layer) => `        ${layer},`),
    '    ],',
    '    name="augmentation",',
    ')',
    '',
    '',
  ];
}

function optimizerCode(training: ResolvedTraining): string {
  const { className } = KERAS_OPTIMIZERS[training.optimizer];
  const args = [`learning_rate=${py(training.learningRate, 'learning_rate')}`];
  if (training.optimizer === 'sgd') {
    if (training.momentum) args.push(`momentum=${py(training.momentum, 'momentum')}`);
    if (training.nesterov) args.push('nesterov=True');
  }
  return `keras.optimizers.${className}(${args.join(', ')})`;
}

function lossCode(training: ResolvedTraining): string {
  if (training.fromLogits && training.loss !== 'meanSquaredError') return `keras.losses.${kerasLossClass(training.loss)}(from_logits=True)`;
  return pyString(kerasLossName(training.loss));
}

function callbacksCode(training: ResolvedTraining): string[] {
  const lines = [
    `    keras.callbacks.ModelCheckpoint("best.keras", monitor=${pyString(kerasMonitor(training.checkpoint.monitor))}, save_best_only=${py(training.checkpoint.saveBestOnly)}),  # CNN Lab's model/best`,
  ];
  const early = training.earlyStopping;
  if (early) {
    lines.push(
      `    keras.callbacks.EarlyStopping(monitor=${pyString(kerasMonitor(early.monitor))}, patience=${py(early.patience)}, min_delta=${py(early.minDelta, 'min_delta')}, restore_best_weights=${py(early.restoreBestWeights)}),`,
    );
  }
  const reduce = training.reduceLROnPlateau;
  if (reduce) {
    lines.push(
      `    keras.callbacks.ReduceLROnPlateau(monitor=${pyString(kerasMonitor(reduce.monitor))}, factor=${py(reduce.factor, 'factor')}, patience=${py(reduce.patience)}, min_lr=${py(reduce.minLR, 'min_lr')}),`,
    );
  }
  return ['callbacks = [', ...lines, ']'];
}

// ---------------------------------------------------------------------------------------------
// Public API

/** train.py for a run: the model, its data, compile and fit, in Keras 3 code. Throws a UserError for a model it cannot write. */
export function trainScript(input: PythonExportInput): PythonExport {
  const { ir } = input;
  const summary = input.summary ?? summarizeModel(ir);
  const errors = summary.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0) throw new UserError(`The model '${ir.name}' has ${errors.length} error(s), so train.py cannot be written.`, '`cnnlab summary` shows the model layer by layer.');
  const lastRow = summary.layers.find((row) => row.name === ir.outputs[0]) ?? summary.layers.at(-1);
  const units = lastRow?.outputShape.at(-1);
  const outputUnits = typeof units === 'number' ? units : 0;
  const training = resolveTraining({ ...input.training, dataset: input.dataset }, outputUnits);
  const inputLayer = ir.layers.find((layer) => layer.name === ir.inputs[0]) ?? ir.layers[0];
  const perExample = inputLayer ? inputShapeOf(inputLayer) : undefined;
  const nestedFirst = inputLayer?.model ? inputShapeOf(inputLayer.model.layers[0]) : undefined;
  const shape = perExample ?? nestedFirst;
  if (!shape || shape.some((dim) => dim === null)) throw new UserError(`The model '${ir.name}' has no fixed input shape, so train.py cannot shape its data.`, 'Give the model an input shape such as [28, 28, 1].');
  const inputShape: Shape = [null, ...shape];

  const helpers: string[] = [];
  const body = modelCode(ir, new Identifiers(), ir.name, helpers);
  const data = dataCode(input, training, inputShape, outputUnits);
  const augmentation = augmentationCode(training, inputShape);
  const fitModel = augmentation.length > 0 ? 'training_model' : 'model';
  const classNames = builtInDataset(input.dataset)?.classNames;

  const source = input.runId ? `run ${input.runId}${input.modelFile ? ` (${input.modelFile})` : ''}` : input.modelFile ?? ir.name;
  const lines = [
    `"""train.py: CNN Lab's ${docText(source)} in Keras 3 code.`,
    '',
    `The model, its training settings (dataset ${docText(input.dataset)}, ${training.epochs} epochs, batch ${training.batchSize}, ${KERAS_OPTIMIZERS[training.optimizer].className} at`,
    `learning rate ${training.learningRate}, ${kerasLossName(training.loss)}) and its data, written by \`cnnlab export --format python\`.`,
    'Run it with Keras 3 on any backend: pip install keras tensorflow  (or jax, or torch), then python train.py.',
    ...(input.initialModelFile
      ? [
          `It starts from the weights saved in ${docText(input.initialModelFile)}, as the run did (fine-tuning),`,
          'frozen layers as that file saves them; build_model() is the same model with new weights.',
        ]
      : ['It trains from new weights; the run\'s trained model is its .keras export (keras.models.load_model).']),
    '',
    'More than one GPU, or more than one machine: build and compile the model inside a TensorFlow',
    'distribution strategy, and fit as below (https://www.tensorflow.org/guide/keras/distributed_training):',
    '',
    '    strategy = tf.distribute.MirroredStrategy()        # every GPU of this machine',
    '    # strategy = tf.distribute.MultiWorkerMirroredStrategy()  # several machines (TF_CONFIG)',
    '    with strategy.scope():',
    '        model = build_model()',
    '        model.compile(...)',
    '',
    'With the JAX backend, keras.distribution.DataParallel does the same (https://keras.io/guides/distribution/).',
    '"""',
    '',
    'import os',
    '',
    'import numpy as np',
    '',
    'import keras',
    'from keras import layers',
    '',
    `SEED = ${py(training.seed)}`,
    `INPUT_SHAPE = ${shapeTuple(shape)}`,
    `NUM_CLASSES = ${py(outputUnits)}`,
    ...(input.initialModelFile ? [`INITIAL_MODEL = ${pyString(input.initialModelFile)}  # the file the run fine-tuned from`] : []),
    ...(classNames ? [`CLASS_NAMES = ${py([...classNames])}`] : []),
    '',
    '# One seed for weights, dropout and shuffling, as CNN Lab uses its `seed` (the numbers will not',
    "# match CNN Lab's: another library draws them).",
    'keras.utils.set_random_seed(SEED)',
    '',
    '',
    ...helpers,
    'def build_model():',
    ...body,
    '',
    '',
    ...data.lines,
    '',
    '',
    ...augmentation,
    'def main():',
    '    (x_train, y_train), (x_test, y_test) = load_data()',
    input.initialModelFile ? '    model = keras.models.load_model(INITIAL_MODEL, compile=False)' : '    model = build_model()',
    '    model.summary()',
    ...(augmentation.length > 0 ? ['    training_model = keras.Sequential([augmentation, model], name="training_model")'] : []),
    `    ${fitModel}.compile(`,
    `        optimizer=${optimizerCode(training)},`,
    `        loss=${lossCode(training)},`,
    '        metrics=["accuracy"],',
    '    )',
    ...callbacksCode(training).map((line) => `    ${line}`),
    `    ${fitModel}.fit(`,
    '        x_train,',
    '        y_train,',
    `        batch_size=${py(training.batchSize)},`,
    `        epochs=${py(training.epochs)},`,
    training.validationSplit > 0
      ? `        validation_split=${py(training.validationSplit)},  # the last ${Math.round(training.validationSplit * 100)} % before shuffling, as CNN Lab holds it out`
      : '        validation_split=0.0,  # no validation data: the callbacks monitor the training loss',
    `        shuffle=${py(training.shuffle)},`,
    '        callbacks=callbacks,',
    '    )',
    `    test_loss, test_accuracy = ${fitModel}.evaluate(x_test, y_test, batch_size=${py(training.batchSize)})`,
    '    print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.4f}")',
    `    model.save("model.keras")${augmentation.length > 0 ? '  # the model without the augmentation layers' : ''}`,
    '',
    '',
    'if __name__ == "__main__":',
    '    main()',
    '',
  ];
  return { script: lines.join('\n'), inputShape: shape as number[], warnings: data.warnings };
}

// ---------------------------------------------------------------------------------------------
// The shapes dataset as a NumPy .npz

function npy(values: Uint8Array | Int32Array, shape: number[]): Uint8Array {
  const descr = values instanceof Uint8Array ? '|u1' : '<i4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // NPY 1.0: magic, version, header length; the header padded with spaces to a multiple of 64, ending in \n.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head[8] = header.length & 0xff;
  head[9] = header.length >> 8;
  head.set(strToU8(header), 10);
  const body = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

export interface ImageArrays {
  images: Uint8Array;
  labels: Int32Array;
  count: number;
}

/** An .npz (NumPy's zip of .npy arrays) with x_train, y_train, x_test, y_test: uint8 pixels (N, H, W, C) and int32 labels. */
export function imagesNpz(train: ImageArrays, test: ImageArrays, imageShape: [number, number, number]): Uint8Array {
  return zipSync({
    'x_train.npy': npy(train.images, [train.count, ...imageShape]),
    'y_train.npy': npy(train.labels, [train.count]),
    'x_test.npy': npy(test.images, [test.count, ...imageShape]),
    'y_test.npy': npy(test.labels, [test.count]),
  });
}
