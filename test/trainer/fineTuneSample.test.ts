// samples/mobilenetv2-fine-tune.model.json trained for real, offline: a frozen MobileNetV2 base
// (alpha 0.35, 96×96) and a new head on a folder of images. With a random-weights base (weights:
// null) the run completes and the base's weights and BatchNormalization statistics are those it
// started with; as written (weights: "imagenet") the base's file comes through the datasets' mirror
// (a loopback server serving weights made here) into the cache, and the base keeps them.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { analyzeModel } from '../../src/model';
import type { TrainingConfig } from '../../src/model/types';
import { buildModel } from '../../src/trainer/buildModel';
import { generateShapes } from '../../src/trainer/datasets/shapes';
import { loadSavedModel } from '../../src/trainer/modelFiles';
import { runTraining } from '../../src/trainer/train';
import { runSeed } from '../../src/trainer/trainingConfig';
import { collector, job, temporaryDir, writeModel } from './helpers';
import { layersOf, startWeightsMirror, writeWeightsFile } from './pretrainedHelpers';

const SAMPLE = join(__dirname, '..', '..', 'samples', 'mobilenetv2-fine-tune.model.json');
const BASE = 'mobilenetv2_0.35_96';
const CLASSES = ['circle', 'square', 'triangle', 'cross'];

/** photos/CLASS/N.png: 8 drawn shapes per class, 96×96 RGB. */
async function writePhotos(dir: string): Promise<void> {
  const shapes = generateShapes({ height: 96, width: 96, channels: 3, trainExamples: 32, testExamples: 1, seed: 3 });
  for (const className of CLASSES) mkdirSync(join(dir, 'photos', className), { recursive: true });
  const size = 96 * 96 * 3;
  for (let index = 0; index < 32; index++) {
    const pixels = Buffer.from(shapes.train.images.subarray(index * size, (index + 1) * size));
    await sharp(pixels, { raw: { width: 96, height: 96, channels: 3 } }).png().toFile(join(dir, 'photos', CLASSES[shapes.train.labels[index]], `${index}.png`));
  }
}

/** The sample with training kept short (2 epochs of batches of 8 on the CPU) and the base's weights as given. */
function sample(weights: string | null): Record<string, unknown> {
  const model = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { layers: Record<string, unknown>[]; training: TrainingConfig };
  model.layers[1] = { ...model.layers[1], weights };
  model.training = { ...model.training, epochs: 2, batchSize: 8, backend: 'cpu' };
  return model;
}

const valuesOf = (layer: tf.layers.Layer): Float32Array[] => layer.getWeights().map((weight) => weight.dataSync() as Float32Array);
/**
 * A nested model's weight values as a sorted list: unchanged weights give the same list whatever
 * order and grouping a reloaded model lists them in (tfjs regroups a frozen base's weights, and the
 * grouping also depends on the layer names tfjs has handed out before in the same process).
 */
const byLayer = (model: tf.layers.Layer): number[][] =>
  model.weights
    .map((weight) => Array.from(weight.read().dataSync()))
    .sort((a, b) => a.length - b.length || a.join(',').localeCompare(b.join(',')));

describe('samples/mobilenetv2-fine-tune.model.json, trained offline', function () {
  this.timeout(600_000);
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('reads as Keras builds it: a frozen 410,208-param base and a 5,124-param head', () => {
    const analysis = analyzeModel(readFileSync(SAMPLE, 'utf8'), SAMPLE);
    assert.deepEqual(analysis.diagnostics, []);
    assert.deepEqual(analysis.summary?.layers.map((layer) => [layer.name, layer.params, layer.trainableParams]), [
      ['rescaling', 0, 0],
      [BASE, 410_208, 0],
      ['global_average_pooling2d', 0, 0],
      ['dropout', 0, 0],
      ['dense', 5_124, 5_124],
    ]);
  });

  it('with a random-weights base (weights: null): the run completes, the head learns, the base is untouched', async () => {
    const dir = temporaryDir('cnnlab-fine-tune-');
    await writePhotos(dir);
    const model = sample(null);
    const modelFile = writeModel(dir, model, 'fine-tune.model.json');
    const events = collector();
    const record = await runTraining(job(dir, modelFile), events.emit);
    assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
    assert.deepEqual(record?.evaluation?.classNames, ['circle', 'cross', 'square', 'triangle']);
    const epochs = events.of('epoch');
    assert.equal(epochs.length, 2);
    assert.ok(epochs.every((event) => Number.isFinite(event.logs.loss)));

    // The trainer's first weights are the run seed's: the saved base has them still, moving statistics included.
    const analysis = analyzeModel(JSON.stringify(model), modelFile);
    assert.ok(analysis.ir);
    const initial = buildModel(analysis.ir, runSeed(analysis.ir.training ?? {}));
    const trained = await loadSavedModel(join(events.of('started')[0].runDir, 'model', 'last'));
    try {
      const initialBase = initial.getLayer(BASE) as tf.LayersModel;
      const trainedBase = trained.getLayer(BASE) as tf.LayersModel;
      assert.equal(trainedBase.weights.length, 260);
      assert.deepEqual(byLayer(trainedBase), byLayer(initialBase));
      assert.notDeepEqual(valuesOf(trained.getLayer('dense')), valuesOf(initial.getLayer('dense')));
    } finally {
      initial.dispose();
      trained.dispose();
    }
  });

  it('as written (weights: "imagenet"): the file Keras publishes comes through the mirror into the cache and the base keeps it', async () => {
    const dir = temporaryDir('cnnlab-fine-tune-');
    await writePhotos(dir);
    // Stand-in ImageNet weights: a base of other random weights, written as keras-applications' file.
    const analysis = analyzeModel(JSON.stringify({ layers: [{ type: 'MobileNetV2', alpha: 0.35, includeTop: false, weights: null, inputShape: [96, 96, 3] }] }), 'base.model.json');
    assert.ok(analysis.ir);
    const source = buildModel(analysis.ir, 77);
    const servedLayers = layersOf(source.getLayer(BASE) as tf.LayersModel);
    const served = join(dir, 'served.h5');
    await writeWeightsFile(served, servedLayers);
    const expected = byLayer(source.getLayer(BASE));
    source.dispose();
    const fileName = 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5';
    const mirror = await startWeightsMirror(new Map([[`/keras-applications/mobilenet_v2/${fileName}`, readFileSync(served)]]));
    const cacheDir = temporaryDir('cnnlab-fine-tune-cache-');
    const savedKerasHome = process.env.KERAS_HOME;
    process.env.KERAS_HOME = temporaryDir('cnnlab-keras-home-');
    try {
      const events = collector();
      const record = await runTraining(job(dir, writeModel(dir, sample('imagenet'), 'fine-tune.model.json'), { cacheDir }), events.emit);
      assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
      assert.deepEqual(mirror.requests, [`/keras-applications/mobilenet_v2/${fileName}`]);
      const messages = events.of('progress').map((event) => event.message);
      assert.ok(messages.includes(`Pretrained weights for ${BASE}: ${fileName}`), messages.join('\n'));
      assert.ok(messages.includes(`Loaded the weights of ${BASE} from ${fileName}`), messages.join('\n'));
      assert.ok(existsSync(join(cacheDir, 'keras-applications', 'mobilenet_v2', fileName)));
      const trained = await loadSavedModel(join(events.of('started')[0].runDir, 'model', 'last'));
      try {
        assert.deepEqual(byLayer(trained.getLayer(BASE)), expected);
      } finally {
        trained.dispose();
      }
    } finally {
      await mirror.close();
      if (savedKerasHome === undefined) delete process.env.KERAS_HOME;
      else process.env.KERAS_HOME = savedKerasHome;
    }
  });
});
