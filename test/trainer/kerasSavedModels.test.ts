// The trainer builds the six models Keras 3.15 saved (test/fixtures/keras-saved) from their
// `model.to_json()`: every layer, the nested MobileNetV2 base as one tfjs model applied as a layer
// and each layer inside it, keeps its Keras name and has Keras's output shape, params and
// trainable params (so that Keras weights can be loaded by layer name).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeModel } from '../../src/model';
import type { ModelIR, Shape } from '../../src/model/types';
import { buildModel } from '../../src/trainer/buildModel';

const FIXTURES = join(__dirname, '..', 'fixtures', 'keras-saved');
const NAMES = ['mnist_cnn', 'cifar_bn_cnn', 'functional_residual', 'separable_gap', 'mobilenetv2_transfer', 'partial_frozen'];

interface KerasRow {
  name: string;
  output_shape: Shape;
  params: number;
  trainable_params: number;
}
interface KerasSummary {
  layers: KerasRow[];
  total_params: number;
  trainable_params: number;
  nested_models?: Record<string, { layers: KerasRow[] }>;
}

function fixtureIR(name: string): ModelIR {
  const analysis = analyzeModel(readFileSync(join(FIXTURES, `${name}.to_json.json`), 'utf8'), `${name}.to_json.json`);
  assert.ok(analysis.ir);
  return analysis.ir;
}
const kerasSummary = (name: string): KerasSummary => JSON.parse(readFileSync(join(FIXTURES, `${name}.summary.json`), 'utf8')) as KerasSummary;

const weightCount = (weights: tf.LayerVariable[]): number => weights.reduce((sum, weight) => sum + tf.util.sizeFromShape(weight.shape as number[]), 0);

/** A tfjs layer in the fields of Keras's summary rows. */
function asKerasRow(layer: tf.layers.Layer): KerasRow {
  return { name: layer.name, output_shape: layer.outputShape as Shape, params: layer.countParams(), trainable_params: weightCount(layer.trainableWeights) };
}
const pickRow = ({ name, output_shape, params, trainable_params }: KerasRow): KerasRow => ({ name, output_shape, params, trainable_params });

describe("buildModel on Keras 3.15 saved models: tfjs shapes and params = Keras's summary", () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const name of NAMES) {
    it(`${name}: every layer, the nested model's layers, the totals`, () => {
      const keras = kerasSummary(name);
      const model = buildModel(fixtureIR(name), 1);
      try {
        assert.deepEqual(keras.layers.map((row) => asKerasRow(model.getLayer(row.name))), keras.layers.map(pickRow));
        for (const [nestedName, nested] of Object.entries(keras.nested_models ?? {})) {
          const base = model.getLayer(nestedName);
          assert.ok(base instanceof tf.LayersModel, `${nestedName} is a tfjs model used as a layer`);
          assert.deepEqual(nested.layers.map((row) => asKerasRow(base.getLayer(row.name))), nested.layers.map(pickRow));
        }
        assert.equal(model.countParams(), keras.total_params);
        assert.equal(weightCount(model.trainableWeights), keras.trainable_params);
      } finally {
        model.dispose();
      }
    });
  }

  it('a nested base built for any image size keeps None inside and gives the called shape outside', () => {
    const ir = fixtureIR('mobilenetv2_transfer');
    const base = ir.layers.find((layer) => layer.model !== undefined)?.model;
    assert.ok(base);
    base.layers[0].config = { ...base.layers[0].config, batchInputShape: [null, null, null, 3] };
    const model = buildModel(ir, 1);
    try {
      const nested = model.getLayer('mobilenetv2_0.35_64') as tf.LayersModel;
      assert.deepEqual(nested.inputs[0].shape, [null, null, null, 3]);
      assert.deepEqual(model.getLayer('global_average_pooling2d').outputShape, [null, 1280]);
      assert.deepEqual(model.outputs[0].shape, [null, 5]);
      assert.equal(model.countParams(), kerasSummary('mobilenetv2_transfer').total_params);
    } finally {
      model.dispose();
    }
  });
});
