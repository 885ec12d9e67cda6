// Export to Keras (src/keras/export*.ts). No Keras runs here, so the `.keras` files are checked
// against what Keras 3.15 itself wrote (test/fixtures/keras-saved): the config.json made from each
// fixture's architecture is the fixture's own, key for key (but for the documented portability
// differences), and model.weights.h5 written from the weights CNN Lab read holds the same groups,
// `name` attributes, dataset shapes, dtypes and values at the same paths, which is how Keras finds
// them (by position, not by name). Then: a fixture read, written and read again predicts the same;
// a run really trained here, exported, predicts what the run's own tfjs model predicts (1e-6) and
// summarises to the run's summary rows.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { runExport } from '../../src/cli/export';
import { kerasFunctionalOrder, kerasModelConfig, pythonJson } from '../../src/keras/exportConfig';
import { exportKerasModel } from '../../src/keras/exportModel';
import { exportRun, resolveRunDir } from '../../src/keras/exportRun';
import { loadKerasModel } from '../../src/keras/loadModel';
import { readImage } from '../../src/keras/predict';
import { readKerasModelConfig } from '../../src/keras/savedModel';
import { analyzeModel } from '../../src/model';
import type { LayerSummary, ModelIR } from '../../src/model/types';
import type { RunRecord } from '../../src/runs/format';
import { readRunRecord } from '../../src/runs/store';
import { generateShapes } from '../../src/trainer/datasets/shapes';
import { loadSavedModel } from '../../src/trainer/modelFiles';
import { runTraining } from '../../src/trainer/train';
import { UserError } from '../../src/util/userError';
import { collector, job, temporaryDir } from '../trainer/helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'keras-saved');
const NAMES = ['mnist_cnn', 'cifar_bn_cnn', 'functional_residual', 'separable_gap', 'mobilenetv2_transfer', 'partial_frozen'];
const SAMPLE = join(__dirname, '..', '..', 'samples', 'shapes-cnn.model.json');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function zipEntries(path: string): Record<string, Uint8Array> {
  return unzipSync(new Uint8Array(readFileSync(path)));
}
const fixtureConfig = (name: string): Record<string, Json> => JSON.parse(strFromU8(zipEntries(join(FIXTURES, `${name}.keras`))['config.json'])) as Record<string, Json>;

/**
 * A Keras 3.15 config as the exporter writes it on purpose (see src/keras/exportConfig.ts): dtype
 * policies as their name, no shared_object_id, no key a later Keras added while it holds its
 * default, and no compile settings (compared on their own).
 */
function portable(value: Json): Json {
  if (Array.isArray(value)) return value.map(portable);
  if (value === null || typeof value !== 'object') return value;
  if (value.class_name === 'DTypePolicy') return (value.config as { name: string }).name;
  const out: Record<string, Json> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'shared_object_id' || key === 'compile_config') continue;
    if (['quantization_config', 'input_axes', 'output_axes', 'renorm_clipping'].includes(key) && item === null) continue;
    if (['renorm', 'ragged', 'optional'].includes(key) && item === false) continue;
    if (key === 'renorm_momentum' && item === 0.99) continue;
    out[key] = portable(item);
  }
  return out;
}

interface H5Entry {
  kind: 'group' | 'dataset' | 'attribute';
  shape?: number[];
  dtype?: string;
  values?: number[];
  text?: string;
}

/** Every group, dataset and attribute of an HDF5 file, by path (read with h5wasm, as Keras's h5py would find them). */
async function h5Tree(bytes: Uint8Array): Promise<Map<string, H5Entry>> {
  const h5 = (await import('h5wasm')).default;
  const module = (await h5.ready) as unknown as { FS: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void } };
  const path = `/export-test-${Math.random().toString(36).slice(2)}.h5`;
  module.FS.writeFile(path, bytes);
  const file = new h5.File(path, 'r');
  const tree = new Map<string, H5Entry>();
  try {
    const walk = (prefix: string): void => {
      const group = file.get(prefix || '/') as InstanceType<typeof h5.Group>;
      for (const [name, attribute] of Object.entries(group.attrs)) tree.set(`${prefix}@${name}`, { kind: 'attribute', text: String(attribute.value) });
      for (const key of group.keys()) {
        const child = prefix ? `${prefix}/${key}` : key;
        const entity = file.get(child);
        if (entity instanceof h5.Group) {
          tree.set(child, { kind: 'group' });
          walk(child);
        } else if (entity instanceof h5.Dataset) {
          const value = entity.value;
          const values = ArrayBuffer.isView(value) ? Array.from(value as Float32Array, Number) : [Number(value)];
          tree.set(child, { kind: 'dataset', shape: entity.shape ?? [], dtype: JSON.stringify(entity.dtype), values });
        }
      }
    };
    walk('');
  } finally {
    file.close();
    module.FS.unlink(path);
  }
  return tree;
}

const rowOf = (row: LayerSummary): unknown => ({ name: row.name, className: row.className, outputShape: row.outputShape, params: row.params, trainable: row.trainableParams, nonTrainable: row.nonTrainableParams });

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let index = 0; index < a.length; index++) max = Math.max(max, Math.abs(a[index] - b[index]));
  return max;
}

describe('Export to Keras: the .keras file', function () {
  this.timeout(120_000);

  before(async () => {
    await tf.setBackend('cpu');
  });

  describe("config.json from a model's IR is Keras 3.15's own (the six fixtures)", () => {
    for (const name of NAMES) {
      it(`${name}: every layer, its config, its inbound nodes and shapes, in Keras's order`, async () => {
        const { configText } = await readKerasModelConfig(join(FIXTURES, `${name}.keras`));
        const analysis = analyzeModel(configText, `${name}.keras`);
        assert.ok(analysis.ir && analysis.summary);
        const { config } = kerasModelConfig(analysis.ir, { summary: analysis.summary });
        // Through the writer's JSON and back, as Keras reads it.
        assert.deepEqual(JSON.parse(pythonJson(config)), portable(fixtureConfig(name)));
      });
    }

    it("orders a functional model's layers as Keras rebuilds them (by depth), whatever the file's order", () => {
      const { ir } = analyzeModel(JSON.stringify(fixtureConfig('functional_residual')), 'f.json');
      assert.ok(ir);
      const keras = kerasFunctionalOrder(ir).map((layer) => layer.name);
      // The three branches written in another order come back in Keras's.
      const shuffled: ModelIR = { ...ir, layers: [...ir.layers].sort((a, b) => (a.name.startsWith('branch') && b.name.startsWith('branch') ? b.name.localeCompare(a.name) : 0)) };
      assert.notDeepEqual(shuffled.layers.map((layer) => layer.name), keras);
      assert.deepEqual(kerasFunctionalOrder(shuffled).map((layer) => layer.name), keras);
    });

    it('writes the compile settings of a training block as Keras does, learning rates as floats', () => {
      const { ir } = analyzeModel(readFileSync(SAMPLE, 'utf8'), 'shapes-cnn.model.json');
      assert.ok(ir);
      const { config } = kerasModelConfig(ir, { training: { optimizer: { name: 'sgd', learningRate: 1, momentum: 0.9, nesterov: true }, loss: 'categoricalCrossentropy', fromLogits: true } });
      const text = pythonJson(config);
      assert.match(text, /"learning_rate": 1\.0/);
      const compile = (JSON.parse(text) as { compile_config: Record<string, Json> }).compile_config;
      assert.deepEqual((compile.optimizer as { class_name: string }).class_name, 'SGD');
      assert.deepEqual(compile.loss, { module: 'keras.losses', class_name: 'CategoricalCrossentropy', config: { name: 'categorical_crossentropy', from_logits: true }, registered_name: null });
      assert.deepEqual(compile.metrics, ['accuracy']);
    });

    it('a frozen nested model: every layer in it is written frozen, as Keras saves them', async () => {
      const { configText } = await readKerasModelConfig(join(FIXTURES, 'mobilenetv2_transfer.keras'));
      const { ir } = analyzeModel(configText, 'mobilenetv2_transfer.keras');
      assert.ok(ir);
      // As a .model.ts file freezes a base (base.trainable = false): its layers say nothing themselves.
      const unfrozenInside: ModelIR = {
        ...ir,
        layers: ir.layers.map((layer) => (layer.model ? { ...layer, model: { ...layer.model, layers: layer.model.layers.map((inner) => ({ ...inner, config: { ...inner.config, trainable: true } })) } } : layer)),
      };
      const { config } = kerasModelConfig(unfrozenInside);
      type Entry = { class_name: string; config: { trainable?: boolean; layers?: Entry[] } };
      const base = (config.config as { layers: Entry[] }).layers.find((layer) => layer.class_name === 'Functional');
      assert.ok(base);
      assert.equal(base.config.trainable, false);
      assert.deepEqual(new Set((base.config.layers ?? []).filter((layer) => layer.class_name !== 'InputLayer').map((layer) => layer.config.trainable)), new Set([false]));
    });

    it('refuses a layer Keras has no class for, saying what to do', () => {
      const { ir } = analyzeModel(readFileSync(SAMPLE, 'utf8'), 'shapes-cnn.model.json');
      assert.ok(ir);
      const custom: ModelIR = {
        ...ir,
        layers: ir.layers.map((layer, index) => (index === 1 ? { ...layer, className: 'MyPool', computed: { outputShape: [null, 9, 9, 8], trainableParams: 0, nonTrainableParams: 0, flops: 0, explanation: [] } } : layer)),
      };
      assert.throws(() => kerasModelConfig(custom), (error: unknown) => error instanceof UserError && /custom layer/.test(error.message) && /--format tfjs/.test(error.hint ?? ''));
    });
  });

  describe('a fixture read and written back', () => {
    it('model.weights.h5 holds what Keras wrote, at the same paths (each of the six)', async () => {
      const dir = temporaryDir('cnnlab-export-');
      for (const name of NAMES) {
        const loaded = await loadKerasModel(join(FIXTURES, `${name}.keras`));
        try {
          const exported = await exportKerasModel(loaded.model, loaded.analysis.ir, { training: { optimizer: 'adam', learningRate: 0.003, loss: 'sparseCategoricalCrossentropy' } });
          writeFileSync(join(dir, `${name}.keras`), exported.archive);
          const ours = await h5Tree(zipEntries(join(dir, `${name}.keras`))['model.weights.h5']);
          const keras = await h5Tree(zipEntries(join(FIXTURES, `${name}.keras`))['model.weights.h5']);
          // The optimizer's slots are Keras's in number and shape; Keras's hold its moments, ours a fresh optimizer's.
          const strip = (tree: Map<string, H5Entry>): Map<string, H5Entry> =>
            new Map([...tree].map(([path, entry]) => [path, path.startsWith('optimizer/') ? { ...entry, values: undefined, text: path.endsWith('@name') ? 'adam' : entry.text } : entry]));
          assert.deepEqual(strip(ours), strip(keras), name);
        } finally {
          loaded.model.dispose();
        }
      }
    });

    it('mnist_cnn.keras → written by CNN Lab → read again: the same predictions on its images', async () => {
      const dir = temporaryDir('cnnlab-export-');
      const original = await loadKerasModel(join(FIXTURES, 'mnist_cnn.keras'));
      const path = join(dir, 'mnist_cnn.keras');
      writeFileSync(path, (await exportKerasModel(original.model, original.analysis.ir)).archive);
      const again = await loadKerasModel(path);
      try {
        assert.equal(again.file.kerasVersion, '3.15.1');
        for (const image of ['mnist_cnn.input0.png', 'mnist_cnn.input1.png', 'mnist_cnn.input2.png']) {
          const { input } = await readImage(join(FIXTURES, image), [28, 28, 1]);
          const before = (original.model.predict(input) as tf.Tensor).dataSync();
          const after = (again.model.predict(input) as tf.Tensor).dataSync();
          assert.equal(maxDifference(before, after), 0, image);
          input.dispose();
        }
      } finally {
        original.model.dispose();
        again.model.dispose();
      }
    });
  });

  describe('a run trained here', () => {
    let dir: string;
    let runDir: string;
    let record: RunRecord;

    before(async () => {
      dir = temporaryDir('cnnlab-export-run-');
      const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { training: Record<string, unknown> };
      sample.training = { ...sample.training, epochs: 1, backend: 'cpu' };
      const modelFile = join(dir, 'shapes-cnn.model.json');
      writeFileSync(modelFile, JSON.stringify(sample, null, 2));
      const events = collector();
      const trained = await runTraining(job(dir, modelFile, { trainExamples: 160, testExamples: 32 }), events.emit);
      assert.equal(trained?.status, 'completed', JSON.stringify(events.of('failed')));
      runDir = events.of('started')[0].runDir;
      record = await readRunRecord(runDir);
    });

    it('exported to .keras, predicts what its own tfjs model predicts (within 1e-6)', async () => {
      const out = join(dir, 'run.keras');
      const result = await exportRun(runDir, 'keras', out);
      assert.deepEqual(result.written, [out]);
      assert.equal(result.source, join('model', 'best'));
      const own = await loadSavedModel(join(runDir, 'model', 'best'));
      const exported = await loadKerasModel(out);
      try {
        const shapes = generateShapes({ height: 20, width: 20, channels: 1, trainExamples: 1, testExamples: 24, seed: 99 });
        const images = tf.tidy(() => tf.tensor4d(Float32Array.from(shapes.test.images), [24, 20, 20, 1]).div(255));
        const random = tf.randomUniform([8, 20, 20, 1], 0, 1, 'float32', 3);
        for (const input of [images, random]) {
          const expected = (own.predict(input) as tf.Tensor).dataSync();
          const actual = (exported.model.predict(input) as tf.Tensor).dataSync();
          assert.ok(maxDifference(expected, actual) <= 1e-6);
        }
        tf.dispose([images, random]);
      } finally {
        own.dispose();
        exported.model.dispose();
      }
    });

    it("its config summarises to the run's summary rows, and holds the run's compile settings and a fresh Adam", async () => {
      const out = join(dir, 'summary.keras');
      await exportRun(runDir, 'keras', out);
      const { configText } = await readKerasModelConfig(out);
      const analysis = analyzeModel(configText, out);
      assert.deepEqual(analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'), []);
      assert.ok(analysis.summary);
      assert.deepEqual(analysis.summary.layers.map(rowOf), record.summary.layers.map(rowOf));
      assert.equal(analysis.summary.totalParams, record.summary.totalParams);
      const config = JSON.parse(configText) as { class_name: string; compile_config: { optimizer: { class_name: string; config: { learning_rate: number } }; loss: string } };
      assert.equal(config.class_name, 'Sequential');
      assert.equal(config.compile_config.optimizer.class_name, 'Adam');
      assert.equal(config.compile_config.optimizer.config.learning_rate, 0.004);
      assert.equal(config.compile_config.loss, 'categorical_crossentropy');
      const tree = await h5Tree(zipEntries(out)['model.weights.h5']);
      // iterations, learning_rate, then a momentum and a velocity for each of the 8 trainable variables.
      const slots = [...tree.keys()].filter((path) => /^optimizer\/vars\/\d+$/.test(path));
      assert.equal(slots.length, 2 + 2 * 8);
      assert.deepEqual(tree.get('layers/conv2d/vars/0')?.shape, [3, 3, 1, 8]);
      assert.equal(tree.get('layers/dense_1/vars@name')?.text, 'dense_1');
    });

    it('to train.py: valid Python with the layers in Keras spelling, and the shapes data beside it', async () => {
      const out = join(dir, 'python');
      mkdirSync(out);
      const { written } = await exportRun(runDir, 'python', out);
      assert.deepEqual(written, [join(out, 'train.py'), join(out, 'shapes.npz')]);
      const script = readFileSync(join(out, 'train.py'), 'utf8');
      const compiled = spawnSync('python3', ['-m', 'py_compile', join(out, 'train.py')], { encoding: 'utf8' });
      assert.equal(compiled.status, 0, compiled.stderr);
      for (const expected of [
        'keras.Sequential(',
        'keras.Input(shape=(20, 20, 1))',
        'layers.Conv2D(filters=8, kernel_size=3, activation="relu", name="conv2d")',
        'layers.MaxPooling2D(name="max_pooling2d")',
        'layers.Flatten(name="flatten")',
        'layers.Dense(units=4, activation="softmax", name="dense_1")',
        'optimizer=keras.optimizers.Adam(learning_rate=0.004)',
        'loss="categorical_crossentropy"',
        'metrics=["accuracy"]',
        'keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, min_delta=0.0, restore_best_weights=True)',
        'batch_size=16',
        'epochs=1',
        'validation_split=0.1',
        'keras.utils.to_categorical(',
        'np.load(path)',
      ]) {
        assert.ok(script.includes(expected), `train.py has ${expected}`);
      }
      // The .npz NumPy reads: uint8 images and int32 labels, the trainer's shapes for this run's seed.
      const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
      if (numpy.status !== 0) return;
      const described = execFileSync(
        'python3',
        ['-c', 'import numpy as np, sys, json; d = np.load(sys.argv[1]); print(json.dumps({k: [list(d[k].shape), str(d[k].dtype), int(d[k].astype("int64").sum())] for k in d.files}))', join(out, 'shapes.npz')],
        { encoding: 'utf8' },
      );
      const shapes = generateShapes({ height: 20, width: 20, channels: 1, seed: 1234 });
      const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((total, value) => total + value, 0);
      assert.deepEqual(JSON.parse(described), {
        x_train: [[4000, 20, 20, 1], 'uint8', sum(shapes.train.images)],
        y_train: [[4000], 'int32', sum(shapes.train.labels)],
        x_test: [[1000, 20, 20, 1], 'uint8', sum(shapes.test.images)],
        y_test: [[1000], 'int32', sum(shapes.test.labels)],
      });
    });

    it('to tfjs: the saved model folder, copied as it is; an existing folder with files is left alone', async () => {
      const out = join(dir, 'tfjs-copy');
      const result = await exportRun(runDir, 'tfjs', out);
      assert.deepEqual(result.written, [out]);
      assert.ok(existsSync(join(out, 'model.json')));
      const again = await exportRun(runDir, 'tfjs', out);
      assert.equal(again.written[0], join(out, `${record.id}-best`));
      await assert.rejects(exportRun(runDir, 'tfjs', join(out, 'model.json')), /already exists/);
    });

    it('cnnlab export: a run id, --json, a file that exists refused without --force, bad arguments', async () => {
      const cwd = dir;
      const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
        let stdout = '';
        let stderr = '';
        const code = await runExport(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, cwd);
        return { code, stdout, stderr };
      };
      assert.equal(resolveRunDir(record.id, join(dir, '.cnnlab', 'runs'), cwd), runDir);
      const first = await run([record.id, '--json']);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual((JSON.parse(first.stdout) as { written: string[] }).written, [join(cwd, `${record.id}.keras`)]);
      await assert.rejects(run([record.id, '--json']), /already exists/);
      assert.equal((await run([record.id, '--force'])).code, 0);
      const python = await run([runDir, '--format', 'python', '--out', 'scripts/']);
      assert.equal(python.code, 0, python.stderr);
      assert.ok(existsSync(join(cwd, 'scripts', 'train.py')));
      assert.equal((await run([record.id, '--format', 'onnx'])).code, 2);
      assert.equal((await run([])).code, 2);
      await assert.rejects(run(['no-such-run']), (error: unknown) => error instanceof UserError && /neither a run folder nor a run id/.test(error.message));
    });

    it('a run without a saved model: .keras refused with what to do, train.py still written', async () => {
      const copy = join(dir, '.cnnlab', 'runs', 'unsaved');
      mkdirSync(copy, { recursive: true });
      copyFileSync(join(runDir, 'run.json'), join(copy, 'run.json'));
      await assert.rejects(exportRun(copy, 'keras', join(dir, 'unsaved.keras')), (error: unknown) => error instanceof UserError && /no saved model/.test(error.message) && /train\.py/.test(error.hint ?? ''));
      const { written } = await exportRun(copy, 'python', join(dir, 'unsaved.py'));
      assert.equal(written[0], join(dir, 'unsaved.py'));
    });
  });
});
