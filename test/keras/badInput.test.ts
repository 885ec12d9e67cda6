// Keras files that cannot be used: truncated or foreign .h5/.keras files, weights of the wrong
// shape, a layer whose weights are missing, a pretrained base that does not fit its input, and
// images that are not images. Each is a UserError that says what and where (the layer, the
// shapes), never a crash; and a model whose weights do not fit is never left half-loaded.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import sharp from 'sharp';
import { runSummaryCommand } from '../../src/cli/summary';
import { buildKerasModel, loadKerasModel, setKerasWeights } from '../../src/keras/loadModel';
import { loadPredictionModel, predictImages } from '../../src/keras/predict';
import { readKerasModel, readKerasModelConfig } from '../../src/keras/savedModel';
import { analyzeModel } from '../../src/model';
import { UserError } from '../../src/util/userError';

const FIXTURES = join(__dirname, '..', 'fixtures', 'keras-saved');
const fixture = (file: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, file)));

type H5Api = (typeof import('h5wasm', { with: { 'resolution-mode': 'import' } }))['default'];
type H5File = InstanceType<H5Api['File']>;
interface H5Fs {
  writeFile(path: string, data: Uint8Array): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
}

async function h5(): Promise<{ api: H5Api; fs: H5Fs }> {
  const api = (await import('h5wasm')).default;
  const module = (await api.ready) as unknown as { FS: H5Fs };
  return { api, fs: module.FS };
}

/** `bytes` as HDF5, changed by `edit` (in h5wasm's in-memory file system). */
async function editHdf5(bytes: Uint8Array | undefined, edit: (file: H5File) => void): Promise<Uint8Array> {
  const { api, fs } = await h5();
  const path = `/test-edit-${Math.random().toString(36).slice(2)}.h5`;
  if (bytes) fs.writeFile(path, bytes);
  const file = new api.File(path, bytes ? 'a' : 'w');
  edit(file);
  file.close();
  const edited = fs.readFile(path);
  fs.unlink(path);
  return edited;
}

type Json = Record<string, unknown>;
type LayerJson = { class_name: string; config: Json; name?: string; inbound_nodes?: unknown };

/** A .keras fixture with its config.json and/or model.weights.h5 changed. */
async function editKeras(name: string, change: { config?: (config: Json) => void; weights?: (file: H5File) => void }): Promise<Uint8Array> {
  const entries: Record<string, Uint8Array> = unzipSync(fixture(`${name}.keras`));
  if (change.config) {
    const config = JSON.parse(new TextDecoder().decode(entries['config.json'])) as Json;
    change.config(config);
    entries['config.json'] = strToU8(JSON.stringify(config));
  }
  if (change.weights) entries['model.weights.h5'] = await editHdf5(entries['model.weights.h5'], change.weights);
  return zipSync(entries);
}

/** An .h5 fixture with its model_config attribute changed. */
async function editH5Config(name: string, change: (config: Json) => void): Promise<Uint8Array> {
  return editHdf5(fixture(`${name}.h5`), (file) => {
    const config = JSON.parse(String(file.attrs.model_config.value)) as Json;
    change(config);
    file.delete_attribute('model_config');
    file.create_attribute('model_config', JSON.stringify(config));
  });
}

const layersOf = (config: Json): LayerJson[] => (config.config as { layers: LayerJson[] }).layers;
const layerNamed = (config: Json, name: string): LayerJson => {
  const layer = layersOf(config).find((entry) => (entry.config.name ?? entry.name) === name);
  assert.ok(layer, name);
  return layer;
};

/** mnist_cnn with its first Conv2D at 8 filters: its kernel, and the next one's, no longer fit the file's. */
const narrowFirstConv = (config: Json): void => {
  layerNamed(config, 'conv2d').config.filters = 8;
};
/** mnist_cnn with one more Dense layer at the end, whose weights no file holds. */
const addDenseLayer = (config: Json): void => {
  const last = layersOf(config).at(-1);
  assert.ok(last);
  layersOf(config).push({ ...last, config: { ...last.config, name: 'extra', units: 10 } });
};
/** mobilenetv2_transfer fed 32×32 images: the base was built for 64×64. */
const smallerInput = (config: Json): void => {
  layerNamed(config, 'input_layer_1').config.batch_shape = [null, 32, 32, 3];
};

async function rejectsWith(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UserError, `a UserError, not ${String(error)}`);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return error;
  }
  assert.fail('expected a UserError');
}

describe('Keras saved models: bad input is a clear error', function () {
  this.timeout(60_000);
  let dir: string;
  const write = (name: string, bytes: Uint8Array | string): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  before(async () => {
    await tf.setBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'cnnlab-keras-bad-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('truncated and foreign files', () => {
    it('a truncated .h5 says it is cut short, with its size and the size it should have', async () => {
      const whole = fixture('cifar_bn_cnn.h5');
      const path = write('cut.h5', whole.slice(0, 300_000));
      const error = await rejectsWith(readKerasModel(path), /cut\.h5 cannot be read as a Keras model/, /cut short \(300,000 of 1,078,240 bytes\)/);
      assert.match(error.hint ?? '', /model\.save/);
      // The same HDF5 library keeps working after a failure.
      assert.equal((await readKerasModel(join(FIXTURES, 'mnist_cnn.h5'))).weights.layers.size, 9);
    });

    it('an .h5 cut inside its header, and an empty one', async () => {
      await rejectsWith(readKerasModel(write('head.h5', fixture('mnist_cnn.h5').slice(0, 2000))), /head\.h5 cannot be read/, /cut short/);
      await rejectsWith(readKerasModel(write('empty.h5', new Uint8Array())), /not an HDF5 file \(it is empty\)/);
    });

    it('a truncated .keras says the zip is damaged or cut short', async () => {
      const whole = fixture('cifar_bn_cnn.keras');
      await rejectsWith(readKerasModel(write('cut.keras', whole.slice(0, Math.floor(whole.length / 2)))), /cut\.keras cannot be read as a Keras model: the zip is damaged or cut short/);
      await rejectsWith(readKerasModelConfig(write('cut2.keras', whole.slice(0, 100))), /the zip is damaged or cut short/);
    });

    it('foreign files: text named .h5 or .keras, HDF5 that is not a model, weights without an architecture, a zip that is not a model', async () => {
      await rejectsWith(readKerasModel(write('text.h5', 'just some text\n')), /text\.h5 cannot be read as a Keras model: the file is not an HDF5 file/);
      await rejectsWith(readKerasModel(write('text.keras', 'just some text\n')), /text\.keras cannot be read as a Keras model: it is not a zip file/);
      const plainHdf5 = await editHdf5(undefined, (file) => {
        file.create_dataset({ name: 'data', data: new Float32Array([1, 2, 3]) });
      });
      await rejectsWith(readKerasModel(write('data.h5', plainHdf5)), /it has no "model_config" attribute/);
      const weightsOnly = await editHdf5(undefined, (file) => {
        file.create_attribute('layer_names', ['dense']);
        file.create_group('dense').create_dataset({ name: 'kernel', data: new Float32Array([1, 2]) });
      });
      await rejectsWith(readKerasModel(write('weights.h5', weightsOnly)), /holds weights but no architecture/, /save_weights/);
      await rejectsWith(readKerasModel(write('other.keras', zipSync({ 'readme.txt': strToU8('hello') }))), /the zip has no config\.json/);
      const noWeights = unzipSync(fixture('mnist_cnn.keras'));
      delete noWeights['model.weights.h5'];
      await rejectsWith(readKerasModel(write('noweights.keras', zipSync(noWeights))), /the zip has no model\.weights\.h5/);
      await rejectsWith(readKerasModel(write('json.keras', zipSync({ 'config.json': strToU8('{"class_name": "Dense", "config": {}}') }))), /config\.json is not a Keras model config/);
    });

    it('cnnlab summary prints the reason and exits 2, never a stack', async () => {
      let stderr = '';
      const code = await runSummaryCommand([write('cut-summary.h5', fixture('mnist_cnn.h5').slice(0, 5000))], { stdout: () => undefined, stderr: (text) => (stderr += text) });
      assert.equal(code, 2);
      assert.match(stderr, /^cnnlab summary: cut-summary\.h5 cannot be read as a Keras model: the file does not open as HDF5: it is cut short/);
      assert.doesNotMatch(stderr, /\bat .*\.ts:\d+/);
    });
  });

  describe('weights that do not fit', () => {
    for (const format of ['keras', 'h5'] as const) {
      const edit = (name: string, change: (config: Json) => void): Promise<Uint8Array> => (format === 'keras' ? editKeras(name, { config: change }) : editH5Config(name, change));

      it(`.${format}: a weight of the wrong shape names the layer, the weight and both shapes`, async () => {
        const path = write(`narrow.${format}`, await edit('mnist_cnn', narrowFirstConv));
        const error = await rejectsWith(
          loadKerasModel(path),
          new RegExp(`The weights in narrow\\.${format} do not fit the model built from its architecture`),
          /Layer 'conv2d' \(Conv2D\): kernel is \[3, 3, 1, 8\] in the model but \[3, 3, 1, 16\] in the file/,
          /bias is \[8\] in the model but \[16\] in the file/,
          /Layer 'conv2d_1' \(Conv2D\): kernel is \[3, 3, 8, 32\] in the model but \[3, 3, 16, 32\] in the file/,
        );
        assert.ok(error.hint);
      });

      it(`.${format}: a layer whose weights the file lacks is named, with the weights it needs`, async () => {
        const path = write(`extra.${format}`, await edit('mnist_cnn', addDenseLayer));
        await rejectsWith(loadKerasModel(path), /Layer 'extra' \(Dense\) has 2 weight\(s\) \(kernel \[10, 10\], bias \[10\]\), but the file holds none for it\./);
      });

      it(`.${format}: a pretrained base that does not fit the input names the base and both shapes`, async () => {
        const path = write(`small.${format}`, await edit('mobilenetv2_transfer', smallerInput));
        await rejectsWith(loadKerasModel(path), /The architecture in small\.[a-z0-9]+ has 1 error/, /layer 'mobilenetv2_0\.35_64'/, /expected shape=\(None, 64, 64, 3\), found shape=\(None, 32, 32, 3\)/);
        let stderr = '';
        const code = await runSummaryCommand([path], { stdout: () => undefined, stderr: (text) => (stderr += text) });
        assert.equal(code, 1);
        assert.match(stderr, /small\.[a-z0-9]+: error: Input 0 of layer "mobilenetv2_0\.35_64" is incompatible/);
      });
    }

    it('a model whose weights do not fit is left as it was: no layer is written before every layer is checked', async () => {
      const file = await readKerasModel(join(FIXTURES, 'mnist_cnn.keras'));
      const model = buildKerasModel(analyzeModel(file.configText, 'mnist_cnn.keras'), 'mnist_cnn.keras');
      try {
        const before = model.getWeights().map((weight) => Array.from(weight.dataSync()));
        // The last layer's bias is one value short: the layers before it fit, and must stay unwritten.
        const last = file.weights.layers.get('dense_1');
        assert.ok(last);
        last.weights[1] = { ...last.weights[1], shape: [9], values: last.weights[1].values.slice(0, 9) };
        assert.throws(() => setKerasWeights(model, file.weights, 'mnist_cnn.keras'), /Layer 'dense_1' \(Dense\): bias is \[10\] in the model but \[9\] in the file/);
        assert.deepEqual(model.getWeights().map((weight) => Array.from(weight.dataSync())), before);
      } finally {
        model.dispose();
      }
    });

    it('a .keras without the layer names Keras 3.x writes finds each layer by its class and place, as Keras does', async () => {
      // partial_frozen's layers have their own names (conv1, bn2…), stored under Keras's
      // class-derived keys (conv2d, batch_normalization_1…).
      const bytes = await editKeras('partial_frozen', {
        weights: (file) => {
          const layers = file.get('layers') as InstanceType<H5Api['Group']>;
          for (const key of layers.keys()) (file.get(`layers/${key}/vars`) as InstanceType<H5Api['Group']>).delete_attribute('name');
        },
      });
      const loaded = await loadPredictionModel(write('unnamed.keras', bytes), dir);
      try {
        const expected = JSON.parse(readFileSync(join(FIXTURES, 'partial_frozen.expected.json'), 'utf8')) as { cases: { image: string; softmax: number[] }[] };
        const predictions = await predictImages(loaded, expected.cases.map((entry) => join(FIXTURES, entry.image)));
        const difference = Math.max(...expected.cases.flatMap((entry, index) => entry.softmax.map((value, column) => Math.abs(value - predictions[index].probabilities[column]))));
        assert.ok(difference <= 1e-4, `max abs difference ${difference}`);
      } finally {
        loaded.model.dispose();
      }
    });
  });

  describe('images and model arguments', () => {
    it('a file that is not an image, and a missing model, are named', async () => {
      const loaded = await loadPredictionModel(join(FIXTURES, 'mnist_cnn.h5'), dir);
      try {
        await rejectsWith(predictImages(loaded, [write('not-an-image.png', 'text')]), /not-an-image\.png cannot be read as an image/);
      } finally {
        loaded.model.dispose();
      }
      await rejectsWith(loadPredictionModel(join(dir, 'missing.keras'), dir), /missing\.keras is not a file, a folder or a run id/);
      await rejectsWith(loadPredictionModel('no-such-run', join(dir, 'runs')), /no-such-run is not a file, a folder or a run id/);
      await rejectsWith(loadPredictionModel(write('model.txt', 'x'), dir), /is not a model CNN Lab predicts with/);
    });

    it('an image of another size or colour is resized and converted to what the model takes', async () => {
      const rgb = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 30, b: 90 } } }).png().toBuffer();
      const path = write('big-rgb.png', rgb);
      const loaded = await loadPredictionModel(join(FIXTURES, 'mnist_cnn.keras'), dir);
      try {
        const [prediction] = await predictImages(loaded, [path]);
        assert.deepEqual(prediction.resizedFrom, [30, 40]);
        assert.equal(prediction.probabilities.length, 10);
        assert.ok(Math.abs(prediction.probabilities.reduce((sum, value) => sum + value, 0) - 1) < 1e-5);
      } finally {
        loaded.model.dispose();
      }
    });
  });
});
