import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeModel, summarizeModel } from '../../src/model';
import type { LayerSpec, ModelIR } from '../../src/model/types';
import { LAYER_CATALOG } from '../../src/model/catalog';
import { buildModel, buildableLayerKinds } from '../../src/trainer/buildModel';
import { reseedStochasticLayers } from '../../src/trainer/seeding';
import { seededRandom } from '../../src/util/random';

interface SeedReference {
  name: string;
  input_shape: number[];
  layers: { type: string; config: Record<string, unknown> }[];
  expected: { output_shape: number[]; params: number }[];
  total_params: number;
  trainable_params: number;
}

const seeds = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'seed-summaries.json'), 'utf8')) as SeedReference[];

/** A Sequential IR as the Keras front end gives it: Keras class names, the options as written. */
function seedIR(seed: SeedReference): ModelIR {
  const layers: LayerSpec[] = seed.layers.map((layer, index) => ({
    name: typeof layer.config.name === 'string' ? layer.config.name : `${layer.type.toLowerCase()}_${index}`,
    className: layer.type,
    config: index === 0 ? { ...layer.config, input_shape: seed.input_shape } : layer.config,
    inbound: [],
  }));
  layers.forEach((layer, index) => {
    if (index > 0) layer.inbound = [layers[index - 1].name];
  });
  return { name: seed.name, format: 'keras', topology: 'sequential', layers, inputs: [], outputs: [layers[layers.length - 1].name] };
}

function layerShape(model: tf.LayersModel, name: string): (number | null)[] {
  return model.getLayer(name).outputShape as (number | null)[];
}

function layerParams(model: tf.LayersModel, name: string): number {
  return model.getLayer(name).countParams();
}

/** Every layer kind in one functional graph, with the shapes and params Keras gives for it. */
function everyKindIR(): { ir: ModelIR; expected: Record<string, { shape: (number | null)[]; params: number }> } {
  const rows: [string, string, Record<string, unknown>, string[], (number | null)[], number][] = [
    ['image', 'InputLayer', { inputShape: [16, 16, 3] }, [], [null, 16, 16, 3], 0],
    // Keras's Normalization without a mean: its non-trainable mean, variance and count (3 + 3 + 1).
    ['standard', 'Normalization', {}, ['image'], [null, 16, 16, 3], 7],
    ['scale', 'Rescaling', { scale: 1 / 255 }, ['standard'], [null, 16, 16, 3], 0],
    ['conv', 'Conv2D', { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'he_normal' }, ['scale'], [null, 16, 16, 8], 224],
    ['bn', 'BatchNormalization', {}, ['conv'], [null, 16, 16, 8], 32],
    ['dw', 'DepthwiseConv2D', { kernelSize: 3, padding: 'same' }, ['bn'], [null, 16, 16, 8], 80],
    ['sep', 'SeparableConv2D', { filters: 8, kernelSize: 3, padding: 'same' }, ['bn'], [null, 16, 16, 8], 144],
    ['sum', 'Add', {}, ['dw', 'sep'], [null, 16, 16, 8], 0],
    ['product', 'Multiply', {}, ['sum', 'conv'], [null, 16, 16, 8], 0],
    ['mean', 'Average', {}, ['product', 'conv'], [null, 16, 16, 8], 0],
    ['diff', 'Subtract', {}, ['mean', 'conv'], [null, 16, 16, 8], 0],
    ['high', 'Maximum', {}, ['diff', 'conv'], [null, 16, 16, 8], 0],
    ['low', 'Minimum', {}, ['high', 'conv'], [null, 16, 16, 8], 0],
    // Squeeze-and-excitation: (16, 16, 8) ⊙ (1, 1, 8) broadcasts to (16, 16, 8).
    ['squeeze', 'GlobalAveragePooling2D', { keepdims: true }, ['conv'], [null, 1, 1, 8], 0],
    ['excited', 'Multiply', {}, ['low', 'squeeze'], [null, 16, 16, 8], 0],
    ['joined', 'Concatenate', { axis: -1 }, ['excited', 'dw'], [null, 16, 16, 16], 0],
    ['pad', 'ZeroPadding2D', { padding: 1 }, ['joined'], [null, 18, 18, 16], 0],
    ['crop', 'Cropping2D', { cropping: 1 }, ['pad'], [null, 16, 16, 16], 0],
    ['channel_drop', 'SpatialDropout2D', { rate: 0.1 }, ['crop'], [null, 16, 16, 16], 0],
    ['max_pool', 'MaxPooling2D', { poolSize: 2 }, ['channel_drop'], [null, 8, 8, 16], 0],
    ['up', 'UpSampling2D', { size: [2, 2] }, ['max_pool'], [null, 16, 16, 16], 0],
    ['avg_pool', 'AveragePooling2D', { poolSize: 2 }, ['up'], [null, 8, 8, 16], 0],
    ['deconv', 'Conv2DTranspose', { filters: 4, kernelSize: 3, strides: 2, padding: 'same' }, ['avg_pool'], [null, 16, 16, 4], 580],
    ['relu', 'ReLU', {}, ['deconv'], [null, 16, 16, 4], 0],
    ['leaky', 'LeakyReLU', { alpha: 0.1 }, ['relu'], [null, 16, 16, 4], 0],
    ['selu', 'Activation', { activation: 'selu' }, ['leaky'], [null, 16, 16, 4], 0],
    ['norm', 'LayerNormalization', {}, ['selu'], [null, 16, 16, 4], 8],
    ['gap', 'GlobalAveragePooling2D', {}, ['norm'], [null, 4], 0],
    ['gmp', 'GlobalMaxPooling2D', {}, ['selu'], [null, 4], 0],
    ['pooled', 'Concatenate', {}, ['gap', 'gmp'], [null, 8], 0],
    ['grid', 'Reshape', { targetShape: [2, 4] }, ['pooled'], [null, 2, 4], 0],
    ['flat', 'Flatten', {}, ['grid'], [null, 8], 0],
    ['hidden', 'Dense', { units: 16, activation: 'selu', kernelInitializer: 'lecun_normal' }, ['flat'], [null, 16], 144],
    ['drop', 'Dropout', { rate: 0.2 }, ['hidden'], [null, 16], 0],
    ['logits', 'Dense', { units: 3 }, ['drop'], [null, 3], 51],
    ['probs', 'Softmax', {}, ['logits'], [null, 3], 0],
  ];
  const layers: LayerSpec[] = rows.map(([name, className, config, inbound]) => ({ name, className, config, inbound }));
  const expected = Object.fromEntries(rows.map(([name, , , , shape, params]) => [name, { shape, params }]));
  return { ir: { name: 'every-kind', format: 'json', topology: 'functional', layers, inputs: ['image'], outputs: ['probs'] }, expected };
}

describe('buildModel', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const seed of seeds) {
    it(`builds ${seed.name} with Keras's shapes and params`, () => {
      const ir = seedIR(seed);
      const model = buildModel(ir, 1);
      ir.layers.forEach((layer, index) => {
        assert.deepEqual(layerShape(model, layer.name), [null, ...seed.expected[index].output_shape], `${layer.name} shape`);
        assert.equal(layerParams(model, layer.name), seed.expected[index].params, `${layer.name} params`);
      });
      assert.equal(model.countParams(), seed.total_params);
      model.dispose();
    });
  }

  it('builds every layer kind of the catalogue, each with the catalogue\'s own tfjs factory', () => {
    assert.deepEqual([...buildableLayerKinds].sort(), LAYER_CATALOG.map((layerKind) => layerKind.className).sort());
  });

  it('builds every layer kind in a functional graph, with Keras shapes and params', () => {
    const { ir, expected } = everyKindIR();
    const kinds = new Set(ir.layers.map((layer) => layer.className));
    assert.deepEqual([...buildableLayerKinds].sort(), [...kinds].sort(), 'the graph covers every buildable kind');
    const model = buildModel(ir, 1);
    for (const [name, { shape, params }] of Object.entries(expected)) {
      assert.deepEqual(layerShape(model, name), shape, `${name} shape`);
      assert.equal(layerParams(model, name), params, `${name} params`);
    }
    model.dispose();
  });

  it("agrees with the model core's summary on every layer kind", () => {
    const { ir } = everyKindIR();
    const summary = summarizeModel(ir);
    assert.deepEqual(summary.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'), []);
    const model = buildModel(ir, 1);
    for (const layer of summary.layers) {
      assert.deepEqual(layerShape(model, layer.name), layer.outputShape, `${layer.name} shape`);
      assert.equal(layerParams(model, layer.name), layer.params, `${layer.name} params`);
    }
    assert.equal(model.countParams(), summary.totalParams);
    model.dispose();
  });

  const samplesDir = join(__dirname, '..', '..', 'samples');
  const sampleFiles = [
    ...readdirSync(samplesDir).filter((name) => name.endsWith('.model.json')),
    ...readdirSync(join(samplesDir, 'keras')).filter((name) => name.endsWith('.json')).map((name) => `keras/${name}`),
  ].sort();
  for (const file of sampleFiles) {
    it(`agrees with the model core's summary on samples/${file}`, () => {
      const analysis = analyzeModel(readFileSync(join(samplesDir, file), 'utf8'), file);
      assert.ok(analysis.ir && analysis.summary, JSON.stringify(analysis.diagnostics));
      const model = buildModel(analysis.ir, 1);
      for (const layer of analysis.summary.layers) {
        assert.deepEqual(layerShape(model, layer.name), layer.outputShape, `${layer.name} shape`);
        assert.equal(layerParams(model, layer.name), layer.params, `${layer.name} params`);
      }
      assert.equal(model.countParams(), analysis.summary.totalParams);
      model.dispose();
    });
  }

  it('trains a step through every layer kind and the loss falls', async function () {
    this.timeout(120_000);
    const model = buildModel(everyKindIR().ir, 1);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = tf.randomUniform([8, 16, 16, 3], 0, 255, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const dropoutRandom = seededRandom(7);
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      reseedStochasticLayers(model, dropoutRandom);
      const [loss] = (await model.trainOnBatch(x, y)) as number[];
      losses.push(loss);
    }
    assert.ok(losses.every(Number.isFinite));
    // Dropout makes single steps noisy; eight examples are memorised by step 30.
    const lastFive = losses.slice(-5).reduce((sum, loss) => sum + loss, 0) / 5;
    assert.ok(lastFive < losses[0], `losses ${losses.map((loss) => loss.toFixed(3)).join(' → ')}`);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('draws every initial weight of every layer kind from the run seed', () => {
    const weightsOf = (seed: number): Map<string, Float32Array> => {
      const model = buildModel(everyKindIR().ir, seed);
      const values = new Map(model.weights.map((weight) => [weight.originalName, weight.read().dataSync() as Float32Array]));
      model.dispose();
      return values;
    };
    const first = weightsOf(42);
    assert.deepEqual(weightsOf(42), first, 'same seed, same weights');
    const other = weightsOf(43);
    const kernels = [...first.keys()].filter((name) => /kernel$/.test(name));
    assert.ok(kernels.length >= 5, kernels.join(', '));
    for (const name of kernels) {
      assert.ok(new Set(first.get(name)).size > 1, `${name} is drawn at random`);
      assert.notDeepEqual(other.get(name), first.get(name), `${name} follows the seed`);
    }
  });

  it('keeps an initializer seed the model file fixed', () => {
    const ir: ModelIR = {
      name: 'fixed',
      format: 'json',
      topology: 'sequential',
      layers: [{ name: 'dense', className: 'Dense', config: { units: 3, inputShape: [4], kernelInitializer: { className: 'GlorotUniform', config: { seed: 5 } } }, inbound: [] }],
      inputs: [],
      outputs: ['dense'],
    };
    const kernels = [1, 2].map((runSeed) => {
      const model = buildModel(ir, runSeed);
      const kernel = model.getWeights()[0].dataSync();
      model.dispose();
      return kernel;
    });
    assert.deepEqual(kernels[0], kernels[1]);
  });

  it('gives dropout a new mask on every batch, repeatable from the seed', () => {
    const ir: ModelIR = {
      name: 'drop',
      format: 'json',
      topology: 'sequential',
      layers: [
        { name: 'dropout', className: 'Dropout', config: { rate: 0.5, inputShape: [64] }, inbound: [] },
        { name: 'spatial', className: 'SpatialDropout2D', config: { rate: 0.5, targetShape: [4, 4, 4] }, inbound: ['dropout'] },
      ],
      inputs: [],
      outputs: ['spatial'],
    };
    // SpatialDropout2D needs an image; a Reshape in between gives it one.
    ir.layers.splice(1, 0, { name: 'reshape', className: 'Reshape', config: { targetShape: [4, 4, 4] }, inbound: ['dropout'] });
    ir.layers[2].inbound = ['reshape'];
    const masks = (seed: number): number[][] => {
      const model = buildModel(ir, 1);
      const random = seededRandom(seed);
      const input = tf.ones([1, 64]);
      const result = [0, 1].map(() => {
        reseedStochasticLayers(model, random);
        return tf.tidy(() => Array.from((model.apply(input, { training: true }) as tf.Tensor).dataSync()));
      });
      input.dispose();
      model.dispose();
      return result;
    };
    const [first, second] = masks(3);
    assert.notDeepEqual(first, second, 'each batch draws its own mask');
    assert.deepEqual(masks(3), [first, second], 'the same seed draws the same masks');
  });

  it("normalises a Softmax layer without an axis over the last axis, as Keras does", () => {
    const ir: ModelIR = {
      name: 'softmax',
      format: 'json',
      topology: 'sequential',
      layers: [{ name: 'probs', className: 'Softmax', config: { inputShape: [2, 2, 3] }, inbound: [] }],
      inputs: [],
      outputs: ['probs'],
    };
    const model = buildModel(ir, 1);
    const output = model.predict(tf.randomNormal([1, 2, 2, 3], 0, 1, 'float32', 2)) as tf.Tensor;
    const sums = Array.from(output.sum(-1).dataSync());
    for (const sum of sums) assert.ok(Math.abs(sum - 1) < 1e-5, `sums over the last axis: ${sums.join(', ')}`);
    tf.dispose(output);
    model.dispose();
  });

  it('names the layer when it cannot be built', () => {
    const ir: ModelIR = {
      name: 'bad',
      format: 'json',
      topology: 'sequential',
      layers: [
        { name: 'conv', className: 'Conv2D', config: { filters: 4, kernelSize: 3, inputShape: [8, 8, 1] }, inbound: [] },
        { name: 'lstm', className: 'LSTM', config: { units: 4 }, inbound: ['conv'] },
      ],
      inputs: [],
      outputs: ['lstm'],
    };
    assert.throws(() => buildModel(ir, 1), /Layer 'lstm': the trainer cannot build 'LSTM'/);
    const noShape: ModelIR = { ...ir, layers: [{ name: 'dense', className: 'Dense', config: { units: 2 }, inbound: [] }], outputs: [] };
    assert.throws(() => buildModel(noShape, 1), /first layer 'dense' \(Dense\) has no input shape/);
  });
});
