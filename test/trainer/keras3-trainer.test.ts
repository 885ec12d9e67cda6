// Keras 3 exactness, trainer side (issue 13 item 1): what the model core accepts from Keras 3 and
// tfjs 4.22 cannot run is refused by name before training; what CNN Lab supplies itself
// (Normalization, Subtract, keepdims global pooling) computes what Keras computes.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeModel } from '../../src/model';
import type { ModelIR } from '../../src/model/types';
import { buildModel } from '../../src/trainer/buildModel';
import { readSavedModelArchitecture } from '../../src/keras/modelReader';
import { TrainingError } from '../../src/trainer/errors';

/** The IR of a model JSON the model core accepts without errors. */
function irOf(model: object): ModelIR {
  const analysis = analyzeModel(JSON.stringify(model), 't.model.json');
  assert.deepEqual(analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map((diagnostic) => diagnostic.message), []);
  assert.ok(analysis.ir);
  return analysis.ir;
}

function refusal(ir: ModelIR): TrainingError {
  let caught: unknown;
  try {
    buildModel(ir, 1).dispose();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof TrainingError, `a TrainingError, not ${String(caught)}`);
  return caught;
}

const values = (tensor: tf.Tensor): number[] => Array.from(tensor.dataSync());
const close = (actual: number[], expected: number[]): void => {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, index) => assert.ok(Math.abs(value - expected[index]) < 1e-5, `${actual.join(', ')} ≈ ${expected.join(', ')}`));
};

describe('trainer: Keras 3 names and options tfjs lacks', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('builds the activations tfjs has, under tfjs spellings: silu → swish, log_softmax → logSoftmax, hard_sigmoid, null', () => {
    const model = buildModel(irOf({ inputShape: [4], layers: [
      { type: 'Dense', name: 'a', units: 4, activation: 'silu' },
      { type: 'Dense', name: 'b', units: 4, activation: 'log_softmax' },
      { type: 'Dense', name: 'c', units: 4, activation: 'hard_sigmoid' },
      { type: 'Dense', name: 'd', units: 4, activation: null },
      { type: 'Activation', name: 'e', activation: 'swish' },
    ] }), 1);
    const activation = (name: string): string => (model.getLayer(name).getConfig().activation as string);
    assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map(activation), ['swish', 'logSoftmax', 'keras3HardSigmoid', 'linear', 'swish']);
    model.dispose();
  });

  it("hard_sigmoid is Keras 3's, clip(x / 6 + 0.5, 0, 1), not tfjs's 0.2·x + 0.5, also in a saved model loaded again", async () => {
    const model = buildModel(irOf({ inputShape: [6], layers: [{ type: 'Activation', name: 'hs', activation: 'hard_sigmoid' }] }), 1);
    const input = tf.tensor2d([[-4, -3, -1.5, 0, 1.5, 3.5]]);
    // tfjs's Keras 2 formula gives 0.2, 0.8 at ±1.5: Keras 3 gives 0.25, 0.75.
    const keras3 = [0, 0, 0.25, 0.5, 0.75, 1];
    close(values(model.predict(input) as tf.Tensor), keras3);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    assert.ok(saved);
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved));
    close(values(reloaded.predict(input) as tf.Tensor), keras3);
    // Such a run model used as a base reads back as Keras's hard_sigmoid.
    const folder = mkdtempSync(join(tmpdir(), 'cnnlab-hard-sigmoid-'));
    writeFileSync(join(folder, 'model.json'), JSON.stringify({ modelTopology: saved.modelTopology }));
    assert.match(readSavedModelArchitecture(folder), /"activation":"hard_sigmoid"/);
    tf.dispose([input]);
    model.dispose();
    reloaded.dispose();
  });

  it('refuses an activation tfjs cannot run, naming the layer and the activation, with what to do', () => {
    for (const name of ['leaky_relu', 'hard_silu', 'hardSwish', 'celu', 'glu', 'sparsemax', 'exponential']) {
      const error = refusal(irOf({ inputShape: [4], layers: [{ type: 'Dense', name: 'head', units: 4, activation: name }] }));
      assert.match(error.message, new RegExp(`^Layer 'head' \\(Dense\\): tfjs has no activation "${name}", so the trainer cannot build this layer\\. Expected one of the activations tfjs 4\\.22 runs: linear, relu, .*\\. Received: activation="${name}"\\.$`));
      assert.match(error.hint ?? '', /training runs on tfjs/);
    }
    assert.match(refusal(irOf({ inputShape: [4], layers: [{ type: 'Activation', name: 'act', activation: 'leaky_relu' }] })).hint ?? '', /LeakyReLU layer with alpha 0\.2/);
  });

  it('refuses a Keras-only option with a value tfjs would ignore; its default builds', () => {
    const cases: [object, RegExp][] = [
      [{ type: 'Conv2DTranspose', name: 'up', filters: 1, kernelSize: 5, strides: 3, outputPadding: [1, 2] }, /^Layer 'up' \(Conv2DTranspose\): tfjs's conv2dTranspose layer has no outputPadding, .* Received: outputPadding=\[1,2\]\.$/],
      [{ type: 'Conv2D', name: 'grouped', filters: 4, kernelSize: 3, groups: 2 }, /tfjs's conv2d layer has no groups/],
      [{ type: 'BatchNormalization', name: 'bn', renorm: true }, /tfjs's batchNormalization layer has no renorm/],
      [{ type: 'LayerNormalization', name: 'ln', rmsScaling: true }, /tfjs's layerNormalization layer has no rmsScaling/],
    ];
    for (const [layer, message] of cases) assert.match(refusal(irOf({ inputShape: [8, 8, 2], layers: [layer] })).message, message);
    const defaults = buildModel(irOf({ inputShape: [8, 8, 2], layers: [
      { type: 'Conv2DTranspose', filters: 1, kernelSize: 5, strides: 3, outputPadding: null },
      { type: 'Conv2D', filters: 4, kernelSize: 3, groups: 1 },
      { type: 'BatchNormalization', renorm: false },
      { type: 'LayerNormalization', rmsScaling: false },
    ] }), 1);
    defaults.dispose();
  });

  it('LayerNormalization over axes [2, 3] builds with the summary\'s 40 params', () => {
    const ir = irOf({ inputShape: [5, 5, 8], layers: [{ type: 'LayerNormalization', name: 'ln', axis: [2, 3], scale: false }] });
    const model = buildModel(ir, 1);
    assert.equal(model.getLayer('ln').countParams(), 40);
    model.dispose();
  });

  it('Normalization with a mean and variance: (x − mean) / √variance per channel, and its inverse, no weights', () => {
    const mean = [1, 2, 3];
    const variance = [4, 16, 0.25];
    const input = tf.tensor4d([[[[5, 10, 3.5], [1, 2, 3]]]]);
    const normalize = buildModel(irOf({ inputShape: [1, 2, 3], layers: [{ type: 'Normalization', name: 'n', mean, variance }] }), 1);
    assert.equal(normalize.countParams(), 0);
    close(values(normalize.predict(input) as tf.Tensor), [2, 2, 1, 0, 0, 0]);
    const invert = buildModel(irOf({ inputShape: [1, 2, 3], layers: [{ type: 'Normalization', name: 'n', mean, variance, invert: true }] }), 1);
    close(values(invert.predict(tf.tensor4d([[[[2, 2, 1], [0, 0, 0]]]])) as tf.Tensor), [5, 10, 3.5, 1, 2, 3]);
    tf.dispose([input]);
    normalize.dispose();
    invert.dispose();
  });

  it('Normalization without them: the non-trainable mean, variance and count of the summary (2C + 1), identity until set', () => {
    const ir = irOf({ inputShape: [2, 2, 3], layers: [{ type: 'Normalization', name: 'n' }] });
    const model = buildModel(ir, 1);
    const layer = model.getLayer('n');
    assert.deepEqual(layer.weights.map((weight) => [weight.originalName.split('/').pop(), weight.shape, weight.trainable]), [
      ['mean', [3], false],
      ['variance', [3], false],
      ['count', [], false],
    ]);
    assert.equal(model.countParams(), analyzeModel(JSON.stringify({ inputShape: [2, 2, 3], layers: [{ type: 'Normalization' }] }), 'n.model.json').summary?.totalParams);
    const input = tf.randomNormal([1, 2, 2, 3], 0, 1, 'float32', 3);
    close(values(model.predict(input) as tf.Tensor), values(input));
    tf.dispose(input);
    model.dispose();
  });

  it('Subtract broadcasts as Keras does; keepdims global pooling keeps (1, 1, C)', () => {
    const ir = irOf({ layers: [
      { type: 'InputLayer', name: 'x', inputShape: [2, 2, 2] },
      { type: 'GlobalAveragePooling2D', name: 'mean', keepdims: true, inputs: 'x' },
      { type: 'GlobalMaxPooling2D', name: 'peak', keepdims: true, inputs: 'x' },
      { type: 'Subtract', name: 'centred', inputs: ['x', 'mean'] },
      { type: 'Add', name: 'out', inputs: ['centred', 'peak'] },
    ], outputs: 'out' });
    const model = buildModel(ir, 1);
    assert.deepEqual(model.getLayer('mean').outputShape, [null, 1, 1, 2]);
    assert.deepEqual(model.getLayer('centred').outputShape, [null, 2, 2, 2]);
    // Channel 0: 1, 2, 3, 6 (mean 3, max 6); channel 1: 0, 0, 0, 4 (mean 1, max 4).
    const input = tf.tensor4d([[[[1, 0], [2, 0]], [[3, 0], [6, 4]]]]);
    close(values(model.predict(input) as tf.Tensor), [4, 3, 5, 3, 6, 3, 9, 7]);
    tf.dispose(input);
    model.dispose();
  });
});
