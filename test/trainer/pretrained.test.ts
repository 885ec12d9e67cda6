// The trainer's side of keras.applications bases (src/trainer/pretrained.ts): tfjs builds each
// base with Keras's layer names, shapes and params; a model file written like Keras's saved
// mobilenetv2_transfer model, given that file's weights, predicts Keras's softmax; `"weights":
// "PATH"` loads a Keras weights file (legacy save_weights .h5, Keras 3 .weights.h5) into the base
// by layer name; `"weights": "imagenet"` downloads the file Keras publishes, here from a loopback
// server through CNNLAB_DATASET_MIRROR (the real hosts are unreachable from the test machines),
// into the cache, with progress, checked against the MD5 Keras pins.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { APPLICATIONS } from '../../src/model/applications';
import { resolveApplicationOptions } from '../../src/model/applications/options';
import { analyzeModel } from '../../src/model';
import type { ModelIR } from '../../src/model/types';
import { setKerasWeights } from '../../src/keras/loadModel';
import { readImage } from '../../src/keras/predict';
import { readKerasModel, readKerasWeights } from '../../src/keras/savedModel';
import { buildModel } from '../../src/trainer/buildModel';
import { DatasetError } from '../../src/trainer/datasets';
import { imagenetWeightsPath, loadPretrainedWeights } from '../../src/trainer/pretrained';
import { temporaryDir } from './helpers';
import { layersOf, writeWeightsFile, type WeightsLayer } from './pretrainedHelpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'keras-saved');

function irOf(model: Record<string, unknown>): ModelIR {
  const analysis = analyzeModel(JSON.stringify(model), 'base.model.json');
  assert.deepEqual(analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'), []);
  assert.ok(analysis.ir && analysis.summary);
  return analysis.ir;
}

const baseOf = (model: tf.LayersModel, name: string): tf.LayersModel => {
  const layer = model.getLayer(name);
  assert.ok(layer instanceof tf.LayersModel);
  return layer;
};

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

const MOBILENET_035_64 = { type: 'MobileNetV2', alpha: 0.35, includeTop: false, weights: null, inputShape: [64, 64, 3], trainable: false };

describe('pretrained bases in the trainer', function () {
  this.timeout(120_000);
  before(async () => {
    await tf.setBackend('cpu');
  });

  it("tfjs builds each base with Keras's names, output shapes and params, layer by layer", () => {
    const cases: Record<string, unknown>[] = [
      MOBILENET_035_64,
      { type: 'VGG16', includeTop: false, weights: null, inputShape: [32, 32, 3], pooling: 'max' },
      { type: 'ResNet50', includeTop: false, weights: null, inputShape: [64, 64, 3], pooling: 'avg' },
    ];
    for (const layer of cases) {
      const analysis = analyzeModel(JSON.stringify({ layers: [layer] }), 'base.model.json');
      const row = analysis.summary?.layers[0];
      assert.ok(analysis.ir && row?.nested);
      const model = buildModel(analysis.ir, 1);
      try {
        const built = baseOf(model, row.name);
        assert.deepEqual(
          built.layers.map((inner) => [inner.name, inner.outputShape, inner.countParams()]),
          row.nested.map((inner) => [inner.name, inner.outputShape, inner.params]),
        );
        assert.equal(model.countParams(), analysis.summary?.totalParams);
        if (layer.trainable === false) assert.equal(model.trainableWeights.length, 0);
      } finally {
        model.dispose();
      }
    }
  });

  it("the mobilenetv2_transfer model written as a model file, with the saved file's weights, predicts Keras's softmax within 1e-4", async () => {
    const ir = irOf({
      layers: [
        { type: 'InputLayer', name: 'input_layer_1', inputShape: [64, 64, 3] },
        { type: 'Rescaling', scale: 2, offset: -1, inputs: 'input_layer_1' },
        { ...MOBILENET_035_64, inputs: 'rescaling' },
        { type: 'GlobalAveragePooling2D', inputs: 'mobilenetv2_0.35_64' },
        { type: 'Dropout', rate: 0.2 },
        { type: 'Dense', units: 5, activation: 'softmax' },
      ],
    });
    const model = buildModel(ir, 3);
    try {
      setKerasWeights(model, (await readKerasModel(join(FIXTURES, 'mobilenetv2_transfer.h5'))).weights, 'mobilenetv2_transfer.h5');
      const expected = JSON.parse(readFileSync(join(FIXTURES, 'mobilenetv2_transfer.expected.json'), 'utf8')) as { cases: { image: string; softmax: number[] }[] };
      for (const { image, softmax } of expected.cases) {
        const { input } = await readImage(join(FIXTURES, image), [64, 64, 3]);
        const output = model.predict(input) as tf.Tensor;
        const difference = maxDifference(output, tf.tensor2d([softmax]));
        tf.dispose([input, output]);
        assert.ok(difference < 1e-4, `${image}: max |tfjs − Keras| = ${difference}`);
      }
    } finally {
      model.dispose();
    }
  });

  describe('"weights": "PATH"', () => {
    let fixtureBase: WeightsLayer[];
    let reference: tf.LayersModel;
    const input = tf.randomUniform([2, 64, 64, 3], -1, 1, 'float32', 11);

    before(async () => {
      // The saved base's own weights, as Keras's base.save_weights("base.h5") would write them.
      const scope = (await readKerasModel(join(FIXTURES, 'mobilenetv2_transfer.h5'))).weights;
      const nested = scope.layers.get('mobilenetv2_0.35_64')?.nested;
      assert.ok(nested);
      fixtureBase = [...nested.layers.values()].map((layer) => ({
        name: layer.name,
        weights: layer.weights.map((weight) => ({ name: (weight.name.split('/').at(-1) ?? '').replace(/:\d+$/, ''), shape: weight.shape, values: weight.values })),
      }));
      reference = buildModel(irOf({ layers: [MOBILENET_035_64] }), 5);
      setKerasWeights(baseOf(reference, 'mobilenetv2_0.35_64'), nested, 'mobilenetv2_transfer.h5');
    });
    after(() => {
      reference.dispose();
      input.dispose();
    });

    for (const kerasThree of [false, true]) {
      it(`a ${kerasThree ? 'Keras 3 .weights.h5' : 'legacy save_weights .h5'} file, relative to the model file, loads into the base by layer name`, async () => {
        const dir = temporaryDir('cnnlab-pretrained-');
        const fileName = kerasThree ? 'base.weights.h5' : 'base.h5';
        await writeWeightsFile(join(dir, fileName), [{ name: 'input_layer', weights: [] }, ...fixtureBase], kerasThree);
        const ir = irOf({ layers: [{ ...MOBILENET_035_64, weights: fileName }] });
        const model = buildModel(ir, 9);
        const progress: string[] = [];
        try {
          await loadPretrainedWeights(model, ir, { baseDir: dir, progress: (message) => progress.push(message) });
          const [ours, keras] = [model.predict(input) as tf.Tensor, reference.predict(input) as tf.Tensor];
          assert.equal(maxDifference(ours, keras), 0);
          tf.dispose([ours, keras]);
          assert.deepEqual(progress, [`Loaded the weights of mobilenetv2_0.35_64 from ${fileName}`]);
        } finally {
          model.dispose();
        }
      });
    }

    it('a file that does not fit the base is refused whole, naming the layers; a missing file says where it was looked for', async () => {
      const dir = temporaryDir('cnnlab-pretrained-');
      await writeWeightsFile(join(dir, 'base.h5'), fixtureBase);
      const wider = irOf({ layers: [{ ...MOBILENET_035_64, alpha: 0.5, weights: 'base.h5' }] });
      const model = buildModel(wider, 1);
      try {
        const before = model.getWeights().map((weight) => weight.dataSync().slice());
        await assert.rejects(loadPretrainedWeights(model, wider, { baseDir: dir, progress: () => undefined }), (error: Error) => {
          assert.match(error.message, /^Layer 'mobilenetv2_0\.50_64': The weights in base\.h5 do not fit the model built from its architecture:/);
          assert.match(error.message, /\n {2}Layer 'block_7_expand' \(Conv2D\): kernel is \[1, 1, 32, 192\] in the model but \[1, 1, 24, 144\] in the file \('block_7_expand\/kernel:0'\)\.\n/);
          assert.doesNotMatch(error.message, /'Conv1'/, 'layers that fit are not listed');
          return true;
        });
        assert.deepEqual(model.getWeights().map((weight) => weight.dataSync().slice()), before, 'no weight was written');
        const missing = irOf({ layers: [{ ...MOBILENET_035_64, weights: 'nowhere/base.h5' }] });
        await assert.rejects(loadPretrainedWeights(model, missing, { baseDir: dir, progress: () => undefined }), /Received: weights="nowhere\/base\.h5" \(layer 'mobilenetv2_0\.35_64'\), and .*nowhere\/base\.h5 does not exist\./);
      } finally {
        model.dispose();
      }
    });
  });

  describe('"weights": "imagenet"', () => {
    const savedMirror = process.env.CNNLAB_DATASET_MIRROR;
    const savedKerasHome = process.env.KERAS_HOME;
    let server: Server | undefined;
    let requests: string[] = [];
    let served = new Map<string, Buffer>();

    before(async () => {
      server = createServer((request, response) => {
        const path = request.url ?? '/';
        requests.push(path);
        const bytes = served.get(path);
        if (!bytes) {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, { 'content-length': bytes.length });
        // Four pieces 300 ms apart: the downloader reports progress at most every 250 ms.
        let offset = 0;
        const piece = Math.ceil(bytes.length / 4);
        const next = (): void => {
          if (response.destroyed) return;
          response.write(bytes.subarray(offset, offset + piece));
          offset += piece;
          if (offset >= bytes.length) response.end();
          else setTimeout(next, 300);
        };
        next();
      });
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      process.env.CNNLAB_DATASET_MIRROR = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      // Keras's own cache (~/.keras/models) must not answer for the server.
      process.env.KERAS_HOME = temporaryDir('cnnlab-keras-home-');
    });
    beforeEach(() => {
      requests = [];
      served = new Map();
    });
    after(async () => {
      if (savedMirror === undefined) delete process.env.CNNLAB_DATASET_MIRROR;
      else process.env.CNNLAB_DATASET_MIRROR = savedMirror;
      if (savedKerasHome === undefined) delete process.env.KERAS_HOME;
      else process.env.KERAS_HOME = savedKerasHome;
      await new Promise<void>((resolve) => {
        server?.closeAllConnections();
        server?.close(() => resolve());
      });
    });

    it('downloads the file Keras publishes into the cache on first use, with progress, loads it by layer name, and uses the cache after', async () => {
      // MobileNetV2 alpha 0.35 at 96×96 without the top: the file Keras names
      // mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5, made here from a base of other weights.
      const layer = { type: 'MobileNetV2', alpha: 0.35, includeTop: false, inputShape: [96, 96, 3], trainable: false };
      const ir = irOf({ layers: [layer, { type: 'GlobalAveragePooling2D' }, { type: 'Dense', units: 2, activation: 'softmax' }] });
      const source = buildModel(irOf({ layers: [{ ...layer, weights: null }] }), 42);
      const served96 = layersOf(baseOf(source, 'mobilenetv2_0.35_96'));
      const cacheDir = temporaryDir('cnnlab-pretrained-cache-');
      const file = join(temporaryDir('cnnlab-pretrained-'), 'served.h5');
      await writeWeightsFile(file, served96);
      const bytes = readFileSync(file);
      const url = '/keras-applications/mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5';
      served.set(url, bytes);

      const model = buildModel(ir, 1);
      const progress: { message: string; fraction?: number }[] = [];
      try {
        await loadPretrainedWeights(model, ir, { baseDir: cacheDir, cacheDir, progress: (message, fraction) => progress.push({ message, fraction }) });
        assert.deepEqual(requests, [url]);
        const base = baseOf(model, 'mobilenetv2_0.35_96');
        for (const [index, inner] of base.layers.entries()) {
          inner.weights.forEach((variable, weightIndex) => assert.deepEqual(variable.read().dataSync(), served96[index].weights[weightIndex].values, `${inner.name}/${variable.originalName}`));
        }
        assert.equal(progress[0].message, 'Pretrained weights for mobilenetv2_0.35_96: mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5');
        const downloads = progress.filter((entry) => entry.message.startsWith('Downloading mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5:'));
        assert.ok(downloads.length >= 2, JSON.stringify(progress));
        assert.ok(downloads.every((entry) => entry.fraction !== undefined && entry.fraction > 0 && entry.fraction <= 1));
        assert.equal(progress.at(-1)?.message, 'Loaded the weights of mobilenetv2_0.35_96 from mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5');
        const cached = join(cacheDir, 'keras-applications', 'mobilenet_v2', 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5');
        assert.deepEqual(readFileSync(cached), bytes);
        assert.equal(readFileSync(`${cached}.sha256`, 'utf8').trim(), createHash('sha256').update(bytes).digest('hex'));

        // Second use: from the cache, no request.
        requests = [];
        await loadPretrainedWeights(model, ir, { baseDir: cacheDir, cacheDir, progress: () => undefined });
        assert.deepEqual(requests, []);
      } finally {
        model.dispose();
        source.dispose();
      }
    });

    it("a download whose MD5 is not the one Keras pins is refused and not kept (VGG16 without the top: 6d6bbae1…)", async () => {
      const options = resolveApplicationOptions('VGG16', { includeTop: false }).options;
      assert.ok(options);
      const file = APPLICATIONS.VGG16.imagenet(options);
      const made = join(temporaryDir('cnnlab-pretrained-'), 'small.h5');
      await writeWeightsFile(made, [{ name: 'block1_conv1', weights: [{ name: 'kernel', shape: [1], values: Float32Array.of(1) }] }]);
      const bytes = readFileSync(made);
      served.set('/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5', bytes);
      const cacheDir = temporaryDir('cnnlab-pretrained-cache-');
      const md5 = createHash('md5').update(bytes).digest('hex');
      await assert.rejects(imagenetWeightsPath(file, { baseDir: cacheDir, cacheDir, progress: () => undefined }), (error: Error) => {
        assert.ok(error instanceof DatasetError);
        assert.match(error.message, new RegExp(`vgg16_weights_tf_dim_ordering_tf_kernels_notop\\.h5 did not send the weights file: its MD5 is ${md5}, but keras\\.applications pins 6d6bbae143d832006294945121d1f1fc\\.$`));
        return true;
      });
      assert.equal(existsSync(join(cacheDir, 'keras-applications', 'vgg16', 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5')), false);
      // The same bytes pass once their digest is the one given (as a mirror of one's own would).
      const path = await imagenetWeightsPath(file, { baseDir: cacheDir, cacheDir, progress: () => undefined, publishedMd5: { [file.fileName]: md5 } });
      assert.deepEqual(readFileSync(path), bytes);
      assert.equal((await readKerasWeights(path)).layers.get('block1_conv1')?.weights[0].values[0], 1);
    });

    it('an HTML page instead of the file is refused before it is kept', async () => {
      served.set('/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5', Buffer.from('<html>quota exceeded</html>'));
      const options = resolveApplicationOptions('ResNet50', { includeTop: false }).options;
      assert.ok(options);
      const cacheDir = temporaryDir('cnnlab-pretrained-cache-');
      await assert.rejects(imagenetWeightsPath(APPLICATIONS.ResNet50.imagenet(options), { baseDir: cacheDir, cacheDir, progress: () => undefined }), /did not send the weights file: it is not an HDF5 file/);
    });
  });
});
