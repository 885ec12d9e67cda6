// Keras 3 exactness (issue 13 item 1): each case the comparison with Keras 3.15 found, in every
// front end (model JSON, Keras `to_json()`, TypeScript). Every expected number follows from the
// Keras source function named beside it, worked by hand in the comment; none is CNN Lab's own.
import { strict as assert } from 'node:assert';
import { analyzeModel } from '../../src/model/index';
import type { ModelAnalysis, Shape } from '../../src/model/types';

/** Keras's spellings of every activation `keras.activations.get` accepts: keras/src/activations/__init__.py, ALL_OBJECTS_DICT. */
const KERAS_ACTIVATIONS = [
  'relu', 'leaky_relu', 'relu6', 'softmax', 'celu', 'elu', 'selu', 'softplus', 'softsign', 'squareplus', 'soft_shrink', 'sparse_plus',
  'silu', 'gelu', 'glu', 'tanh', 'tanh_shrink', 'threshold', 'sigmoid', 'sparse_sigmoid', 'exponential', 'hard_sigmoid', 'hard_silu',
  'hard_tanh', 'hard_shrink', 'linear', 'mish', 'log_softmax', 'log_sigmoid', 'sparsemax', 'swish', 'hard_swish',
];

interface Row {
  name: string;
  shape: Shape;
  params: number;
  trainable: number;
  nonTrainable: number;
}

function rows(analysis: ModelAnalysis): Row[] {
  return (analysis.summary?.layers ?? []).map((layer) => ({
    name: layer.name,
    shape: layer.outputShape,
    params: layer.params,
    trainable: layer.trainableParams,
    nonTrainable: layer.nonTrainableParams,
  }));
}

const errors = (analysis: ModelAnalysis): string[] => analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map((diagnostic) => diagnostic.message);

/** A model JSON file; `layers` with `inputs` make it functional (then give InputLayers, no `inputShape`). */
function json(inputShape: (number | null)[] | undefined, layers: object[]): ModelAnalysis {
  return analyzeModel(JSON.stringify({ ...(inputShape ? { inputShape } : {}), layers }, null, 2), 'k3.model.json');
}

/** The analysis of a model JSON that must have no errors, as rows by layer name. */
function jsonRows(inputShape: (number | null)[] | undefined, layers: object[]): Record<string, Row> {
  const analysis = json(inputShape, layers);
  assert.deepEqual(errors(analysis), []);
  return Object.fromEntries(rows(analysis).map((row) => [row.name, row]));
}

interface KerasLayer {
  class_name: string;
  name: string;
  config?: Record<string, unknown>;
  inputs?: string[];
}

/** Keras 3 `to_json()` of a Functional model: `batch_shape`, `module`, `keras_history` inbound nodes. */
function keras3(batchShape: (number | null)[], layers: KerasLayer[]): string {
  const history = (name: string): unknown => ({ class_name: '__keras_tensor__', config: { shape: [], dtype: 'float32', keras_history: [name, 0, 0] } });
  const written = [
    { module: 'keras.layers', class_name: 'InputLayer', name: 'input_layer', config: { batch_shape: batchShape, dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null, inbound_nodes: [] },
    ...layers.map((layer, index) => {
      const inputs = layer.inputs ?? [index === 0 ? 'input_layer' : layers[index - 1].name];
      const args = inputs.length === 1 ? [history(inputs[0])] : [inputs.map(history)];
      return { module: 'keras.layers', class_name: layer.class_name, name: layer.name, config: { name: layer.name, trainable: true, ...layer.config }, registered_name: null, inbound_nodes: [{ args, kwargs: {} }] };
    }),
  ];
  const last = layers[layers.length - 1].name;
  return JSON.stringify({
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: { name: 'functional', trainable: true, layers: written, input_layers: [['input_layer', 0, 0]], output_layers: [[last, 0, 0]] },
    registered_name: 'Functional',
  });
}

function kerasRows(batchShape: (number | null)[], layers: KerasLayer[]): Record<string, Row> {
  const analysis = analyzeModel(keras3(batchShape, layers), 'k3.json');
  assert.equal(analysis.format, 'keras');
  assert.deepEqual(errors(analysis), []);
  return Object.fromEntries(rows(analysis).map((row) => [row.name, row]));
}

const typescript = (body: string): ModelAnalysis =>
  analyzeModel(`import * as tf from '@tensorflow/tfjs';\n\nexport function build() {\n${body}\n}\n`, 'k3.model.ts');

describe('Keras 3 exactness (issue 13 item 1)', () => {
  describe('activations: exactly the names keras.activations.get accepts', () => {
    it('every Keras 3 name, as Keras spells it and in camelCase, on Dense and as an Activation layer, changes no shape or param', () => {
      for (const name of KERAS_ACTIVATIONS) {
        const camel = name.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
        for (const written of new Set([name, camel])) {
          // Dense.compute_output_shape and Activation.compute_output_shape ignore the activation.
          const result = jsonRows([6], [
            { type: 'Dense', name: 'dense', units: 4, activation: written },
            { type: 'Activation', name: 'act', activation: written },
          ]);
          assert.deepEqual(result.dense, { name: 'dense', shape: [null, 4], params: 28, trainable: 28, nonTrainable: 0 }, written);
          assert.deepEqual(result.act, { name: 'act', shape: [null, 4], params: 0, trainable: 0, nonTrainable: 0 }, written);
        }
      }
    });

    it('Keras 3 to_json() with leaky_relu, hard_silu (MobileNetV3) and an Activation layer of each', () => {
      const result = kerasRows([null, 8, 8, 3], [
        { class_name: 'Conv2D', name: 'stem', config: { filters: 16, kernel_size: [3, 3], strides: [2, 2], padding: 'same', activation: 'hard_silu', use_bias: false, groups: 1 } },
        { class_name: 'Activation', name: 'hs', config: { activation: 'hard_swish' } },
        { class_name: 'Dense', name: 'head', config: { units: 10, activation: 'leaky_relu' } },
        { class_name: 'Activation', name: 'leaky', config: { activation: 'leaky_relu' } },
      ]);
      assert.deepEqual(result.stem.shape, [null, 4, 4, 16]);
      assert.equal(result.stem.params, 3 * 3 * 3 * 16);
      assert.deepEqual(result.leaky.shape, [null, 4, 4, 10]);
      assert.equal(result.head.params, 16 * 10 + 10);
    });

    it('activation null means linear (keras.activations.get(None)), in every front end', () => {
      assert.equal(jsonRows([6], [{ type: 'Dense', name: 'd', units: 3, activation: null }]).d.params, 21);
      assert.equal(kerasRows([null, 6], [{ class_name: 'Dense', name: 'd', config: { units: 3, activation: null } }]).d.params, 21);
      const ts = typescript(`  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 3, activation: null })] });`);
      assert.deepEqual(errors(ts), []);
      assert.equal(rows(ts)[0].params, 21);
    });

    it('a name Keras does not have is refused on the value, listing the names', () => {
      for (const name of ['gelu_new', 'rellu', 'swish2']) {
        const messages = errors(json([6], [{ type: 'Dense', units: 3, activation: name }]));
        assert.equal(messages.length, 1, name);
        assert.match(messages[0], new RegExp(`^Invalid value for \`activation\` of Dense "dense": expected one of "linear", .*"leakyRelu", .*"hardSilu".*Received: activation="${name}"\\.$`));
      }
    });
  });

  describe('elementwise merges broadcast (keras/src/layers/merging/base_merge.py, _compute_elemwise_op_output_shape)', () => {
    const squeezeExcite = (inputShape: (number | null)[], merge: string): object[] => [
      { type: 'GlobalAveragePooling2D', name: 'squeeze', keepdims: true, inputs: 'input' },
      { type: 'Dense', name: 'reduce', units: 4, activation: 'relu', inputs: 'squeeze' },
      { type: 'Dense', name: 'excite', units: inputShape[2] as number, activation: 'sigmoid', inputs: 'reduce' },
      { type: merge, name: 'scaled', inputs: ['input', 'excite'] },
    ];

    it('squeeze-and-excitation: (N, 8, 8, 16) ⊙ (N, 1, 1, 16) → (N, 8, 8, 16)', () => {
      // Per axis: 8 and 1 → 8, 8 and 1 → 8, 16 and 16 → 16.
      const result = jsonRows(undefined, [{ type: 'InputLayer', name: 'input', inputShape: [8, 8, 16] }, ...squeezeExcite([8, 8, 16], 'Multiply')]);
      assert.deepEqual(result.squeeze.shape, [null, 1, 1, 16]);
      assert.deepEqual(result.scaled.shape, [null, 8, 8, 16]);
    });

    it('with None spatial sizes: (N, None, None, 16) ⊙ (N, 1, 1, 16) → (N, None, None, 16), not (N, 1, 1, 16)', () => {
      // `if i is None or j is None: output_shape.append(None)`.
      for (const merge of ['Multiply', 'Add', 'Average', 'Subtract', 'Maximum', 'Minimum']) {
        const result = jsonRows(undefined, [{ type: 'InputLayer', name: 'input', inputShape: [null, null, 16] }, ...squeezeExcite([null, null, 16], merge)]);
        assert.deepEqual(result.scaled.shape, [null, null, null, 16], merge);
      }
    });

    it('None against a known size gives None; a shorter shape aligns on the last axes', () => {
      const result = jsonRows(undefined, [
        { type: 'InputLayer', name: 'a', inputShape: [8, 8, 16] },
        { type: 'InputLayer', name: 'b', inputShape: [null, null, 16] },
        { type: 'InputLayer', name: 'c', inputShape: [16] },
        { type: 'Add', name: 'ab', inputs: ['a', 'b'] },
        { type: 'Multiply', name: 'ac', inputs: ['a', 'c'] },
      ]);
      // (8, 8, 16) and (None, None, 16): None, None, 16.
      assert.deepEqual(result.ab.shape, [null, null, null, 16]);
      // (8, 8, 16) and (16,): the leading (8, 8) kept, then 16 and 16.
      assert.deepEqual(result.ac.shape, [null, 8, 8, 16]);
    });

    it('Keras 3 to_json(): the SE block of MobileNetV3 / EfficientNet', () => {
      const result = kerasRows([null, 14, 14, 24], [
        { class_name: 'GlobalAveragePooling2D', name: 'se_squeeze', config: { data_format: 'channels_last', keepdims: true } },
        { class_name: 'Conv2D', name: 'se_reduce', config: { filters: 6, kernel_size: [1, 1], activation: 'relu' } },
        { class_name: 'Conv2D', name: 'se_expand', config: { filters: 24, kernel_size: [1, 1], activation: 'hard_sigmoid' } },
        { class_name: 'Multiply', name: 'se_excite', inputs: ['input_layer', 'se_expand'] },
      ]);
      assert.deepEqual(result.se_excite.shape, [null, 14, 14, 24]);
      assert.equal(result.se_reduce.params, 24 * 6 + 6);
    });

    it('refuses sizes that do not broadcast, batch sizes that differ, and a Subtract of 3 inputs, in Keras wording', () => {
      const incompatible = errors(json(undefined, [
        { type: 'InputLayer', name: 'a', inputShape: [6, 6, 4] },
        { type: 'InputLayer', name: 'b', inputShape: [6, 6, 8] },
        { type: 'Add', inputs: ['a', 'b'] },
      ]));
      assert.deepEqual(incompatible, [
        'Inputs have incompatible shapes. Received shapes (6, 6, 4) and (6, 6, 8). Add needs shapes that broadcast: aligned from the last axis, each pair of sizes equal or one of them 1.',
      ]);
      const batches = errors(json(undefined, [
        { type: 'InputLayer', name: 'a', batchInputShape: [2, 4] },
        { type: 'InputLayer', name: 'b', batchInputShape: [3, 4] },
        { type: 'Maximum', inputs: ['a', 'b'] },
      ]));
      assert.deepEqual(batches, ['Cannot merge tensors with different batch sizes. Received tensors with shapes [(2, 4), (3, 4)].']);
      // keras/src/layers/merging/subtract.py, build.
      const three = errors(json(undefined, [
        { type: 'InputLayer', name: 'a', inputShape: [4] },
        { type: 'Subtract', name: 'diff', inputs: ['a', 'a', 'a'] },
      ]));
      assert.deepEqual(three, ['A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape=[(None, 4), (None, 4), (None, 4)]. Give "diff" 2 inputs (functional model).']);
    });
  });

  describe('Conv2DTranspose output_padding (keras/src/backend/common/backend_utils.py, _get_output_shape_given_tf_padding)', () => {
    it('kernel 5, stride 3, valid, output_padding [1, 2] on 57 × 57 → (174, 175)', () => {
      // valid with output padding p: (L − 1)·s + k + p = 56·3 + 5 + 1 = 174 and 56·3 + 5 + 2 = 175.
      const layer = { filters: 2, kernelSize: 5, strides: 3, padding: 'valid', outputPadding: [1, 2] };
      const fromJson = jsonRows([57, 57, 3], [{ type: 'Conv2DTranspose', name: 'up', ...layer }]);
      assert.deepEqual(fromJson.up.shape, [null, 174, 175, 2]);
      assert.equal(fromJson.up.params, 5 * 5 * 2 * 3 + 2);
      const fromKeras = kerasRows([null, 57, 57, 3], [
        { class_name: 'Conv2DTranspose', name: 'up', config: { filters: 2, kernel_size: [5, 5], strides: [3, 3], padding: 'valid', output_padding: [1, 2], dilation_rate: [1, 1], activation: 'linear', use_bias: true } },
      ]);
      assert.deepEqual(fromKeras.up.shape, [null, 174, 175, 2]);
    });

    it('same padding with output padding: (L − 1)·s + k mod 2 + p; without it L·s and (L − 1)·s + max(k, s)', () => {
      const result = jsonRows(undefined, [
        { type: 'InputLayer', name: 'input', inputShape: [10, 10, 1] },
        { type: 'Conv2DTranspose', name: 'same_op', filters: 1, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1, inputs: 'input' },
        { type: 'Conv2DTranspose', name: 'same_op0', filters: 1, kernelSize: 4, strides: 2, padding: 'same', outputPadding: [0, 1], inputs: 'input' },
        { type: 'Conv2DTranspose', name: 'same', filters: 1, kernelSize: 3, strides: 2, padding: 'same', inputs: 'input' },
        { type: 'Conv2DTranspose', name: 'valid', filters: 1, kernelSize: 3, strides: 2, outputPadding: null, inputs: 'input' },
      ]);
      // 9·2 + 3 mod 2 + 1 = 20; 9·2 + 4 mod 2 + 0 = 18 and + 1 = 19; 10·2 = 20; 9·2 + max(3, 2) = 21.
      assert.deepEqual(result.same_op.shape, [null, 20, 20, 1]);
      assert.deepEqual(result.same_op0.shape, [null, 18, 19, 1]);
      assert.deepEqual(result.same.shape, [null, 20, 20, 1]);
      assert.deepEqual(result.valid.shape, [null, 21, 21, 1]);
    });

    it('refuses output padding of a stride or more (tf-keras Conv2DTranspose.__init__)', () => {
      const messages = errors(json([8, 8, 1], [{ type: 'Conv2DTranspose', filters: 1, kernelSize: 3, strides: [3, 2], outputPadding: [1, 2] }]));
      assert.deepEqual(messages, ['Strides must be greater than output padding. Received strides=(3, 2), output_padding=(1, 2). Give each axis an outputPadding below its stride.']);
    });

    it('a .model.ts refuses outputPadding: tfjs 4.22 conv2dTranspose (ConvLayerArgs) has none', () => {
      const analysis = typescript(`  const model = tf.sequential();\n  model.add(tf.layers.conv2dTranspose({ inputShape: [57, 57, 3], filters: 2, kernelSize: 5, strides: 3, outputPadding: [1, 2] }));\n  return model;`);
      const messages = errors(analysis);
      assert.equal(messages.length, 1);
      assert.match(messages[0], /^Unrecognized keyword argument passed to Conv2DTranspose: 'outputPadding'\. tf\.layers\.conv2dTranspose has no outputPadding, a Keras option/);
      assert.doesNotMatch(messages[0], /Accepted options: [^;]*outputPadding/);
      assert.equal(analysis.diagnostics[0].code, 'unknown-option');
    });
  });

  describe('LayerNormalization over a list of axes (keras/src/layers/normalization/layer_normalization.py, build)', () => {
    it('axis [2, 3] on (5, 5, 8), center only: beta of shape (5, 8) = 40 params, in every front end', () => {
      // build: shape = tuple(input_shape[dim] for dim in axis) = (5, 8); center → beta; scale False → no gamma.
      assert.deepEqual(jsonRows([5, 5, 8], [{ type: 'LayerNormalization', name: 'ln', axis: [2, 3], scale: false }]).ln, { name: 'ln', shape: [null, 5, 5, 8], params: 40, trainable: 40, nonTrainable: 0 });
      assert.equal(kerasRows([null, 5, 5, 8], [{ class_name: 'LayerNormalization', name: 'ln', config: { axis: [2, 3], epsilon: 0.001, center: true, scale: false, rms_scaling: false } }]).ln.params, 40);
      const ts = typescript(`  return tf.sequential({ layers: [tf.layers.layerNormalization({ inputShape: [5, 5, 8], axis: [2, 3], scale: false })] });`);
      assert.deepEqual(errors(ts), []);
      assert.equal(rows(ts)[0].params, 40);
    });

    it('negative axes, both weights, and Keras 3 serializing axis -1 as [-1]', () => {
      // (-2, -1) on (5, 5, 8) is (2, 3): gamma and beta of 5 · 8 each.
      assert.equal(jsonRows([5, 5, 8], [{ type: 'LayerNormalization', name: 'ln', axis: [-2, -1] }]).ln.params, 80);
      assert.equal(kerasRows([null, 5, 5, 8], [{ class_name: 'LayerNormalization', name: 'ln', config: { axis: [-1] } }]).ln.params, 16);
    });

    it('rms_scaling (deprecated): gamma only, whatever center says', () => {
      // build: gamma if scale or rms_scaling; beta if center and not rms_scaling.
      assert.equal(kerasRows([null, 5, 8], [{ class_name: 'LayerNormalization', name: 'ln', config: { axis: -1, center: true, scale: true, rms_scaling: true } }]).ln.params, 8);
    });
  });

  it('Softmax over an axis of unknown size keeps the shape (Softmax.compute_output_shape)', () => {
    assert.deepEqual(jsonRows([null, 10], [{ type: 'Softmax', name: 's', axis: 1 }]).s.shape, [null, null, 10]);
    assert.deepEqual(kerasRows([null, null, 10], [{ class_name: 'Softmax', name: 's', config: { axis: -2 } }]).s.shape, [null, null, 10]);
  });

  it('strides > 1 with dilation_rate > 1 is refused as Keras refuses it (base_conv.py and the depthwise, separable, transpose bases, __init__)', () => {
    for (const type of ['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose']) {
      const messages = errors(json([16, 16, 3], [{ type, filters: 4, kernelSize: 3, strides: 2, dilationRate: 2 }].map((layer) => (type === 'DepthwiseConv2D' ? { type, kernelSize: 3, strides: 2, dilationRate: 2 } : layer))));
      assert.deepEqual(messages, ['`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=(2, 2) and dilation_rate=(2, 2). Use strides 1 with a dilation, or dilationRate 1 with strides.'], type);
    }
    const keras = analyzeModel(keras3([null, 16, 16, 3], [{ class_name: 'Conv2D', name: 'c', config: { filters: 4, kernel_size: [3, 3], strides: [1, 2], dilation_rate: [2, 1] } }]), 'k.json');
    assert.deepEqual(errors(keras), ['`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=(1, 2) and dilation_rate=(2, 1). Use strides 1 with a dilation, or dilationRate 1 with strides.']);
  });

  describe('Normalization (keras/src/layers/preprocessing/normalization.py, build)', () => {
    it('axis -1 on C channels without mean and variance: mean C + variance C + count 1, non-trainable', () => {
      // EfficientNet: layers.Normalization(axis=3) on (224, 224, 3): 3 + 3 + 1 = 7.
      assert.deepEqual(jsonRows([224, 224, 3], [{ type: 'Normalization', name: 'n' }]).n, { name: 'n', shape: [null, 224, 224, 3], params: 7, trainable: 0, nonTrainable: 7 });
      const keras = kerasRows([null, 224, 224, 3], [{ class_name: 'Normalization', name: 'normalization', config: { axis: [3], invert: false, mean: null, variance: null } }]);
      assert.deepEqual(keras.normalization, { name: 'normalization', shape: [null, 224, 224, 3], params: 7, trainable: 0, nonTrainable: 7 });
    });

    it('mean and variance given (ConvNeXt): no weights', () => {
      const keras = kerasRows([null, 32, 32, 3], [
        { class_name: 'Normalization', name: 'n', config: { axis: [-1], invert: false, mean: [123.675, 116.28, 103.53], variance: [3409.98, 3262.69, 3291.97] } },
      ]);
      assert.deepEqual(keras.n, { name: 'n', shape: [null, 32, 32, 3], params: 0, trainable: 0, nonTrainable: 0 });
    });

    it('several axes, and axis None (one mean for the whole input)', () => {
      // _keep_axis (1, 3) on (None, 4, 5, 3): mean and variance of shape (4, 3): 12 + 12 + 1.
      assert.equal(jsonRows([4, 5, 3], [{ type: 'Normalization', name: 'n', axis: [1, -1] }]).n.params, 25);
      // axis None → (): scalar mean and variance: 1 + 1 + 1.
      assert.equal(jsonRows([4, 5, 3], [{ type: 'Normalization', name: 'n', axis: null }]).n.params, 3);
      assert.equal(kerasRows([null, 4], [{ class_name: 'Normalization', name: 'n', config: { axis: [], mean: null, variance: null } }]).n.params, 3);
    });

    it("refuses what Keras refuses, in Keras's words", () => {
      assert.deepEqual(errors(json([4, 3], [{ type: 'Normalization', mean: [1, 2, 3] }])), [
        'When setting values directly, both `mean` and `variance` must be set. Received: mean=[1,2,3] and variance=None. Give both, or neither (Keras then learns them with adapt()).',
      ]);
      assert.deepEqual(errors(json([4, 3], [{ type: 'Normalization', axis: 3 }])), [
        'All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim=3, while axis=(3,). Full input shape received: (None, 4, 3).',
      ]);
      assert.deepEqual(errors(json([null, 3], [{ type: 'Normalization', axis: 1 }])), [
        'All `axis` values to be kept must have a known shape. Received axis=(1,), inputs.shape=(None, None, 3), with unknown axis at index 1.',
      ]);
    });

    it('a .model.ts cannot use it: tfjs has no normalization layer', () => {
      const messages = errors(typescript(`  return tf.sequential({ layers: [tf.layers.normalization({ inputShape: [4] })] });`));
      assert.equal(messages.length, 1);
      assert.match(messages[0], /tfjs has no Normalization layer/);
    });
  });

  it('BatchNormalization renorm (batch_normalization.py, build): moving_stddev, renorm_mean, renorm_stddev added, non-trainable', () => {
    // gamma, beta (trainable) and moving_mean, moving_variance, moving_stddev, renorm_mean, renorm_stddev, each of 8.
    const bn = kerasRows([null, 4, 4, 8], [{ class_name: 'BatchNormalization', name: 'bn', config: { axis: -1, center: true, scale: true, renorm: true, renorm_clipping: null, renorm_momentum: 0.99 } }]).bn;
    assert.deepEqual(bn, { name: 'bn', shape: [null, 4, 4, 8], params: 56, trainable: 16, nonTrainable: 40 });
    assert.equal(kerasRows([null, 4, 4, 8], [{ class_name: 'BatchNormalization', name: 'bn', config: { renorm: false } }]).bn.params, 32);
  });

  it('a .model.ts takes exactly the options tfjs has: keepdims, renorm and rmsScaling are Keras only', () => {
    for (const [call, option] of [
      ['globalAveragePooling2d({ keepdims: true })', 'keepdims'],
      ['batchNormalization({ renorm: true })', 'renorm'],
      ['layerNormalization({ rmsScaling: true })', 'rmsScaling'],
    ]) {
      const messages = errors(typescript(`  return tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }), tf.layers.${call}] });`));
      assert.equal(messages.length, 1, call);
      assert.match(messages[0], new RegExp(`'${option}'\\. tf\\.layers\\.\\w+ has no ${option}, a Keras option`), call);
    }
    // The same options are Keras's, so model JSON takes them.
    assert.deepEqual(jsonRows([8, 8, 2], [{ type: 'GlobalMaxPooling2D', name: 'g', keepdims: true }]).g.shape, [null, 1, 1, 2]);
  });

  describe('Conv2D groups (keras/src/layers/convolutional/base_conv.py: kernel (kh, kw, C / groups, filters))', () => {
    it('groups 4 on 8 channels, 16 filters, 3 × 3: 3 · 3 · 2 · 16 + 16 = 304', () => {
      assert.equal(jsonRows([16, 16, 8], [{ type: 'Conv2D', name: 'g', filters: 16, kernelSize: 3, groups: 4 }]).g.params, 304);
      assert.equal(kerasRows([null, 16, 16, 8], [{ class_name: 'Conv2D', name: 'g', config: { filters: 16, kernel_size: [3, 3], groups: 4 } }]).g.params, 304);
    });

    it("refuses filters or channels that groups does not divide, in Keras's words; a .model.ts has no groups", () => {
      assert.deepEqual(errors(json([16, 16, 8], [{ type: 'Conv2D', filters: 6, kernelSize: 3, groups: 4 }])), [
        'The number of filters must be evenly divisible by the number of groups. Received: groups=4, filters=6.',
      ]);
      assert.deepEqual(errors(json([16, 16, 6], [{ type: 'Conv2D', filters: 8, kernelSize: 3, groups: 4 }])), [
        'The number of input channels must be evenly divisible by the number of groups. Received groups=4, but the input has 6 channels (full input shape is (None, 16, 16, 6)).',
      ]);
      const messages = errors(typescript(`  return tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [16, 16, 8], filters: 16, kernelSize: 3, groups: 4 })] });`));
      assert.equal(messages.length, 1);
      assert.match(messages[0], /'groups'\. tf\.layers\.conv2d has no groups, a Keras option/);
    });
  });
});
