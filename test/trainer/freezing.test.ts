// Freezing in the trainer, with real tfjs training on the generated `shapes` dataset: a frozen layer's
// weights leave training exactly as they went in, a frozen BatchNormalization keeps its moving mean
// and variance (Keras runs it in inference mode; tfjs on its own would update them), while the
// head learns: its weights move and the loss falls. The run's seed makes all of it repeatable.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeModel } from '../../src/model/index';
import { readRun } from '../../src/runs/store';
import { buildModel } from '../../src/trainer/buildModel';
import { freezeAsWritten, runFrozenBatchNormInInference } from '../../src/trainer/freezing';
import { fileSaveHandler, loadSavedModel } from '../../src/trainer/modelFiles';
import { runTraining } from '../../src/trainer/train';
import { runSeed } from '../../src/trainer/trainingConfig';
import { collector, job, temporaryDir, writeModel } from './helpers';

const seed = 20_260_101;

/** 12×12 grayscale shapes, 4 classes: a frozen conv and BatchNormalization, a live BatchNormalization, a trainable head. */
const frozenBase = {
  name: 'frozen-base',
  inputShape: [12, 12, 1],
  layers: [
    { type: 'Conv2D', name: 'frozen_conv', filters: 4, kernelSize: 3, activation: 'relu', trainable: false },
    { type: 'BatchNormalization', name: 'frozen_bn', trainable: false },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'BatchNormalization', name: 'live_bn' },
    { type: 'Flatten' },
    { type: 'Dense', name: 'head', units: 4, activation: 'softmax' },
  ],
  training: { dataset: 'shapes', epochs: 4, batchSize: 16, backend: 'cpu', optimizer: 'adam', learningRate: 0.01, validationSplit: 0, seed },
};

/** Every weight of a model, by its layer and weight name (`frozen_bn/moving_mean`). */
function weightsOf(model: tf.LayersModel): Map<string, number[]> {
  const weights = new Map<string, number[]>();
  for (const layer of model.layers) {
    layer.weights.forEach((weight, index) => {
      const value = layer.getWeights()[index];
      // tfjs numbers the names of a model loaded while another holds them (`kernel_1`).
      const short = (weight.name.split('/').pop() ?? weight.name).replace(/_\d+$/, '');
      weights.set(`${layer.name}/${short}`, Array.from(value.dataSync()));
    });
  }
  return weights;
}

function maxChange(before: number[] | undefined, after: number[] | undefined): number {
  assert.ok(before && after && before.length === after.length, 'the same weight before and after');
  return Math.max(...before.map((value, index) => Math.abs(value - after[index])));
}

async function train(dir: string): Promise<{ runDir: string; losses: number[]; after: Map<string, number[]> }> {
  const modelFile = writeModel(dir, frozenBase);
  const events = collector();
  const record = await runTraining(job(dir, modelFile), events.emit);
  assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
  const [started] = events.of('started');
  const { metrics } = await readRun(started.runDir);
  const losses = metrics.filter((line) => line.kind === 'epoch').map((line) => line.logs.loss);
  const last = await loadSavedModel(join(started.runDir, 'model', 'last'));
  const after = weightsOf(last);
  last.dispose();
  return { runDir: started.runDir, losses, after };
}

describe('freezing in the trainer', function () {
  this.timeout(120_000);

  before(async () => {
    await tf.setBackend('cpu');
  });

  it('leaves frozen weights and a frozen BatchNormalization\'s statistics unchanged while the head learns, the same on every run of the seed', async () => {
    const dir = temporaryDir();
    const modelFile = writeModel(dir, frozenBase);
    // The weights the run starts from: the model the trainer builds from the file with the run's seed.
    const analysis = analyzeModel(readFileSync(modelFile, 'utf8'), modelFile);
    assert.ok(analysis.ir);
    const initial = buildModel(analysis.ir, runSeed({ seed }));
    const before = weightsOf(initial);
    initial.dispose();

    const first = await train(dir);
    for (const name of ['frozen_conv/kernel', 'frozen_conv/bias', 'frozen_bn/gamma', 'frozen_bn/beta', 'frozen_bn/moving_mean', 'frozen_bn/moving_variance']) {
      assert.equal(maxChange(before.get(name), first.after.get(name)), 0, `${name} changed`);
    }
    // The controls: what is not frozen moves.
    for (const name of ['head/kernel', 'head/bias', 'live_bn/gamma', 'live_bn/moving_mean', 'live_bn/moving_variance']) {
      assert.ok(maxChange(before.get(name), first.after.get(name)) > 1e-4, `${name} did not change`);
    }
    assert.equal(first.losses.length, 4);
    assert.ok(first.losses[3] < first.losses[0] * 0.9, `the loss falls: ${first.losses.join(', ')}`);

    const again = await train(temporaryDir());
    assert.deepEqual(again.losses, first.losses, 'the same seed gives the same curve');
    assert.deepEqual(again.after.get('head/kernel'), first.after.get('head/kernel'), 'and the same head');
  });

  it('keeps them frozen, the BatchNormalization statistics included, when a run is resumed', async () => {
    const dir = temporaryDir();
    const modelFile = writeModel(dir, { ...frozenBase, training: { ...frozenBase.training, epochs: 1 } });
    const analysis = analyzeModel(readFileSync(modelFile, 'utf8'), modelFile);
    assert.ok(analysis.ir);
    const initial = buildModel(analysis.ir, runSeed({ seed }));
    const before = weightsOf(initial);
    initial.dispose();
    const first = await runTraining(job(dir, modelFile), collector().emit);
    assert.equal(first?.status, 'completed');
    const events = collector();
    const resumed = await runTraining(job(dir, modelFile, { resumeFrom: first?.id, overrides: { epochs: 3 } }), events.emit);
    assert.equal(resumed?.status, 'completed', JSON.stringify(events.of('failed')));
    const [started] = events.of('started');
    const last = await loadSavedModel(join(started.runDir, 'model', 'last'));
    const after = weightsOf(last);
    last.dispose();
    for (const name of ['frozen_conv/kernel', 'frozen_bn/gamma', 'frozen_bn/moving_mean', 'frozen_bn/moving_variance']) {
      assert.equal(maxChange(before.get(name), after.get(name)), 0, `${name} changed`);
    }
    assert.ok(maxChange(before.get('live_bn/moving_mean'), after.get('live_bn/moving_mean')) > 1e-4);
  });

  it('refuses a model whose every layer with weights is frozen, saying what to unfreeze, and leaves no run behind', async () => {
    const dir = temporaryDir();
    const events = collector();
    const allFrozen = { ...frozenBase, layers: frozenBase.layers.map((layer) => ({ ...layer, trainable: false })) };
    const record = await runTraining(job(dir, writeModel(dir, allFrozen)), events.emit);
    assert.equal(record, undefined);
    const [failed] = events.of('failed');
    assert.equal(failed.message, 'Every layer with weights is frozen (trainable: false), so training would change nothing. Received: 0 trainable params of 476.');
    assert.match(failed.hint ?? '', /Unfreeze the layers to train/);
    const runsDir = join(dir, '.cnnlab', 'runs');
    assert.deepEqual(existsSync(runsDir) ? readdirSync(runsDir) : [], []);
  });

  it('the run records the frozen split of the summary', async () => {
    const dir = temporaryDir();
    const events = collector();
    const record = await runTraining(job(dir, writeModel(dir, { ...frozenBase, training: { ...frozenBase.training, epochs: 1 } })), events.emit);
    assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
    // Conv 4·9 + 4 = 40 and BatchNormalization 4·4 = 16 frozen; live BatchNormalization 8 + 8; head 4·(5·5·4) + 4 = 404.
    assert.equal(record?.summary.trainableParams, 8 + 404);
    assert.equal(record?.summary.nonTrainableParams, 40 + 16 + 8);
  });
});

describe('runFrozenBatchNormInInference', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  /** One SGD step on a batch far from the BatchNormalization's initial statistics. */
  async function step(model: tf.LayersModel): Promise<void> {
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([8, 4], 5, 2, 'float32', 7);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
    await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
  }

  function statistics(layer: tf.layers.Layer): number[][] {
    return layer.getWeights().map((weight) => Array.from(weight.dataSync()));
  }

  function modelAround(normalization: tf.layers.Layer, nestedFrozen: boolean): tf.LayersModel {
    const input = tf.input({ shape: [4] });
    let features: tf.SymbolicTensor;
    if (nestedFrozen) {
      const baseInput = tf.input({ shape: [4] });
      const base = tf.model({ inputs: baseInput, outputs: normalization.apply(baseInput) as tf.SymbolicTensor, name: 'base' });
      base.trainable = false;
      features = base.apply(input) as tf.SymbolicTensor;
    } else {
      features = normalization.apply(input) as tf.SymbolicTensor;
    }
    const output = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(features) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: output });
  }

  it('tfjs alone moves a frozen BatchNormalization\'s moving statistics (why CNN Lab steps in)', async () => {
    const normalization = tf.layers.batchNormalization({ trainable: false });
    const model = modelAround(normalization, false);
    const before = statistics(normalization);
    await step(model);
    assert.notDeepEqual(statistics(normalization), before);
    model.dispose();
  });

  for (const [how, nested] of [['frozen itself', false], ['inside a frozen nested model', true]] as const) {
    it(`keeps a BatchNormalization ${how} in inference mode; thawed, it trains again`, async () => {
      const normalization = tf.layers.batchNormalization({ trainable: nested });
      const model = modelAround(normalization, nested);
      runFrozenBatchNormInInference(model);
      runFrozenBatchNormInInference(model);
      const before = statistics(normalization);
      await step(model);
      assert.deepEqual(statistics(normalization), before);
      // The flag is read at each call: thawing (and recompiling, as Keras asks) trains it again.
      if (nested) (model.getLayer('base') as unknown as tf.LayersModel).trainable = true;
      else normalization.trainable = true;
      await step(model);
      assert.notDeepEqual(statistics(normalization), before);
      model.dispose();
    });
  }
});

describe('freezeAsWritten', () => {
  it('freezes a nested model again after tfjs saved and loaded it without its flag', async () => {
    const baseInput = tf.input({ shape: [4] });
    const base = tf.model({ inputs: baseInput, outputs: tf.layers.dense({ units: 3, name: 'inner' }).apply(baseInput) as tf.SymbolicTensor, name: 'base' });
    base.trainable = false;
    const input = tf.input({ shape: [4], name: 'pixels' });
    const output = tf.layers.dense({ units: 2, name: 'head' }).apply(base.apply(input)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    assert.equal(model.trainableWeights.length, 2);
    const dir = temporaryDir();
    await model.save(fileSaveHandler(dir, { epochsCompleted: 1 }));
    const loaded = await loadSavedModel(dir);
    // What tfjs does on its own: the base comes back trainable.
    assert.equal(loaded.trainableWeights.length, 4);
    const nestedIr = { name: 'base', format: 'keras' as const, topology: 'functional' as const, layers: [{ name: 'inner', className: 'Dense', config: { units: 3 }, inbound: [] }], inputs: [], outputs: ['inner'] };
    freezeAsWritten(loaded, [
      { name: 'pixels', className: 'InputLayer', config: {}, inbound: [] },
      { name: 'base', className: 'Functional', config: { trainable: false }, inbound: ['pixels'], model: nestedIr },
      { name: 'head', className: 'Dense', config: { units: 2 }, inbound: ['base'] },
    ]);
    assert.deepEqual(loaded.trainableWeights.map((weight) => weight.name.replace(/_\d+$/, '')), ['head/kernel', 'head/bias']);
    model.dispose();
    loaded.dispose();
  });
});
