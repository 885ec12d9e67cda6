// train.py (src/keras/exportPython.ts) for the kinds of model and training CNN Lab has: every
// script compiles with python3 (py_compile; no Keras here), and says in Keras's spelling what the
// run did: functional graphs and a frozen pretrained base, every dataset, augmentation, optimizers,
// losses on logits, callbacks. The Runs view's command reads `cnnlab export --json` (parseExportOutput).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { py, trainScript, type PythonExportInput } from '../../src/keras/exportPython';
import { parseExportOutput } from '../../src/extension/kerasExport';
import { analyzeModel } from '../../src/model';
import type { ModelIR } from '../../src/model/types';
import { temporaryDir } from '../trainer/helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'keras-saved');
const SAMPLES = join(__dirname, '..', '..', 'samples');

function irOf(path: string): ModelIR {
  const analysis = analyzeModel(readFileSync(path, 'utf8'), path);
  assert.ok(analysis.ir, path);
  assert.deepEqual(analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'), [], path);
  return analysis.ir;
}
const fixtureIR = (name: string): ModelIR => {
  const config = strFromU8(unzipSync(new Uint8Array(readFileSync(join(FIXTURES, `${name}.keras`))), { filter: (file) => file.name === 'config.json' })['config.json']);
  const analysis = analyzeModel(config, `${name}.keras`);
  assert.ok(analysis.ir);
  return analysis.ir;
};

/** Compiles every script at once (one python3 start). */
function compileAll(scripts: Map<string, string>): void {
  const dir = temporaryDir('cnnlab-train-py-');
  const files = [...scripts].map(([name, script], index) => {
    const file = join(dir, `t${index}.py`);
    writeFileSync(file, script);
    return [name, file] as const;
  });
  const result = spawnSync('python3', ['-c', 'import py_compile, sys\nfor f in sys.argv[1:]:\n    py_compile.compile(f, doraise=True)', ...files.map(([, file]) => file)], { encoding: 'utf8' });
  assert.equal(result.status, 0, `${result.stderr}\n(${files.map(([name, file]) => `${file}: ${name}`).join(', ')})`);
}

const script = (input: Partial<PythonExportInput> & { ir: ModelIR }): string => trainScript({ training: {}, dataset: 'mnist', ...input }).script;

describe('train.py: the run in Keras code', function () {
  this.timeout(60_000);

  it('compiles for every sample and fixture model, on each dataset and training CNN Lab has', () => {
    const scripts = new Map<string, string>();
    const models: [string, ModelIR][] = [
      ...['mnist_cnn', 'cifar_bn_cnn', 'functional_residual', 'separable_gap', 'mobilenetv2_transfer', 'partial_frozen'].map((name): [string, ModelIR] => [name, fixtureIR(name)]),
      ...readdirSync(SAMPLES)
        .filter((file) => file.endsWith('.model.json'))
        .map((file): [string, ModelIR] => [file, irOf(join(SAMPLES, file))]),
    ];
    const variants: Omit<PythonExportInput, 'ir'>[] = [
      { dataset: 'mnist', training: {} },
      { dataset: 'cifar10', training: { optimizer: { name: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true }, loss: 'sparseCategoricalCrossentropy', fromLogits: true, validationSplit: 0 } },
      { dataset: 'folder:./photos', datasetDir: '/data/photos "quoted"', training: { optimizer: 'rmsprop', reduceLROnPlateau: { factor: 0.5, patience: 2 }, augmentation: { horizontalFlip: true, rotationRange: 15, widthShiftRange: 0.1, heightShiftRange: 3, zoomRange: 0.2 } } },
      { dataset: 'shapes', shapesFile: 'shapes.npz', training: { optimizer: 'adagrad', loss: 'meanSquaredError', earlyStopping: { monitor: 'val_acc', patience: 3 } } },
    ];
    for (const [name, ir] of models) for (const variant of variants) scripts.set(`${name} on ${variant.dataset}`, trainScript({ ir, ...variant }).script);
    compileAll(scripts);
  });

  it('a functional model: keras.Input, each layer called on its inputs, keras.Model; merges take lists', () => {
    const text = script({ ir: fixtureIR('functional_residual'), dataset: 'cifar10' });
    assert.ok(text.includes('image = keras.Input(shape=(32, 32, 3), name="image")'));
    assert.ok(text.includes('res0_add = layers.Add(name="res0_add")([stem_relu, res0_conv2])'));
    assert.ok(text.includes('concat = layers.Concatenate(name="concat")([branch_1x1, branch_pool, branch_3x3])'));
    assert.ok(text.includes('branch_pool = layers.MaxPooling2D(pool_size=3, padding="same", strides=1, name="branch_pool")(res0_relu)'));
    assert.ok(text.includes('return keras.Model(inputs=image, outputs=predictions, name="residual_concat_net")'));
    assert.ok(text.includes('keras.datasets.cifar10.load_data()'));
  });

  it('a frozen pretrained base: its own builder, frozen, called with training=False; frozen layers say trainable=False', () => {
    const text = script({ ir: fixtureIR('mobilenetv2_transfer'), dataset: 'folder:flowers', datasetDir: '/data/flowers' });
    assert.match(text, /def build_mobilenetv2_0_35_64_model\(\):/);
    assert.ok(text.includes('mobilenetv2_0_35_64_model = build_mobilenetv2_0_35_64_model()'));
    assert.ok(text.includes('mobilenetv2_0_35_64_model.trainable = False'));
    assert.ok(text.includes('mobilenetv2_0_35_64 = mobilenetv2_0_35_64_model(rescaling, training=False)'));
    assert.ok(text.includes('layers.ReLU(max_value=6, trainable=False, name="Conv1_relu")'));
    assert.ok(text.includes('layers.Rescaling(scale=2, offset=-1, name="rescaling")'));
    assert.ok(text.includes('keras.utils.image_dataset_from_directory('));
    assert.ok(text.includes('DATA_DIR = "/data/flowers"'));
    assert.ok(text.includes('color_mode="rgb"'));
    assert.ok(text.includes('image_size=(64, 64)'));
    const frozen = script({ ir: fixtureIR('partial_frozen') });
    assert.ok(frozen.includes('layers.Conv2D(filters=32, kernel_size=3, padding="same", activation="relu", trainable=False, name="conv2")'));
    assert.ok(frozen.includes('layers.BatchNormalization(trainable=False, name="bn2")'));
  });

  it('the training block in Keras: optimizer, loss on logits, callbacks with Keras log names, augmentation while training only', () => {
    const text = script({
      ir: irOf(join(SAMPLES, 'shapes-cnn.model.json')),
      dataset: 'shapes',
      training: {
        optimizer: { name: 'sgd', learningRate: 1, momentum: 0.9 },
        loss: 'sparseCategoricalCrossentropy',
        fromLogits: true,
        epochs: 7,
        batchSize: 64,
        validationSplit: 0.2,
        earlyStopping: { monitor: 'val_acc', patience: 4, restoreBestWeights: true },
        reduceLROnPlateau: { monitor: 'val_loss', factor: 0.2, patience: 1, minLR: 0.0001 },
        augmentation: { horizontalFlip: true, zoomRange: 0.1 },
      },
    });
    assert.ok(text.includes('optimizer=keras.optimizers.SGD(learning_rate=1.0, momentum=0.9)'));
    assert.ok(text.includes('loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)'));
    assert.ok(text.includes('keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=4, min_delta=0.0, restore_best_weights=True)'));
    assert.ok(text.includes('keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=1, min_lr=0.0001)'));
    assert.ok(text.includes('y = y.reshape(-1).astype("int64")'));
    assert.ok(text.includes('layers.RandomFlip("horizontal", seed=SEED)'));
    assert.ok(text.includes('training_model = keras.Sequential([augmentation, model], name="training_model")'));
    assert.ok(text.includes('epochs=7'));
    assert.ok(text.includes('batch_size=64'));
    assert.ok(text.includes('validation_split=0.2'));
    assert.ok(text.includes('os.path.dirname(os.path.abspath(__file__)), "shapes.npz"'));
  });

  it("names and paths from a run folder cannot break out of the script's strings and docstrings", () => {
    const ir = fixtureIR('functional_residual');
    const hostile = '"""\\N{x}\\U0001\nimport os; os.system("echo")#\'\'\'';
    const renamed: ModelIR = {
      ...ir,
      name: hostile,
      layers: ir.layers.map((layer) => ({ ...layer, name: layer.name === 'gap' ? hostile : layer.name, inbound: layer.inbound.map((name) => (name === 'gap' ? hostile : name)) })),
    };
    const text = script({ ir: renamed, dataset: `folder:C:\\Users\\${hostile}`, datasetDir: `C:\\Users\\${hostile}`, runId: hostile, modelFile: `models\\${hostile}.model.json` });
    compileAll(new Map([['hostile names', text]]));
    assert.ok(!/^import os/m.test(text.replace(/^import os$/m, '')));
  });

  it('Python literals: None/True/False, tuples for windows and shapes, floats where Keras wants them, Keras objects as constructors', () => {
    assert.equal(py(null), 'None');
    assert.equal(py(true), 'True');
    assert.equal(py([3, 3], 'kernel_size'), '3');
    assert.equal(py([3, 5], 'kernel_size'), '(3, 5)');
    assert.equal(py([[0, 1], [0, 1]], 'padding'), '((0, 1), (0, 1))');
    assert.equal(py(1, 'learning_rate'), '1.0');
    assert.equal(py('a "b"'), '"a \\"b\\""');
    assert.equal(py({ module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 }, registered_name: null }), 'keras.regularizers.L2(l2=0.01)');
  });

  it("the Runs view reads cnnlab export's JSON, and says so when none came", () => {
    assert.deepEqual(parseExportOutput('{"written": ["/a/b.keras"], "warnings": []}', 0), { written: ['/a/b.keras'], warnings: [] });
    assert.deepEqual(parseExportOutput('noise\n{"error": {"message": "m", "hint": "h"}}', 2), { error: { message: 'm', hint: 'h' } });
    assert.match(parseExportOutput('Killed', null).error?.message ?? '', /did not finish/);
  });
});
