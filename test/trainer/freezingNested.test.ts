// A frozen nested base in the trainer (issue 13 item 2): a Keras `to_json()` model whose pretrained
// base (a Functional model called as a layer) has `trainable: false` while its own layers say
// trainable, as a Keras 2 file or a hand-edited one does. Real tfjs training on the `shapes`
// dataset leaves every weight of the base as it was, its BatchNormalization's moving statistics
// included (inference mode inside a frozen model, as Keras runs it), while the head learns.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeModel } from '../../src/model/index';
import { readRun } from '../../src/runs/store';
import { buildModel } from '../../src/trainer/buildModel';
import { loadSavedModel } from '../../src/trainer/modelFiles';
import { runTraining } from '../../src/trainer/train';
import { runSeed } from '../../src/trainer/trainingConfig';
import { collector, job, kerasLayer, kerasTensor, nestedBaseModel, temporaryDir, writeModel } from './helpers';

const seed = 4321;

/** Keras 3 `to_json()` of pixels → base (Conv2D, BatchNormalization; frozen as a whole) → pooling → head. */
const transfer = nestedBaseModel(
  'transfer',
  {
    trainable: false,
    layers: [
      kerasLayer('Conv2D', 'base_conv', { filters: 4, kernel_size: [3, 3], activation: 'relu' }, [kerasTensor('base_input', [null, 12, 12, 1])]),
      kerasLayer('BatchNormalization', 'base_bn', { axis: -1 }, [kerasTensor('base_conv', [null, 10, 10, 4])]),
    ],
    callKwargs: { training: false },
  },
  [kerasLayer('GlobalAveragePooling2D', 'pool', {}, [kerasTensor('base', [null, 10, 10, 4])]), kerasLayer('Dense', 'head', { units: 4, activation: 'softmax' }, [kerasTensor('pool', [null, 4])])],
);

const training = { dataset: 'shapes', epochs: 4, batchSize: 16, backend: 'cpu' as const, optimizer: 'adam' as const, learningRate: 0.05, validationSplit: 0, seed };

/** Every weight of a model and of the models nested in it, by layer and weight name. */
function weightsOf(layers: tf.layers.Layer[], into = new Map<string, number[]>()): Map<string, number[]> {
  for (const layer of layers) {
    const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(inner)) {
      weightsOf(inner, into);
      continue;
    }
    const values = layer.getWeights();
    layer.weights.forEach((weight, index) => {
      const short = (weight.name.split('/').pop() ?? weight.name).replace(/_\d+$/, '');
      into.set(`${layer.name}/${short}`, Array.from(values[index].dataSync()));
    });
  }
  return into;
}

function maxChange(before: number[] | undefined, after: number[] | undefined): number {
  assert.ok(before && after && before.length === after.length, 'the same weight before and after');
  return Math.max(...before.map((value, index) => Math.abs(value - after[index])));
}

describe('freezing a nested base in the trainer', function () {
  this.timeout(120_000);

  before(async () => {
    await tf.setBackend('cpu');
  });

  it('leaves a frozen nested model\'s weights and BatchNormalization statistics unchanged while the head learns', async () => {
    const dir = temporaryDir();
    const modelFile = writeModel(dir, transfer, 'transfer.keras.json');
    const analysis = analyzeModel(readFileSync(modelFile, 'utf8'), modelFile);
    assert.deepEqual(analysis.diagnostics, []);
    assert.ok(analysis.ir);
    // Keras: Conv2D 4·9 + 4 = 40 and BatchNormalization 16, all non-trainable in a frozen base; head 4·4 + 4 = 20.
    assert.deepEqual([analysis.summary?.trainableParams, analysis.summary?.nonTrainableParams], [20, 56]);
    const initial = buildModel(analysis.ir, runSeed({ seed }));
    const before = weightsOf(initial.layers);
    initial.dispose();

    const events = collector();
    const record = await runTraining(job(dir, modelFile, { overrides: training }), events.emit);
    assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
    const [started] = events.of('started');
    const losses = (await readRun(started.runDir)).metrics.filter((line) => line.kind === 'epoch').map((line) => line.logs.loss);
    const last = await loadSavedModel(join(started.runDir, 'model', 'last'));
    const after = weightsOf(last.layers);
    last.dispose();

    for (const name of ['base_conv/kernel', 'base_conv/bias', 'base_bn/gamma', 'base_bn/beta', 'base_bn/moving_mean', 'base_bn/moving_variance']) {
      assert.equal(maxChange(before.get(name), after.get(name)), 0, `${name} changed`);
    }
    for (const name of ['head/kernel', 'head/bias']) assert.ok(maxChange(before.get(name), after.get(name)) > 1e-4, `${name} did not change`);
    assert.ok(losses[losses.length - 1] < losses[0], `the loss falls: ${losses.join(', ')}`);
  });
});
