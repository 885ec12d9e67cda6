// Layer rules beyond the seeds, against numbers Keras gives for the same layers.
import { strict as assert } from 'node:assert';
import { LAYER_CATALOG } from '../../src/model/catalog';
import { analyzeModel, convOutputLength, formatShape } from '../../src/model/index';
import { RULE_CLASS_NAMES } from '../../src/model/layers';

function layers(inputShape: number[], specs: object[]): { shape: (number | null)[]; params: number; trainable: number; nonTrainable: number; explanation: string[] }[] {
  const analysis = analyzeModel(JSON.stringify({ inputShape, layers: specs }), 'l.model.json');
  assert.deepEqual(analysis.diagnostics.map((diagnostic) => diagnostic.message), []);
  return (analysis.summary?.layers ?? []).map((layer) => ({
    shape: layer.outputShape,
    params: layer.params,
    trainable: layer.trainableParams,
    nonTrainable: layer.nonTrainableParams,
    explanation: layer.explanation,
  }));
}

describe('layer rules', () => {
  it('every catalog layer has a rule and every rule a catalog entry', () => {
    assert.deepEqual([...RULE_CLASS_NAMES].sort(), LAYER_CATALOG.map((kind) => kind.className).sort());
  });

  it('shared output length: valid, same, strides, dilation', () => {
    assert.deepEqual(convOutputLength(28, 3, 1, 'valid'), { length: 26, arithmetic: '(28 + 2·0 − 3) / 1 + 1 = 26' });
    assert.equal(convOutputLength(27, 2, 2, 'valid').length, 13);
    assert.equal(convOutputLength(27, 3, 2, 'same').length, 14);
    assert.equal(convOutputLength(28, 3, 1, 'valid', 2).length, 24);
    assert.equal(convOutputLength(null, 3, 1, 'valid').length, null);
    assert.equal(formatShape([null, 10]), '(None, 10)');
    assert.equal(formatShape([null]), '(None,)');
  });

  it('Conv2D explanation in the user numbers (seed 002)', () => {
    const [conv] = layers([28, 28, 1], [{ type: 'Conv2D', filters: 64, kernelSize: 3 }]);
    assert.deepEqual(conv.explanation, ['height: (28 + 2·0 − 3) / 1 + 1 = 26', 'width: (28 + 2·0 − 3) / 1 + 1 = 26', 'params: 64 · 3 · 3 · 1 + 64 = 640']);
  });

  it('depthwise, separable and transposed convolutions', () => {
    const [depthwise, separable, transposed, strided] = layers([32, 32, 3], [
      { type: 'DepthwiseConv2D', kernelSize: 3, depthMultiplier: 2 },
      { type: 'SeparableConv2D', filters: 16, kernelSize: 3, padding: 'same' },
      { type: 'Conv2DTranspose', filters: 8, kernelSize: 3, strides: 2 },
      { type: 'Conv2D', filters: 4, kernelSize: [3, 5], strides: [2, 1], dilationRate: 1, useBias: false },
    ]);
    assert.deepEqual(depthwise.shape, [null, 30, 30, 6]);
    assert.equal(depthwise.params, 3 * 3 * 3 * 2 + 6);
    assert.deepEqual(separable.shape, [null, 30, 30, 16]);
    assert.equal(separable.params, 3 * 3 * 6 + 6 * 16 + 16);
    assert.deepEqual(transposed.shape, [null, 61, 61, 8]);
    assert.equal(transposed.params, 3 * 3 * 8 * 16 + 8);
    assert.deepEqual(strided.shape, [null, 30, 57, 4]);
    assert.equal(strided.params, 3 * 5 * 8 * 4);
  });

  it('poolings, padding, cropping, upsampling', () => {
    const result = layers([28, 28, 3], [
      { type: 'ZeroPadding2D', padding: [[1, 2], [3, 4]] },
      { type: 'Cropping2D', cropping: 1 },
      { type: 'AveragePooling2D', poolSize: 3, strides: 2, padding: 'same' },
      { type: 'UpSampling2D', size: [2, 3] },
      { type: 'MaxPooling2D' },
      { type: 'GlobalMaxPooling2D' },
    ]);
    assert.deepEqual(result.map((layer) => layer.shape), [
      [null, 31, 35, 3],
      [null, 29, 33, 3],
      [null, 15, 17, 3],
      [null, 30, 51, 3],
      [null, 15, 25, 3],
      [null, 3],
    ]);
  });

  it('BatchNormalization: 4·C params, half non-trainable; LayerNormalization 2·C', () => {
    const [conv, batchNorm, layerNorm, globalAverage] = layers([8, 8, 3], [
      { type: 'Conv2D', filters: 16, kernelSize: 3 },
      { type: 'BatchNormalization' },
      { type: 'LayerNormalization' },
      { type: 'GlobalAveragePooling2D' },
    ]);
    assert.equal(conv.params, 448);
    assert.deepEqual([batchNorm.params, batchNorm.trainable, batchNorm.nonTrainable], [64, 32, 32]);
    assert.equal(layerNorm.params, 32);
    assert.deepEqual(globalAverage.shape, [null, 16]);
  });

  it('Reshape with -1, Dense on rank 3, activations, Rescaling, SpatialDropout2D', () => {
    const result = layers([28, 28, 1], [
      { type: 'Rescaling', scale: 1 / 255 },
      { type: 'SpatialDropout2D', rate: 0.1 },
      { type: 'Reshape', targetShape: [-1, 28] },
      { type: 'Dense', units: 8 },
      { type: 'ReLU' },
      { type: 'LeakyReLU', alpha: 0.1 },
      { type: 'Activation', activation: 'tanh' },
    ]);
    assert.deepEqual(result.map((layer) => layer.shape), [[null, 28, 28, 1], [null, 28, 28, 1], [null, 28, 28], [null, 28, 8], [null, 28, 8], [null, 28, 8], [null, 28, 8]]);
    assert.equal(result[3].params, 28 * 8 + 8);
  });

  it('unknown sizes pass through as None', () => {
    const [conv, flatten] = layers([null as unknown as number, 28, 1].slice(0, 3), [{ type: 'Conv2D', filters: 2, kernelSize: 3 }, { type: 'Flatten' }]);
    assert.deepEqual(conv.shape, [null, null, 26, 2]);
    assert.deepEqual(flatten.shape, [null, null]);
  });

  it('merge layers and Keras 3 functional inbound nodes', () => {
    const tensor = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4], dtype: 'float32', keras_history: [name, 0, 0] } });
    const keras3 = {
      module: 'keras', class_name: 'Functional', registered_name: 'Functional',
      config: {
        name: 'merge', trainable: true,
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4], name: 'in' }, name: 'in', inbound_nodes: [] },
          { module: 'keras.layers', class_name: 'Dense', config: { name: 'a', units: 4 }, name: 'a', inbound_nodes: [{ args: [tensor('in')], kwargs: {} }] },
          { module: 'keras.layers', class_name: 'Dense', config: { name: 'b', units: 4 }, name: 'b', inbound_nodes: [{ args: [tensor('in')], kwargs: {} }] },
          { module: 'keras.layers', class_name: 'Multiply', config: { name: 'm' }, name: 'm', inbound_nodes: [{ args: [[tensor('a'), tensor('b')]], kwargs: {} }] },
          { module: 'keras.layers', class_name: 'Average', config: { name: 'avg' }, name: 'avg', inbound_nodes: [{ args: [[tensor('m'), tensor('a')]], kwargs: {} }] },
        ],
        input_layers: [['in', 0, 0]], output_layers: [['avg', 0, 0]],
      },
    };
    const analysis = analyzeModel(JSON.stringify(keras3), 'merge.json');
    assert.equal(analysis.format, 'keras');
    assert.deepEqual(analysis.diagnostics, []);
    assert.deepEqual(analysis.summary?.layers.map((layer) => [layer.name, layer.inbound, layer.params]), [
      ['in', [], 0], ['a', ['in'], 20], ['b', ['in'], 20], ['m', ['a', 'b'], 0], ['avg', ['m', 'a'], 0],
    ]);
    const keras2 = JSON.parse(JSON.stringify(keras3).replace(/\{"args":\[\[?\{[^]*?\}\]?\],"kwargs":\{\}\}/g, '[]'));
    keras2.config.layers[1].inbound_nodes = [[['in', 0, 0, {}]]];
    keras2.config.layers[2].inbound_nodes = [[['in', 0, 0, {}]]];
    keras2.config.layers[3].inbound_nodes = [[['a', 0, 0, {}], ['b', 0, 0, {}]]];
    keras2.config.layers[4].inbound_nodes = [[['m', 0, 0, {}], ['a', 0, 0, {}]]];
    const analysis2 = analyzeModel(JSON.stringify(keras2), 'merge2.json');
    assert.deepEqual(analysis2.summary?.layers.map((layer) => layer.inbound), [[], ['in'], ['in'], ['a', 'b'], ['m', 'a']]);
  });
});
