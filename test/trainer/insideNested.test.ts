// Inside a functional model with a nested base and a residual connection (a Keras `to_json()`):
// the model is run over its own graph, the convolution inside the nested base is skipped and
// said so, and a kernel reading several channels is drawn one grey image per input channel.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { lookInside } from '../../src/trainer/inside';
import { runTraining } from '../../src/trainer/train';
import { job, temporaryDir, writeModel } from './helpers';

const tensor = (from: string, shape: (number | null)[]): Record<string, unknown> => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [from, 0, 0] } });
const kerasLayer = (className: string, name: string, config: Record<string, unknown>, args: unknown[]): Record<string, unknown> => ({
  module: 'keras.layers',
  class_name: className,
  config: { name, trainable: true, ...config },
  registered_name: null,
  name,
  inbound_nodes: [{ args, kwargs: {} }],
});
const inputLayer = (name: string): Record<string, unknown> => ({ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 12, 12, 1], dtype: 'float32', name }, registered_name: null, name, inbound_nodes: [] });

/** pixels → base (nested: base_conv) → top_conv → add(base, top_conv) → pooling → softmax head. */
const nestedResidual = {
  module: 'keras.src.models.functional',
  class_name: 'Functional',
  registered_name: 'Functional',
  config: {
    name: 'nested-residual',
    trainable: true,
    layers: [
      inputLayer('pixels'),
      {
        module: 'keras.src.models.functional',
        class_name: 'Functional',
        registered_name: 'Functional',
        name: 'base',
        config: {
          name: 'base',
          trainable: true,
          layers: [inputLayer('base_input'), kerasLayer('Conv2D', 'base_conv', { filters: 4, kernel_size: [3, 3], activation: 'relu' }, [tensor('base_input', [null, 12, 12, 1])])],
          input_layers: ['base_input', 0, 0],
          output_layers: ['base_conv', 0, 0],
        },
        inbound_nodes: [{ args: [tensor('pixels', [null, 12, 12, 1])], kwargs: {} }],
      },
      kerasLayer('Conv2D', 'top_conv', { filters: 4, kernel_size: [3, 3], padding: 'same', activation: 'relu' }, [tensor('base', [null, 10, 10, 4])]),
      kerasLayer('Add', 'residual', {}, [[tensor('base', [null, 10, 10, 4]), tensor('top_conv', [null, 10, 10, 4])]]),
      kerasLayer('GlobalAveragePooling2D', 'pool', {}, [tensor('residual', [null, 10, 10, 4])]),
      kerasLayer('Dense', 'head', { units: 4, activation: 'softmax' }, [tensor('pool', [null, 4])]),
    ],
    input_layers: ['pixels', 0, 0],
    output_layers: ['head', 0, 0],
  },
};

describe('Inside a functional model with a nested base', function () {
  this.timeout(120_000);

  it('shows the top-level convolution, says the nested one is skipped, and maps the class on the graph', async () => {
    const dir = temporaryDir('cnnlab-inside-nested-');
    const modelFile = writeModel(dir, nestedResidual, 'nested.keras.json');
    const record = await runTraining(job(dir, modelFile, { overrides: { dataset: 'shapes', epochs: 1, batchSize: 16, backend: 'cpu', seed: 3 }, trainExamples: 64, testExamples: 16 }), () => undefined);
    assert.equal(record?.status, 'completed');
    const result = await lookInside(join(dir, '.cnnlab', 'runs', record.id), { kind: 'test', index: 0 }, { baseDir: dir, maxMaps: 6 });
    assert.deepEqual(result.featureMaps.map((maps) => [maps.layer, maps.outputShape, maps.count, maps.total]), [['top_conv', [null, 10, 10, 4], 4, 4]]);
    assert.deepEqual(result.notes, ["1 convolution inside the nested model 'base' is not shown: only the model's top-level layers are looked inside."]);
    // top_conv reads 4 channels: one grey 3×3 image per filter and input channel, whole filters only (6 allowed: one filter of 4).
    assert.deepEqual([result.filters?.layer, result.filters?.colour, result.filters?.inputChannels, result.filters?.count, result.filters?.total], ['top_conv', false, 4, 4, 16]);
    assert.deepEqual(result.gradcam.map((map) => [map.layer, map.score, map.heat.length]), [['top_conv', 'logit', 144]]);
  });
});
