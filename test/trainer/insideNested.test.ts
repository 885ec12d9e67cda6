// Inside a functional model with a nested base and a residual connection (a Keras `to_json()`):
// the model is run over its own graph, the convolution inside the nested base is skipped and
// said so, and a kernel reading several channels is drawn one grey image per input channel.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { lookInside } from '../../src/trainer/inside';
import { runTraining } from '../../src/trainer/train';
import { job, kerasLayer, kerasTensor, nestedBaseModel, temporaryDir, writeModel } from './helpers';

/** pixels → base (nested: base_conv) → top_conv → add(base, top_conv) → pooling → softmax head. */
const nestedResidual = nestedBaseModel('nested-residual', { trainable: true, layers: [kerasLayer('Conv2D', 'base_conv', { filters: 4, kernel_size: [3, 3], activation: 'relu' }, [kerasTensor('base_input', [null, 12, 12, 1])])] }, [
  kerasLayer('Conv2D', 'top_conv', { filters: 4, kernel_size: [3, 3], padding: 'same', activation: 'relu' }, [kerasTensor('base', [null, 10, 10, 4])]),
  kerasLayer('Add', 'residual', {}, [[kerasTensor('base', [null, 10, 10, 4]), kerasTensor('top_conv', [null, 10, 10, 4])]]),
  kerasLayer('GlobalAveragePooling2D', 'pool', {}, [kerasTensor('residual', [null, 10, 10, 4])]),
  kerasLayer('Dense', 'head', { units: 4, activation: 'softmax' }, [kerasTensor('pool', [null, 4])]),
]);

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
